package dev.ferry.replica;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.KillSwitches;
import akka.stream.Materializer;
import akka.stream.SourceRef;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.StreamRefs;
import dev.ferry.store.MessageStore;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The master's end of a peer recovery: materializes the throttled log stream into a {@link SourceRef} the replica
 * subscribes to from its node. The caller has taken an outgoing slot of {@code node}; it is released exactly once
 * when the stream terminates, whatever ends it, and the recovery is recorded in the node's history.
 */
public final class RecoveryServer {
    private RecoveryServer() {}

    /**
     * @param ended message for {@code notify} when the stream has terminated (the entity clears its recovery state)
     * @param relocation whether it copies the log to a relocation target (shown with the live recoveries)
     * @return the switch to abort the stream, and the reference to offer
     */
    public static <M> Pair<UniqueKillSwitch, SourceRef<RecoveryChunk>> serve(ActorSystem<?> system, NodeRecoveries node, MessageStore store,
                                                                      String persistenceId, int copy, long fromSeq, int maxRecords,
                                                                      Executor blocking, ActorRef<M> notify, Supplier<? extends M> ended,
                                                                      boolean relocation) {
        long started = System.currentTimeMillis();
        AtomicLong bytes = new AtomicLong();
        NodeRecoveries.Active active = node.started(persistenceId, copy, "outgoing", fromSeq, bytes, relocation);
        AtomicLong last = new AtomicLong(fromSeq - 1);
        return RecoveryStreams.read(store, persistenceId, fromSeq, maxRecords, node.settings().chunkSize(), blocking)
                .via(RecoveryStreams.throttle(node.bucket(), system))
                .map(chunk -> {
                    bytes.addAndGet(chunk.bytes());
                    last.set(chunk.lastSeq());
                    return chunk;
                })
                .viaMat(KillSwitches.single(), Keep.right())
                .watchTermination((kill, done) -> {
                    done.whenComplete((ok, failure) -> {
                        node.outgoing().release();
                        node.ended(active);
                        node.record(new NodeRecoveries.Record(persistenceId, copy, "outgoing", fromSeq, last.get(), bytes.get(), started,
                                System.currentTimeMillis(), failure == null ? "completed" : "interrupted: " + failure.getMessage()));
                        notify.tell(ended.get());
                    });
                    return kill;
                })
                .toMat(StreamRefs.sourceRef(), Keep.both())
                .run(Materializer.matFromSystem(system));
    }
}
