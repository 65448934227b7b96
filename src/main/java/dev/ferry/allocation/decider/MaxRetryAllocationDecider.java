package dev.ferry.allocation.decider;

import dev.ferry.allocation.CopyState;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.TopicSettings;
import dev.ferry.allocation.UnassignedInfo;

/**
 * Gives up on a copy that failed to allocate {@code topic.allocation.max-retries} times in a row
 * (ES's MaxRetryAllocationDecider), until the counter is reset.
 */
public final class MaxRetryAllocationDecider implements CopyScopedDecider {
    public static final String NAME = "max_retry";
    private static final Decision YES_NO_FAILURES = Decision.yes(NAME, "copy has no previous failures");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision canAllocate(RoutingCopy copy, Routing routing) {
        UnassignedInfo info = copy.unassignedInfo();
        if (copy.state() != CopyState.UNASSIGNED || info == null || info.failedAttempts() == 0) {
            return YES_NO_FAILURES;
        }
        int max = copy.topic().settings().maxRetries();
        if (info.failedAttempts() >= max) {
            return Decision.no(NAME, "copy has exceeded the maximum number of retries [" + max + "] on failed allocation attempts - manually "
                    + "reset the counter with [POST /cluster/allocation/retry-failed] or raise [" + TopicSettings.MAX_RETRIES + "], "
                    + "failed attempts [" + info.failedAttempts() + "], last failure [" + info.details() + "]");
        }
        return Decision.yes(NAME, "copy has failed allocating [" + info.failedAttempts() + "] times but [" + max + "] retries are allowed");
    }
}
