package dev.ferry.queue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Queue entities (masters) running on this node that take Appends directly, by entity id. The HTTP send path
 * hands a local master its Appends without the shard region and shard hops (two mailbox hand-offs of about seven per
 * send; BENCHMARKS.md "Session 7: local masters").
 *
 * <p>A master registers when it starts and leaves as soon as it is told to stop (hand-off, passivation after a
 * newer term) or stops, so later sends go through sharding again, which buffers them while the queue moves. A master
 * that is stopping still stores and answers every Append already in its mailbox before it stops.
 * Thread-safe: entities register on their actor's thread, senders look up on any thread.
 */
public final class LocalMasters implements Extension {

    public static final ExtensionId<LocalMasters> ID = new ExtensionId<>() {
        @Override public LocalMasters createExtension(ActorSystem<?> system) {
            return new LocalMasters();
        }
    };

    private final Map<String, ActorRef<QueueEntity.Command>> masters = new ConcurrentHashMap<>();

    public static LocalMasters get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** @return the local master of {@code entityId} taking Appends now, or null (send through sharding) */
    public ActorRef<QueueEntity.Command> master(String entityId) {
        return masters.get(entityId);
    }

    void register(String entityId, ActorRef<QueueEntity.Command> master) {
        masters.put(entityId, master);
    }

    /** Removes {@code master}, never a newer incarnation registered under the same id. */
    void leave(String entityId, ActorRef<QueueEntity.Command> master) {
        masters.remove(entityId, master);
    }
}
