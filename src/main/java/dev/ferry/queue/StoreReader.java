package dev.ferry.queue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.JournalProtocol;
import akka.persistence.PersistentRepr;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a range of a queue that is no longer in its entity's memory, by asking the queue's own journal plugin to
 * replay that range of sequence numbers (the same path recovery takes), filtering by tag on the way.
 * One short-lived actor per read; it answers its parent once and stops.
 */
final class StoreReader {
    private StoreReader() {}

    record Result(List<QueueMessage> messages, long scannedTo, String failure) {}

    /**
     * @param fromOffset first offset to read
     * @param toOffsetExclusive stop before this offset
     * @param maxScan most events to replay
     */
    static <T> Behavior<Object> create(akka.actor.ActorRef journal, String persistenceId, long fromOffset, long toOffsetExclusive,
                                       int maxMatches, long maxScan, TagFilter filter, ActorRef<T> replyTo, Function<Result, T> adapt) {
        return Behaviors.setup(ctx -> {
            akka.actor.ActorRef self = akka.actor.typed.javadsl.Adapter.toClassic(ctx.getSelf());
            long fromSeq = fromOffset + 1;
            long toSeq = toOffsetExclusive; // seqNr of offset (toOffsetExclusive - 1)
            journal.tell(new JournalProtocol.ReplayMessages(fromSeq, toSeq, maxScan, persistenceId, self), self);
            List<QueueMessage> found = new ArrayList<>();
            long[] scanned = {fromOffset};
            return Behaviors.receive(Object.class)
                    .onMessage(JournalProtocol.ReplayedMessage.class, m -> {
                        PersistentRepr repr = m.persistent();
                        long offset = repr.sequenceNr() - 1;
                        if (found.size() < maxMatches) {
                            scanned[0] = offset + 1;
                            Object payload = repr.payload();
                            if (payload instanceof akka.persistence.journal.Tagged t) payload = t.payload();
                            if (payload instanceof StoredMessage sm && filter.matches(sm)) found.add(new QueueMessage(offset, sm));
                        }
                        return Behaviors.same();
                    })
                    .onMessage(JournalProtocol.RecoverySuccess.class, s -> {
                        if (found.size() < maxMatches) scanned[0] = Math.max(scanned[0], Math.min(toOffsetExclusive, fromOffset + maxScan));
                        replyTo.tell(adapt.apply(new Result(found, scanned[0], null)));
                        return Behaviors.stopped();
                    })
                    .onMessage(JournalProtocol.ReplayMessagesFailure.class, f -> {
                        replyTo.tell(adapt.apply(new Result(List.of(), fromOffset, String.valueOf(f.cause()))));
                        return Behaviors.stopped();
                    })
                    .build();
        });
    }
}
