package dev.ferry.replica;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who may write a persistence id into one node's store: the JVM-wide table of writer leases, keyed by store directory
 * and persistence id (several test nodes share a JVM, each with its own directory). A node's journal must never have
 * two live writers for one id — the Queue (master) and a Replica of the same queue on the same node — so each takes
 * the lease before its first write and gives it back when it stops; the Queue takes it over from a local Replica only
 * through {@link Replica.HandOver}, which the Replica answers after its last write completed.
 *
 * <p>Thread-safe: every method synchronizes on the table.
 */
public final class LocalWriters {

    /** @param owner the holder (an entity's ActorRef); {@code master} = a Queue entity, else a Replica */
    public record Holder(Object owner, boolean master) {}

    private static final Map<String, Holder> HOLDERS = new HashMap<>();

    private LocalWriters() {}

    private static String key(Path storeDir, String persistenceId) {
        return storeDir.toAbsolutePath().normalize() + "|" + persistenceId;
    }

    /** Takes the lease if it is free (or already ours); otherwise returns who holds it. */
    public static synchronized Optional<Holder> tryAcquire(Path storeDir, String persistenceId, Object owner, boolean master) {
        String k = key(storeDir, persistenceId);
        Holder h = HOLDERS.get(k);
        if (h == null || h.owner().equals(owner)) {
            HOLDERS.put(k, new Holder(owner, master));
            return Optional.empty();
        }
        return Optional.of(h);
    }

    /** Gives the lease back if {@code owner} holds it. */
    public static synchronized void release(Path storeDir, String persistenceId, Object owner) {
        String k = key(storeDir, persistenceId);
        Holder h = HOLDERS.get(k);
        if (h != null && h.owner().equals(owner)) HOLDERS.remove(k);
    }

    /** The current holder, if any (for tests and diagnostics). */
    public static synchronized Optional<Holder> holder(Path storeDir, String persistenceId) {
        return Optional.ofNullable(HOLDERS.get(key(storeDir, persistenceId)));
    }
}
