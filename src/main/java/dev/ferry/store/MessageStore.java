package dev.ferry.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

import static dev.ferry.store.SegmentDescriptor.*;

/**
 * A node's message store: one commit log shared by every persistence id, a mapped index per id, group-committed
 * flushing, checkpointed crash recovery and retention. Layout on disk:
 * <pre>
 * dir/commitlog/00000000000000000000   segments ({@link SegmentDescriptor})
 * dir/index/&lt;safe name&gt;/...          one index per persistence id ({@link IndexDescriptor})
 * dir/checkpoint                       offset below which log and indexes are durable ({@link Checkpoint})
 * dir/index-summary                    what the indexes looked like at a checkpoint ({@link IndexSummary})
 * dir/abort                            exists while the store is open; left behind by a crash
 * dir/lock                             file lock: one open store per directory
 * </pre>
 *
 * <p>Threading: every public method is thread-safe. Appends from any number of threads are serialised by one
 * writer lock, under which the caller's own thread copies its group into the mapped segment and updates the
 * indexes (no hand-off per record); a flush thread forces (group commit for SYNC, timed for ASYNC) and a
 * housekeeping thread writes checkpoints and runs retention; an allocator thread zero-fills the pages ahead of
 * the writer ({@link SegmentAllocator}). Reads take no lock: they see every record whose
 * append has returned (published through the index's volatile highest sequence nr). SYNC and ASYNC appends mix
 * freely on one store; a SYNC force also covers the ASYNC records before it.
 *
 * <p>After an IO or force failure the store stops: waiting and later appends fail, reads and deletes throw
 * {@link StoreStoppedException}. Reopen it (recovery runs) to continue.
 */
public final class MessageStore implements Closeable {

    private static final System.Logger LOG = System.getLogger(MessageStore.class.getName());
    static final String ABORT_FILE = "abort";
    static final String LOCK_FILE = "lock";

    private final StoreConfig config;
    private final Clock clock;
    private final CommitLog log;
    private final Indexes indexes;
    private final RecoveryReport recoveryReport;
    private final FileChannel lockChannel;
    private final FileLock fileLock;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock flushLock = new ReentrantLock();
    private final Object checkpointMonitor = new Object();
    private final Object retentionMonitor = new Object();
    private final Flusher flusher;
    private final SegmentAllocator allocator;
    private final Retention retention;
    private final ScheduledExecutorService housekeeper;
    private final int maxMessageSize;
    private final long maxGroupLength;

    /** A SYNC group is encoded into the staging buffer and written to the segment with one pwrite per this many bytes. */
    private static final int STAGING_CHUNK = 1 << 20;

    /** Writer-only state (writer lock). */
    private final CRC32C writerCrc = new CRC32C();
    private ByteBuffer staging = ByteBuffer.allocateDirect(64 << 10).order(SegmentDescriptor.ORDER);
    private ByteBuffer stagingCrcView = staging.duplicate();
    private QueueIndex[] scratch = new QueueIndex[64];
    private long groupCounter;

    private volatile StoreStoppedException failure;
    private volatile boolean closed;

    private MessageStore(StoreConfig config, Clock clock, CommitLog log, Indexes indexes, RecoveryReport report,
                         FileChannel lockChannel, FileLock fileLock) {
        this.config = config;
        this.clock = clock;
        this.log = log;
        this.indexes = indexes;
        this.recoveryReport = report;
        this.lockChannel = lockChannel;
        this.fileLock = fileLock;
        this.maxMessageSize = config.maxMessageSize();
        this.maxGroupLength = maxRecordLength(log.segmentSize());
        this.flusher = new Flusher(log, config, this::forceCommitLog, this::fail);
        this.allocator = new SegmentAllocator(log, clock, this::fail, String.valueOf(config.dir().getFileName()));
        this.retention = new Retention(config, clock);
        this.housekeeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-store-housekeeping-" + config.dir().getFileName());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens (creating if needed) the store in {@code config.dir()} and recovers it: a clean previous shutdown
     * resumes at the checkpoint without scanning; otherwise the log is scanned from the checkpoint and cut at the
     * first torn or corrupt record or partial group ({@link #recoveryReport()} says what was cut). Either way an
     * index that does not match the {@link IndexSummary} (lost files or directory) is first rebuilt from the whole
     * commit log.
     *
     * @param clock the store's clock: record timestamps, segment ages, the delete-when hour (its zone)
     * @throws IOException when the directory is unusable, locked by another process, or already open in this JVM
     */
    public static MessageStore open(StoreConfig config, Clock clock) throws IOException {
        Objects.requireNonNull(clock, "clock");
        Path dir = config.dir();
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock fileLock;
        try {
            fileLock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lockChannel.close();
            throw new IOException("the store in " + dir + " is already open in this JVM; share that MessageStore instance instead of opening it twice");
        }
        if (fileLock == null) {
            lockChannel.close();
            throw new IOException("the store in " + dir + " is locked by another process (file " + dir.resolve(LOCK_FILE) + ")");
        }
        CommitLog log = null;
        try {
            long started = System.nanoTime();
            Path abort = dir.resolve(ABORT_FILE);
            boolean clean = !Files.exists(abort);
            OptionalLong checkpoint = Checkpoint.read(dir);
            Optional<IndexSummary> summary = IndexSummary.read(dir);
            log = CommitLog.open(dir.resolve("commitlog"), config.segmentSize(), clock.millis());
            Indexes indexes = Indexes.open(dir.resolve("index"), config.indexEntriesPerFile());
            List<Segment> segments = log.segments();
            RecoveryReport report;
            boolean scanned = false;
            if (segments.isEmpty()) {
                log.startAt(0, clock.millis());
                report = new RecoveryReport(clean, -1, log.writePosition(), 0, 0, Optional.empty(), 0, List.of(), elapsed(started));
            } else {
                Segment newest = segments.get(segments.size() - 1);
                if (checkpoint.isPresent() && checkpoint.getAsLong() >= newest.baseOffset() + log.segmentSize()) {
                    // the checkpoint vouches for records in a segment that is gone: never cut them away silently
                    throw new IOException("the checkpoint of the store in " + dir + " says the commit log is durable up to offset "
                            + checkpoint.getAsLong() + ", but the newest segment file " + newest.path().getFileName() + " ends at offset "
                            + (newest.baseOffset() + log.segmentSize()) + ": segment file(s) " + fileName(newest.baseOffset() + log.segmentSize())
                            + (checkpoint.getAsLong() - newest.baseOffset() >= 2L * log.segmentSize()
                                    ? " to " + fileName(checkpoint.getAsLong() - checkpoint.getAsLong() % log.segmentSize()) : "")
                            + " missing; the store will not open. Restore the missing segment file(s), or delete " + dir.resolve(Checkpoint.FILE)
                            + " to give up the records in them (recovery then cuts the log where it ends and reports it)");
                }
                boolean cleanPath = clean && checkpoint.isPresent() && log.segmentAt(checkpoint.getAsLong()) == segments.get(segments.size() - 1)
                        && checkpoint.getAsLong() >= segments.get(segments.size() - 1).baseOffset() + SEGMENT_HEADER_LENGTH;
                long from = cleanPath ? checkpoint.getAsLong() : Math.max(checkpoint.orElse(0), log.firstOffset());
                Recovery recovery = new Recovery(log, indexes);
                // An index that lost files (or its directory) since the summary was taken is rebuilt from the commit log
                // below the checkpoint; without a summary nothing is vouched for and every index is rebuilt (unless the
                // crash scan starts at the log's start anyway: it re-writes every entry, as before the first checkpoint).
                Set<String> suspects = summary.isEmpty() ? null : summary.get().suspects(indexes,
                        cleanPath && summary.get().atClose() && summary.get().offset() == checkpoint.getAsLong());
                List<String> rebuilt = List.of();
                if (suspects == null ? from > log.firstOffset() : !suspects.isEmpty()) {
                    recovery.rebuild(suspects, from, summary);
                    rebuilt = suspects == null ? indexes.all().stream().map(QueueIndex::persistenceId).sorted().toList() : List.copyOf(suspects);
                    scanned = true;
                    if (!rebuilt.isEmpty()) {
                        LOG.log(System.Logger.Level.WARNING, "store {0}: rebuilt the index of {1} persistence ids from the commit log ({2}): {3}",
                                dir, rebuilt.size(), suspects == null ? "no usable " + IndexSummary.FILE + " file"
                                        : "index files or directories missing since the last checkpoint", abbreviate(rebuilt));
                    }
                }
                if (cleanPath) {
                    log.startAt(from, clock.millis());
                    report = new RecoveryReport(true, rebuilt.isEmpty() ? -1 : log.firstOffset(), log.writePosition(),
                            recovery.recordsScanned(), recovery.bytesScanned(), Optional.empty(), 0, rebuilt, elapsed(started));
                } else {
                    Recovery.Result result = recovery.scan(from);
                    log.startAt(result.end(), clock.millis());
                    report = new RecoveryReport(false, rebuilt.isEmpty() ? from : log.firstOffset(), result.end(), result.recordsScanned(),
                            result.bytesScanned(), result.truncation(), result.indexEntriesRemoved(), rebuilt, elapsed(started));
                    scanned = true;
                    result.truncation().ifPresent(t -> LOG.log(System.Logger.Level.WARNING,
                            "store {0}: recovery cut the commit log at offset {1} ({2}{3}, {4} records of a partial group dropped, {5} later segments deleted, "
                                    + "{6} written bytes discarded, {7} index entries removed)",
                            dir, t.offset(), t.reason(), t.validRecordAt() >= 0 ? ", a valid record after the zeros at offset " + t.validRecordAt() : "",
                            t.droppedRecords(), t.segmentsDeleted(), t.discardedBytes(), result.indexEntriesRemoved()));
                }
            }
            Files.write(abort, new byte[0]);
            CommitLog.forceDirectory(dir);
            MessageStore store = new MessageStore(config, clock, log, indexes, report, lockChannel, fileLock);
            if (scanned) {
                store.checkpoint(); // the re-indexed tail is durable now; a second crash need not scan it again
            }
            store.start();
            return store;
        } catch (IOException | RuntimeException e) {
            if (log != null) {
                log.close();
            }
            fileLock.release();
            lockChannel.close();
            throw e;
        }
    }

    private static String abbreviate(List<String> ids) {
        return ids.size() <= 10 ? ids.toString() : ids.subList(0, 10) + " and " + (ids.size() - 10) + " more";
    }

    private static Duration elapsed(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    private void start() {
        flusher.start();
        allocator.start();
        long cp = Math.max(1, config.checkpointInterval().toMillis());
        housekeeper.scheduleWithFixedDelay(this::scheduledCheckpoint, cp, cp, TimeUnit.MILLISECONDS);
        long rt = config.retentionCheckInterval().toMillis();
        if (rt > 0) {
            housekeeper.scheduleWithFixedDelay(this::scheduledRetention, rt, rt, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * @return how many times the commit log was forced since open (group commit at work: SYNC records per force =
     *         records appended / this). For metrics; thread-safe.
     */
    public long forceCount() {
        return log.forces();
    }

    /** @return the commit-log offset the next record goes to (bytes appended since the log began). Thread-safe. */
    public long writeOffset() {
        return log.writePosition();
    }

    /** @return what recovery found when this store was opened. Thread-safe. */
    public RecoveryReport recoveryReport() {
        return recoveryReport;
    }

    /**
     * Appends one atomic group: after a crash either every record of it survives or none does. Records are
     * stored in list order; each record's sequence nr must be above its persistence id's highest so far (gaps are
     * allowed). Thread-safe; the caller's thread does the copy under the writer lock.
     *
     * @param group the records; an empty group completes at once
     * @param mode  SYNC: the future completes after a force covering the group; ASYNC: once it is appended
     * @return completes when the group is readable and as durable as {@code mode} promises; fails with
     *         {@link IllegalArgumentException} for an invalid group (nothing written, the store keeps running),
     *         with the IO failure if a write or force fails, and with {@link StoreStoppedException} once stopped
     */
    public CompletableFuture<Void> append(List<AppendRecord> group, FlushMode mode) {
        Objects.requireNonNull(mode, "mode");
        int n = group.size();
        if (n == 0) {
            return CompletableFuture.completedFuture(null);
        }
        long end;
        boolean interrupted = Thread.interrupted(); // see keepInterrupt
        writeLock.lock();
        try {
            StoreStoppedException stopped = stoppedOrClosed();
            if (stopped != null) {
                return CompletableFuture.failedFuture(stopped);
            }
            QueueIndex[] idx = n <= scratch.length ? scratch : (scratch = new QueueIndex[n]);
            long total;
            try {
                total = validate(group, idx);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(e);
            } catch (UncheckedIOException e) {
                fail(e.getCause()); // creating an index directory failed: the disk is not usable
                return CompletableFuture.failedFuture(e.getCause());
            }
            try {
                for (int i = 0; i < n; i++) {
                    idx[i].ensureSegment(group.get(i).sequenceNr());
                }
                long now = clock.millis();
                Segment segment = log.reserve((int) total, now);
                long base = segment.baseOffset();
                int start = (int) (log.writePosition() - base);
                if (mode == FlushMode.SYNC) {
                    writeStaged(segment, start, total, group, idx, now);
                } else {
                    writeMapped(segment, start, group, idx, now);
                }
                // Index only now: an index entry must never point at bytes not yet in the file.
                int position = start;
                for (int i = 0; i < n; i++) {
                    AppendRecord r = group.get(i);
                    QueueIndex q = idx[i];
                    int length = recordLength(q.idBytes().length, r.payload().length);
                    q.append(r.sequenceNr(), base + position, length, r.tagHash());
                    indexes.markDirty(q);
                    position += length;
                }
                end = base + position;
                log.publish(end);
            } catch (IOException | RuntimeException e) {
                return writeFailed(e);
            }
        } finally {
            writeLock.unlock();
            keepInterrupt(interrupted);
        }
        return durable(end, mode);
    }

    /**
     * A SYNC group: encoded into the staging buffer and written with {@code pwrite} (per {@link #STAGING_CHUNK}). SYNC
     * forces follow each other closely, and each force write-protects every dirty page the writer has mapped (a TLB
     * shootdown, dear on a VM), after which the next record on that page faults behind the force on the page-table
     * lock: a third of the CPU with 64 SYNC writers. Pages written with {@code pwrite} are never mapped writable.
     */
    private void writeStaged(Segment segment, int start, long total, List<AppendRecord> group, QueueIndex[] idx, long now)
            throws IOException {
        int n = group.size();
        ByteBuffer out = staging((int) Math.min(total, STAGING_CHUNK));
        int stagedAt = start;
        for (int i = 0; i < n; i++) {
            AppendRecord r = group.get(i);
            int length = recordLength(idx[i].idBytes().length, r.payload().length);
            if (out.remaining() < length) {
                segment.write(stagedAt, out.flip());
                stagedAt += out.limit();
                out = staging(length);
            }
            Segment.encodeRecord(out, stagingCrcView, idx[i].idBytes(), r.sequenceNr(), now, r.tagHash(), r.payload(),
                    i == n - 1 ? FLAG_END_OF_GROUP : 0, writerCrc);
        }
        segment.write(stagedAt, out.flip());
    }

    /**
     * An ASYNC group: copied into the writer's window of the segment ({@link WriterWindow}), no system call per group.
     * A {@code pwrite} per group cost more than it saved here (64 single POSTs on one node, BENCHMARKS.md "Session 9");
     * the window, unmapped once the writer has left it, keeps the forces every flush-interval free of TLB shootdowns.
     */
    private void writeMapped(Segment segment, int start, List<AppendRecord> group, QueueIndex[] idx, long now)
            throws IOException {
        int n = group.size();
        int position = start;
        for (int i = 0; i < n; i++) {
            AppendRecord r = group.get(i);
            position += segment.writeRecord(position, idx[i].idBytes(), r.sequenceNr(), now, r.tagHash(), r.payload(),
                    i == n - 1 ? FLAG_END_OF_GROUP : 0, writerCrc);
        }
    }

    /** The writer's staging buffer, cleared, with room for at least {@code bytes}. Writer only. */
    private ByteBuffer staging(int bytes) {
        if (staging.capacity() < bytes) {
            staging = ByteBuffer.allocateDirect(Math.max(bytes, Math.min(2 * staging.capacity(), STAGING_CHUNK)))
                    .order(SegmentDescriptor.ORDER);
            stagingCrcView = staging.duplicate();
        }
        return staging.clear();
    }

    /**
     * Appends records another store encoded ({@link #readRun} there) under the same persistence id, copying their bytes
     * in one go: a peer recovery's chunk. Every record is checked first (layout, persistence id, CRC32C, size): one
     * that fails rejects the whole run and nothing is written. Records at or below the id's highest sequence nr are
     * skipped (already held, so a resent chunk is harmless). The rest is one group that ends with the run: the last
     * record gets the end-of-group flag (and a new CRC) if it lacked it; every other record keeps its bytes, the
     * writer's timestamp and group ends included, so after a crash a prefix of the run ending at one of those
     * survives — which a recovery that resumes from the highest persisted record needs, and no more. Thread-safe.
     *
     * @return as {@link #append}: completes when the records are readable and as durable as {@code mode} promises;
     *         fails with {@link IllegalArgumentException} (nothing written, the store keeps running) for a damaged or
     *         foreign record, a run larger than a segment, or sequence nrs that do not rise above the id's highest
     */
    public CompletableFuture<Void> appendRun(String persistenceId, RecordRun run, FlushMode mode) {
        Objects.requireNonNull(persistenceId, "persistenceId");
        Objects.requireNonNull(mode, "mode");
        if (run.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        byte[] bytes = run.bytes();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ORDER);
        long end;
        boolean interrupted = Thread.interrupted(); // see keepInterrupt
        writeLock.lock();
        try {
            StoreStoppedException stopped = stoppedOrClosed();
            if (stopped != null) {
                return CompletableFuture.failedFuture(stopped);
            }
            QueueIndex q = indexes.get(persistenceId); // created only once the run is accepted
            byte[] idBytes;
            try {
                idBytes = q != null ? q.idBytes() : IndexNames.encode(persistenceId);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(e);
            }
            long highest = q == null ? 0 : q.highest();
            int from = -1;
            int last = 0;
            for (int p = 0; p < bytes.length; p += b.getInt(p + LENGTH_OFFSET)) {
                String problem = RecordCheck.problem(bytes, b, p, idBytes, writerCrc);
                if (problem == null && b.getInt(p + LENGTH_OFFSET) - RECORD_HEADER_LENGTH > maxMessageSize) {
                    problem = "above max-message-size " + maxMessageSize;
                }
                if (problem != null) {
                    return CompletableFuture.failedFuture(new IllegalArgumentException("record run of persistence id '" + persistenceId
                            + "' (" + run + ") refused, nothing written: at byte " + p + ": " + problem));
                }
                if (from < 0 && b.getLong(p + SEQUENCE_OFFSET) > highest) {
                    from = p;
                }
                last = p;
            }
            if (from < 0) {
                return CompletableFuture.completedFuture(null); // every record is held already
            }
            int total = bytes.length - from;
            if (total > maxGroupLength) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("a record run of " + total
                        + " bytes must fit in one segment (at most " + maxGroupLength + " bytes)"));
            }
            if (q == null) {
                try {
                    q = indexes.getOrCreate(persistenceId);
                } catch (IOException e) {
                    fail(e);
                    return CompletableFuture.failedFuture(e);
                }
            }
            try {
                for (int p = from; p < bytes.length; p += b.getInt(p + LENGTH_OFFSET)) {
                    q.ensureSegment(b.getLong(p + SEQUENCE_OFFSET));
                }
                Segment segment = log.reserve(total, clock.millis());
                long start = log.writePosition();
                segment.writeRun((int) (start - segment.baseOffset()), bytes, from, total, last - from, writerCrc);
                for (int p = from; p < bytes.length; p += b.getInt(p + LENGTH_OFFSET)) {
                    q.append(b.getLong(p + SEQUENCE_OFFSET), start + (p - from), b.getInt(p + LENGTH_OFFSET), b.getInt(p + TAG_HASH_OFFSET));
                }
                indexes.markDirty(q);
                end = start + total;
                log.publish(end);
            } catch (IOException | RuntimeException e) {
                return writeFailed(e);
            }
        } finally {
            writeLock.unlock();
            keepInterrupt(interrupted);
        }
        return durable(end, mode);
    }

    /**
     * Appends clear the caller's interrupt status while they write and give it back here: a FileChannel closes itself
     * when a thread doing IO on it is interrupted (a new index file, a run's pwrite on the segment's channel), which
     * would stop the store for an interrupt meant for the caller.
     */
    private static void keepInterrupt(boolean interrupted) {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A write failed half-way: the store stops (the log may hold a torn group that only recovery may judge). */
    private CompletableFuture<Void> writeFailed(Exception e) {
        IOException cause = e instanceof IOException io ? io : new IOException("append failed", e);
        fail(cause);
        return CompletableFuture.failedFuture(cause);
    }

    /** Completes when what was written up to {@code end} is as durable as {@code mode} promises. */
    private CompletableFuture<Void> durable(long end, FlushMode mode) {
        return mode == FlushMode.ASYNC ? CompletableFuture.completedFuture(null) : flusher.awaitFlushed(end);
    }

    /**
     * Checks a group before anything is written; returns its total length. A new id's index is created only after the
     * whole group passed (a refused append leaves no directory). Writer lock.
     */
    private long validate(List<AppendRecord> group, QueueIndex[] idx) {
        long stamp = ++groupCounter;
        long total = 0;
        // ids without an index yet: {highest in this group, id length}; their index is created only once the whole
        // group is accepted, so a refused append leaves no directory behind
        Map<String, long[]> fresh = null;
        for (int i = 0; i < group.size(); i++) {
            AppendRecord r = group.get(i);
            QueueIndex q = indexes.get(r.persistenceId());
            long groupHighest;
            int idLength;
            long[] pending = null;
            if (q != null) {
                if (q.groupStamp != stamp) {
                    q.groupStamp = stamp;
                    q.groupHighest = q.highest();
                }
                groupHighest = q.groupHighest;
                idLength = q.idBytes().length;
            } else {
                if (fresh == null) {
                    fresh = new HashMap<>();
                }
                pending = fresh.get(r.persistenceId());
                if (pending == null) {
                    pending = new long[] {0, IndexNames.encode(r.persistenceId()).length}; // refuses malformed ids
                    fresh.put(r.persistenceId(), pending);
                }
                groupHighest = pending[0];
                idLength = (int) pending[1];
            }
            if (r.sequenceNr() <= groupHighest) {
                throw new IllegalArgumentException("sequence nr " + r.sequenceNr() + " of persistence id '" + r.persistenceId()
                        + "' is not above its highest " + groupHighest + "; sequence nrs must increase (use truncateAfter to rewrite a tail)");
            }
            if (q != null) {
                q.groupHighest = r.sequenceNr();
            } else {
                pending[0] = r.sequenceNr();
            }
            long content = (long) idLength + r.payload().length;
            if (content > maxMessageSize) {
                throw new IllegalArgumentException("record " + r.sequenceNr() + " of persistence id '" + r.persistenceId() + "' has "
                        + content + " bytes of id and payload, above max-message-size " + maxMessageSize);
            }
            total += recordLength(idLength, r.payload().length);
            idx[i] = q;
        }
        if (total > maxGroupLength) {
            throw new IllegalArgumentException("an atomic group of " + group.size() + " records needs " + total
                    + " bytes but must fit in one segment (at most " + maxGroupLength + " bytes); raise segment-size or write smaller groups");
        }
        if (fresh != null) {
            for (int i = 0; i < group.size(); i++) {
                if (idx[i] == null) {
                    try {
                        idx[i] = indexes.getOrCreate(group.get(i).persistenceId());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        return total;
    }

    /**
     * @return the highest sequence nr ever appended for the id (kept across deleteTo and retention), 0 if none.
     *         Thread-safe; answers from memory even after the store stopped.
     */
    public long highestSequence(String persistenceId) {
        QueueIndex index = indexes.get(persistenceId);
        return index == null ? 0 : index.highest();
    }

    /**
     * @return the first sequence nr a read can return (above deleted-to and retention), 0 if none. Thread-safe.
     */
    public long lowestSequence(String persistenceId) {
        QueueIndex index = indexes.get(persistenceId);
        if (index == null) {
            return 0;
        }
        long top = index.highest();
        long s = Math.max(index.deletedTo() + 1, index.firstAtOrAfter(log.firstOffset()));
        while (s <= top && index.size(s) <= 0) {
            s++;
        }
        return s > top ? 0 : s;
    }

    /**
     * Reads records {@code fromSeq..toSeq} (inclusive) of one id in order, at most {@code max}, skipping deleted
     * ones, holes and those the filter rejects (decided from the index entry, without reading their payload).
     * Every record is checked (length, CRC32C, id, sequence nr) before it is returned. Thread-safe, lock-free.
     *
     * @return the records, or {@link ReadResult.BelowRetention} when {@code fromSeq} lies below what retention kept
     *         (its first retained sequence nr is always above the one asked for)
     * @throws IOException when a stored record fails its checks, when an index entry is damaged (it names an
     *         impossible size, an offset before the id's previous record, or an offset at or above the log's start
     *         that no segment holds: never a short read or a BelowRetention for that), or the store stopped
     */
    public ReadResult read(String persistenceId, long fromSeq, long toSeq, long max, TagFilter filter) throws IOException {
        return read(persistenceId, fromSeq, toSeq, max, Long.MAX_VALUE, filter);
    }

    /**
     * As {@link #read(String, long, long, long, TagFilter)}, and stops before a record that would take the records'
     * encoded sizes past {@code maxBytes}; the first record is always returned, whatever its size.
     */
    public ReadResult read(String persistenceId, long fromSeq, long toSeq, long max, long maxBytes, TagFilter filter) throws IOException {
        Objects.requireNonNull(filter, "filter");
        throwIfStopped();
        QueueIndex index = indexes.get(persistenceId);
        if (index == null || max <= 0 || toSeq < fromSeq) {
            return new ReadResult.Records(List.of());
        }
        long hi = Math.min(toSeq, index.highest());
        long lo = Math.max(Math.max(fromSeq, 1), index.deletedTo() + 1);
        if (lo > hi) {
            return new ReadResult.Records(List.of());
        }
        long first = log.firstOffset();
        if (index.size(lo) == 0 || (index.size(lo) > 0 && index.position(lo) < first)) {
            long retained = index.firstAtOrAfter(first);
            if (lo < retained) {
                return new ReadResult.BelowRetention(retained);
            }
        }
        List<StoredRecord> out = new ArrayList<>((int) Math.min(max, Math.min(hi - lo + 1, 1024)));
        byte[] id = index.idBytes();
        long previousEnd = -1; // an id's records lie in the log in sequence-nr order
        long bytes = 0;
        for (long s = lo; s <= hi && out.size() < max; s++) {
            int size = index.size(s);
            if (size <= 0 || !filter.matches(index.tagHash(s))) {
                continue;
            }
            if (!out.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            long position = index.position(s);
            if (size > maxGroupLength || position < previousEnd) {
                throw damagedEntry(persistenceId, s, position, size, size > maxGroupLength ? "no record is that large"
                        : "it points before the previous record of the id");
            }
            Segment segment = position < first ? null : log.segmentAt(position);
            if (segment == null) {
                // Only retention removing the segment while we read explains a missing one: the entry must point below
                // the (new) start of the log, and the first retained record must lie above the one asked for.
                long nowFirst = log.firstOffset();
                long retained = index.firstAtOrAfter(nowFirst);
                if (position >= nowFirst || retained <= s) {
                    throw damagedEntry(persistenceId, s, position, size, "no commit-log segment holds that offset");
                }
                if (out.isEmpty()) {
                    return new ReadResult.BelowRetention(retained);
                }
                break;
            }
            StoredRecord record = segment.read((int) (position - segment.baseOffset()), size, persistenceId, id, s);
            if (record == null) {
                throw new IOException("record " + s + " of persistence id '" + persistenceId + "' at commit-log offset " + position
                        + " fails its checks (length, CRC32C, id or sequence nr); the commit log is damaged");
            }
            out.add(record);
            previousEnd = position + size;
        }
        return new ReadResult.Records(out);
    }

    private static IOException damagedEntry(String persistenceId, long seq, long position, int size, String why) {
        return new IOException("the index entry of record " + seq + " of persistence id '" + persistenceId + "' (commit-log offset "
                + position + ", size " + size + ") is damaged: " + why + "; the index is damaged");
    }

    /**
     * Copies the id's records from {@code fromSeq} on, in the log's own encoding, into one array: as many as fit in
     * {@code maxBytes} (at least one) and at most {@code maxRecords}. Records that lie next to each other in the log
     * (one writer's) are copied in one bulk copy, not one by one. Deleted entries and holes are skipped; when
     * {@code fromSeq} lies below what retention kept, the run starts at the first retained record (its
     * {@link RecordRun#firstSeq()} says so): the caller is copying a log, and the gap is the log's. Every record is
     * checked (length, CRC32C, id, sequence nr) in the copy that is returned. Thread-safe, lock-free.
     *
     * @return the records, empty when there are none from {@code fromSeq} on
     * @throws IOException when a stored record fails its checks, or the store stopped
     */
    public RecordRun readRun(String persistenceId, long fromSeq, int maxBytes, int maxRecords) throws IOException {
        throwIfStopped();
        QueueIndex index = indexes.get(persistenceId);
        if (index == null || maxRecords <= 0) {
            return RecordRun.empty();
        }
        while (true) {
            long first = log.firstOffset();
            long s = Math.max(Math.max(fromSeq, 1), index.deletedTo() + 1);
            if (s <= index.highest() && (index.size(s) == 0 || (index.size(s) > 0 && index.position(s) < first))) {
                s = Math.max(s, index.firstAtOrAfter(first));
            }
            RunPlan plan = RunPlan.of(index, s, maxBytes, maxRecords, maxGroupLength);
            RecordRun run = plan.copy(log, persistenceId, index.idBytes());
            if (run != null) {
                return run;
            }
            // retention removed the first record's segment while we read: start again above it (an entry below the
            // log's start that the first retained record does not lie above is damaged, not retained away)
            long retained = index.firstAtOrAfter(log.firstOffset());
            if (retained <= plan.firstSeq()) {
                throw new IOException("the index entry of record " + plan.firstSeq() + " of persistence id '" + persistenceId
                        + "' is damaged: no commit-log segment holds its offset " + index.position(plan.firstSeq()) + "; the index is damaged");
            }
            fromSeq = retained;
        }
    }

    /**
     * Deletes the id's records up to {@code toSeqInclusive} (capped at its highest) durably: they are never read
     * again, the highest sequence nr stays, and index files wholly below are removed (the commit-log bytes go with
     * retention). Thread-safe.
     *
     * @throws IOException when the mark cannot be made durable (the store stops), or the store stopped
     */
    public void deleteTo(String persistenceId, long toSeqInclusive) throws IOException {
        writeLock.lock();
        try {
            throwIfStopped();
            QueueIndex index = indexes.get(persistenceId);
            if (index != null) {
                index.deleteTo(toSeqInclusive);
            }
        } catch (IOException e) {
            fail(e);
            throw e;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Cuts the id's tail: records above {@code lastKeptSeq} are never read again and the highest sequence nr
     * becomes {@code lastKeptSeq}, so the next append may reuse the numbers. For replication (a former master
     * drops what the new master never had). Call it while no append for this id is in flight. Durable on return
     * (it writes a checkpoint). Thread-safe.
     *
     * @throws IOException when it cannot be made durable (the store stops), or the store stopped
     */
    public void truncateAfter(String persistenceId, long lastKeptSeq) throws IOException {
        writeLock.lock();
        try {
            throwIfStopped();
            QueueIndex index = indexes.get(persistenceId);
            if (index == null || index.truncateAfter(lastKeptSeq, log.writePosition()) == 0 && lastKeptSeq >= index.highest()) {
                return;
            }
            indexes.markStructureChanged(); // the checkpoint below records the lower highest in the index summary
        } catch (IOException e) {
            fail(e);
            throw e;
        } finally {
            writeLock.unlock();
        }
        checkpoint();
    }

    /**
     * Runs one retention round now (it also runs every {@code retention-check-interval}). Thread-safe; rounds
     * are serialised.
     *
     * @throws IOException when deleting fails (the store stops) or the disk usage cannot be read
     */
    public RetentionReport runRetention() throws IOException {
        synchronized (retentionMonitor) {
            throwIfStopped();
            try {
                return retention.run(log, indexes, flushLock, writeLock);
            } catch (IOException e) {
                fail(e);
                throw e;
            }
        }
    }

    /**
     * Forces the commit log and the touched indexes and records the checkpoint, so a crash re-scans only what
     * comes after. Runs every {@code checkpoint-interval} by itself. Thread-safe.
     */
    void checkpoint() throws IOException {
        throwIfStopped();
        writeCheckpoint(false);
    }

    /**
     * @param atClose the final checkpoint of {@link #close}: the {@link IndexSummary} is written (marked "at close") even
     *                when no index file came or went, so a clean open can compare every id's highest sequence nr
     */
    private void writeCheckpoint(boolean atClose) throws IOException {
        synchronized (checkpointMonitor) {
            if (failure != null) {
                throw failure;
            }
            try {
                long offset;
                List<List<QueueIndex>> drained;
                IndexSummary summary = null;
                writeLock.lock();
                try {
                    // under the writer lock, so the summary's highest sequence nrs are those of the log up to offset
                    offset = log.writePosition();
                    drained = indexes.drainDirty();
                    if (indexes.takeStructureChanged() || atClose) {
                        summary = IndexSummary.snapshot(indexes, offset, atClose);
                    }
                } finally {
                    writeLock.unlock();
                }
                forceCommitLog();
                for (QueueIndex index : drained.get(0)) {
                    index.force();
                }
                for (QueueIndex index : drained.get(1)) {
                    index.forceCreation();
                }
                for (QueueIndex index : drained.get(2)) {
                    CommitLog.forceDirectory(index.dir()); // its new segment file's name must survive a power loss
                }
                if (!drained.get(1).isEmpty()) {
                    CommitLog.forceDirectory(indexes.root());
                }
                if (summary != null) {
                    summary.write(config.dir()); // after the indexes it describes are durable
                }
                Checkpoint.write(config.dir(), offset, clock.millis());
            } catch (IOException | UncheckedIOException e) {
                IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
                fail(cause);
                throw cause;
            }
        }
    }

    private long forceCommitLog() throws IOException {
        flushLock.lock();
        try {
            return log.force();
        } finally {
            flushLock.unlock();
        }
    }

    private void scheduledCheckpoint() {
        if (failure == null && !closed) {
            try {
                checkpoint();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }
    }

    private void scheduledRetention() {
        if (failure == null && !closed) {
            try {
                RetentionReport report = runRetention();
                if (!report.deleted().isEmpty()) {
                    LOG.log(System.Logger.Level.INFO, "store {0}: retention deleted {1}", config.dir(), report.deleted());
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }
    }

    /** Stops the store after an IO failure: every waiting and later call fails with the cause. Any thread. */
    private void fail(Throwable cause) {
        StoreStoppedException stopped;
        synchronized (this) {
            if (failure != null) {
                return;
            }
            stopped = new StoreStoppedException("the store in " + config.dir() + " stopped after an IO failure: " + cause, cause);
            failure = stopped;
        }
        LOG.log(System.Logger.Level.ERROR, "store " + config.dir() + " stopped", cause);
        flusher.fail(stopped);
    }

    private StoreStoppedException stoppedOrClosed() {
        StoreStoppedException f = failure;
        if (f != null) {
            return f;
        }
        return closed ? new StoreStoppedException("the store in " + config.dir() + " is closed", null) : null;
    }

    private void throwIfStopped() throws StoreStoppedException {
        StoreStoppedException f = stoppedOrClosed();
        if (f != null) {
            throw f;
        }
    }

    /**
     * Closes the store: serves waiting SYNC appends, forces everything, writes the checkpoint and removes the
     * abort marker, so the next open does not scan. After a failure it closes without the marker (the next open
     * recovers). Later calls fail. Thread-safe; idempotent.
     */
    @Override
    public void close() throws IOException {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            writeLock.unlock();
        }
        IOException closeFailure = null;
        housekeeper.shutdown();
        try {
            housekeeper.awaitTermination(30, TimeUnit.SECONDS);
            allocator.stop();
            if (failure == null) {
                // Force before stopping the flusher: an append that finished just before close registers its SYNC
                // wait after this and finds its offset already flushed.
                forceCommitLog();
            }
            flusher.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            fail(e);
            closeFailure = e;
        }
        try {
            if (failure == null) {
                writeCheckpoint(true);
                Files.deleteIfExists(config.dir().resolve(ABORT_FILE));
                CommitLog.forceDirectory(config.dir());
            }
        } finally {
            log.close();
            fileLock.release();
            lockChannel.close();
        }
        if (closeFailure != null) {
            throw closeFailure; // the store closed without its clean marker; the next open recovers
        }
    }

    /**
     * Test support: ends the store the way a killed process would — threads stop, the lock is released, but no
     * final force, checkpoint or clean-shutdown marker happens. The page cache keeps what was written, exactly as
     * after SIGKILL.
     */
    void abandonForTesting() throws IOException {
        closed = true;
        housekeeper.shutdownNow();
        try {
            allocator.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flusher.fail(new StoreStoppedException("abandoned by a test", null));
        log.close();
        fileLock.release();
        lockChannel.close();
    }

    CommitLog commitLogForTesting() {
        return log;
    }

    Indexes indexesForTesting() {
        return indexes;
    }
}
