package dev.ferry.allocation;

import java.util.Optional;

/**
 * The answer for one copy that needs a home now (Akka's {@code allocateShard}).
 *
 * @param copy        the copy asked about
 * @param type        YES: place it on {@code node}; THROTTLE: {@code node} is where it should go once a recovery slot
 *                    frees up; NO: no node may take it
 * @param node        the chosen node (YES / THROTTLE), empty for NO
 * @param promotion   whether a master is promoted onto an in-sync replica's log on {@code node}
 * @param explanation why, one sentence
 */
public record AllocationResult(CopyId copy, Decision.Type type, Optional<String> node, boolean promotion, String explanation) {
}
