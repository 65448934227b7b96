package dev.ferry.http;

import dev.ferry.queue.QueueEntity;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A queue's offsets for the describe views (topic, group): asked of the Queue entity itself, which sharding starts if
 * it is not running and which answers once its log has recovered — so a view never shows a queue that is still
 * starting (after a node restart) with offsets 0. Null when the queue does not answer within the timeout, or answers
 * without having recovered (it is stopping): the views then show -1, never a number that is not the queue's state.
 */
final class QueueStats {
    private QueueStats() {}

    static CompletableFuture<QueueEntity.Stats> ask(Sender sender, String topic, int queue, Duration timeout) {
        return Asks.inline(sender.queueRef(topic, queue).<QueueEntity.Stats>ask(QueueEntity.GetStats::new, timeout))
                .thenApply(s -> s.ready() ? s : null)
                .exceptionally(e -> null);
    }
}
