package dev.ferry.journal;

import com.typesafe.config.Config;
import dev.ferry.store.MessageStore;
import dev.ferry.store.StoreConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The JVM-wide registry of open stores, one per directory, so that {@code ferry.journal}, {@code ferry.journal-sync}
 * and readers outside Akka Persistence (the Queue entity serving consumers) share one commit log and its flusher.
 * A store opens with its first lease and closes when the last lease is released.
 *
 * <p>Thread-safe: every method synchronizes on the registry; opening and the final close run under that lock, so
 * a directory is never open twice.
 */
public final class FerryJournalStores {

    private static final Map<Path, Entry> OPEN = new HashMap<>();

    private FerryJournalStores() {
    }

    /** A hold on an open store; {@link #close()} releases it (once), closing the store after the last release. */
    public static final class Lease implements AutoCloseable {
        private final Path dir;
        private final MessageStore store;
        private boolean released;

        private Lease(Path dir, MessageStore store) {
            this.dir = dir;
            this.store = store;
        }

        /** @return the shared store; valid until this lease is closed */
        public MessageStore store() {
            return store;
        }

        /** @return the store's directory (absolute, normalized): the registry key */
        public Path dir() {
            return dir;
        }

        /** Releases the hold; the last release closes the store (an IO failure while closing propagates). */
        @Override
        public void close() {
            synchronized (FerryJournalStores.class) {
                if (released) {
                    return;
                }
                released = true;
                Entry entry = OPEN.get(dir);
                if (entry == null || entry.store != store) {
                    return;
                }
                if (--entry.leases == 0) {
                    OPEN.remove(dir);
                    try {
                        store.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException("closing the store in " + dir + " failed", e);
                    }
                }
            }
        }
    }

    private static final class Entry {
        final MessageStore store;
        int leases;

        Entry(MessageStore store) {
            this.store = store;
        }
    }

    /**
     * Opens the store of a journal plugin's config block (e.g. {@code config.getConfig("ferry.journal")}), or joins
     * it if it is already open.
     */
    public static Lease acquire(Config pluginConfig) {
        return acquire(FerryJournalSettings.fromConfig(pluginConfig).store());
    }

    /**
     * Opens the store in {@code config.dir()} (running recovery), or joins the one already open there, in which case
     * the settings of whoever opened it first apply.
     *
     * @throws UncheckedIOException if opening fails
     */
    public static Lease acquire(StoreConfig config) {
        Path dir = config.dir().toAbsolutePath().normalize();
        synchronized (FerryJournalStores.class) {
            Entry entry = OPEN.get(dir);
            if (entry == null) {
                try {
                    entry = new Entry(MessageStore.open(config, Clock.systemUTC()));
                } catch (IOException e) {
                    throw new UncheckedIOException("opening the store in " + dir + " failed", e);
                }
                OPEN.put(dir, entry);
            }
            entry.leases++;
            return new Lease(dir, entry.store);
        }
    }

    /**
     * The store already open in {@code dir}, if any, without taking a lease: for readers that live no longer than
     * the journal plugin that opened it (e.g. a Queue entity that recovered through {@code ferry.journal}).
     */
    public static Optional<MessageStore> forDirectory(Path dir) {
        synchronized (FerryJournalStores.class) {
            Entry entry = OPEN.get(dir.toAbsolutePath().normalize());
            return entry == null ? Optional.empty() : Optional.of(entry.store);
        }
    }
}
