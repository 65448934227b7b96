package dev.ferry.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All per-persistence-id indexes under {@code index/}, by persistence id. Directory names come from
 * {@link IndexNames}; the id file inside each directory is the truth. Tracks whether an index or an index file
 * was created or deleted since the last {@link IndexSummary}, so checkpoints rewrite the summary only then.
 *
 * <p>Threading: {@link #get} from any thread; {@link #getOrCreate} and the dirty/created queues under the
 * store's writer lock; {@link #drainDirty} under the writer lock too (the checkpoint takes it briefly).
 */
final class Indexes {

    private final Path root;
    private final int entriesPerFile;
    private final ConcurrentHashMap<String, QueueIndex> byId = new ConcurrentHashMap<>();
    private final List<QueueIndex> dirty = new ArrayList<>();
    private final List<QueueIndex> created = new ArrayList<>();
    /** An index or an index file was created or deleted since the last {@link IndexSummary} was taken. */
    private volatile boolean structureChanged = true;

    private Indexes(Path root, int entriesPerFile) {
        this.root = root;
        this.entriesPerFile = entriesPerFile;
    }

    /** Opens every index directory; a directory without its id file (torn creation) is removed. */
    static Indexes open(Path root, int entriesPerFile) throws IOException {
        Files.createDirectories(root);
        Indexes indexes = new Indexes(root, entriesPerFile);
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
            for (Path dir : stream) {
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                byte[] id = QueueIndex.readId(dir);
                if (id == null || id.length == 0) {
                    deleteTree(dir); // created after the last checkpoint; recovery re-indexes from the commit log
                    continue;
                }
                String persistenceId = new String(id, StandardCharsets.UTF_8);
                QueueIndex index = QueueIndex.open(dir, persistenceId, id, entriesPerFile);
                index.structureListener(indexes::markStructureChanged);
                indexes.byId.put(persistenceId, index);
            }
        }
        return indexes;
    }

    QueueIndex get(String persistenceId) {
        return byId.get(persistenceId);
    }

    Collection<QueueIndex> all() {
        return byId.values();
    }

    /** Writer lock. */
    QueueIndex getOrCreate(String persistenceId) throws IOException {
        QueueIndex index = byId.get(persistenceId);
        if (index != null) {
            return index;
        }
        byte[] id = IndexNames.encode(persistenceId);
        for (int clash = 0; ; clash++) {
            Path dir = root.resolve(IndexNames.directoryName(persistenceId, id, clash));
            if (Files.exists(dir)) {
                byte[] existing = QueueIndex.readId(dir);
                if (existing != null && !Arrays.equals(existing, id)) {
                    continue; // another id owns this name
                }
                deleteTree(dir); // leftover without an owner
            }
            index = QueueIndex.create(dir, persistenceId, id, entriesPerFile);
            index.structureListener(this::markStructureChanged);
            byId.put(persistenceId, index);
            created.add(index);
            structureChanged = true;
            return index;
        }
    }

    /** Any thread: an index file was created or deleted; the next checkpoint rewrites the {@link IndexSummary}. */
    void markStructureChanged() {
        structureChanged = true;
    }

    /** Writer lock: whether the index summary is stale (and from now on it counts as taken). */
    boolean takeStructureChanged() {
        boolean changed = structureChanged;
        structureChanged = false;
        return changed;
    }

    int entriesPerFile() {
        return entriesPerFile;
    }

    /** Writer lock: remember that {@code index} has entries the next checkpoint must force. */
    void markDirty(QueueIndex index) {
        if (!index.dirty) {
            index.dirty = true;
            dirty.add(index);
        }
    }

    /**
     * Writer lock: hands over, in this order, the indexes to force, the new ones whose creation to make durable, and
     * the older ones that gained a segment file (an index roll-over) whose directory to force.
     */
    List<List<QueueIndex>> drainDirty() {
        List<QueueIndex> c = new ArrayList<>(created);
        created.clear();
        Set<QueueIndex> createdNow = Collections.newSetFromMap(new IdentityHashMap<>());
        createdNow.addAll(c); // their creation force covers the directory already
        List<QueueIndex> d = new ArrayList<>(dirty);
        List<QueueIndex> grown = new ArrayList<>();
        for (QueueIndex i : d) {
            i.dirty = false;
            if (i.grew) {
                i.grew = false;
                if (!createdNow.contains(i)) {
                    grown.add(i);
                }
            }
        }
        dirty.clear();
        return List.of(d, c, grown);
    }

    Path root() {
        return root;
    }

    static void deleteTree(Path dir) throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }
}
