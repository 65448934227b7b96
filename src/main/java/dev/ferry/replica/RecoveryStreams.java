package dev.ferry.replica;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.pattern.Patterns;
import akka.stream.KillSwitches;
import akka.stream.Materializer;
import akka.stream.SourceRef;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import dev.ferry.recovery.TokenBucket;
import dev.ferry.store.FlushMode;
import dev.ferry.store.MessageStore;
import dev.ferry.store.RecordRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The two halves of a peer-recovery stream that are not entity state: reading a log from the master's store in
 * chunks, and the node-wide byte-rate throttle both ends pass every chunk through. The stream itself is assembled by
 * the Queue entity (source, offered to the replica as a SourceRef); the receiving half ({@link #writeInto}) serves the
 * Replica entity and a relocation target's {@link RelocationCopy}.
 */
final class RecoveryStreams {
    private RecoveryStreams() {}

    /**
     * The log of {@code persistenceId} from {@code fromSeq} to the store's end at the time each chunk is read, in
     * chunks of about {@code chunkBytes} (at least one record, at most {@code maxRecords}), each one bulk copy of the
     * records' stored bytes; retention gaps are skipped. Reads run on {@code blocking}; a read failure fails the
     * stream (never swallowed).
     */
    static Source<RecoveryChunk, NotUsed> read(MessageStore store, String persistenceId, long fromSeq, int maxRecords,
                                               int chunkBytes, Executor blocking) {
        return Source.unfoldAsync(Math.max(1, fromSeq),
                seq -> CompletableFuture.supplyAsync(() -> next(store, persistenceId, seq, maxRecords, chunkBytes), blocking));
    }

    /**
     * Bytes a chunk leaves for the envelopes around it (Akka's stream-ref protobuf, Artery's frame), so the message
     * and every array Akka copies it into stay within chunk-size. With the default 512k that keeps them all below
     * G1's humongous-object threshold (half a region: 512 KiB for heaps under 4 GiB); a 512 KiB run made each of
     * the ~6 arrays per chunk humongous — allocated outside the young generation in fresh regions, whose first
     * touch page-faults (`clear_page_erms` was 45% of a slow recovery's samples in a perf profile).
     */
    static final int ENVELOPE_HEADROOM = 1024;

    private static Optional<Pair<Long, RecoveryChunk>> next(MessageStore store, String pid, long seq, int maxRecords, int chunkBytes) {
        try {
            RecordRun run = store.readRun(pid, seq, Math.max(1, chunkBytes - ENVELOPE_HEADROOM), maxRecords);
            return run.isEmpty() ? Optional.empty() : Optional.of(Pair.create(run.lastSeq() + 1, new RecoveryChunk(run)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + pid + " from seq " + seq + " for a peer recovery failed", e);
        }
    }

    /**
     * Each chunk waits for its bytes in the node's {@link TokenBucket} (ES indices.recovery.max_bytes_per_sec). The
     * rate is a dynamic cluster setting: a waiting chunk asks the bucket again at least every {@link #RECHECK}, so a
     * changed rate applies to the chunk already waiting, not only to the next one.
     */
    static Flow<RecoveryChunk, RecoveryChunk, NotUsed> throttle(TokenBucket bucket, ActorSystem<?> system) {
        return Flow.<RecoveryChunk>create().mapAsync(1, chunk -> whenPaid(bucket, bucket.claim(chunk.bytes()), chunk, system));
    }

    static final Duration RECHECK = Duration.ofMillis(100);

    /** A running copy into the local store: abort it with {@code kill}; {@code done} completes when the stream ends. */
    record Copying(UniqueKillSwitch kill, CompletionStage<Done> done) {}

    /**
     * The receiving half: subscribes to {@code source}, passes every chunk through the node's throttle and appends
     * the records past {@code afterSeq} to {@code store} in order (a few appends in flight at once). {@code bytes}
     * counts what was appended; {@code appends} always holds a future of every append issued so far, so the caller
     * can wait for the last ones once the stream has ended, before anything else writes the log.
     */
    static Copying writeInto(SourceRef<RecoveryChunk> source, MessageStore store, String persistenceId, long afterSeq,
                             FlushMode mode, TokenBucket bucket, ActorSystem<?> system,
                             AtomicLong bytes,
                             AtomicReference<CompletableFuture<Void>> appends) {
        AtomicLong last = new AtomicLong(afterSeq);
        Pair<UniqueKillSwitch, CompletionStage<Done>> run = source.getSource()
                .viaMat(KillSwitches.single(), Keep.right())
                .via(throttle(bucket, system))
                // Appends are issued in order (mapAsync calls in element order); a few may be in flight at once. The store
                // checks every record and skips what it holds already (seq <= its highest), so a resent chunk is harmless.
                .mapAsync(4, chunk -> {
                    if (chunk.lastSeq() <= last.get()) return CompletableFuture.completedFuture(Done.getInstance());
                    CompletableFuture<Void> written = store.appendRun(persistenceId, chunk.run(), mode);
                    if (refused(written)) return written.thenApply(v -> Done.getInstance()); // fails the stream only
                    last.set(chunk.lastSeq());
                    bytes.addAndGet(chunk.bytes());
                    appends.updateAndGet(prev -> CompletableFuture.allOf(prev, written));
                    return written.thenApply(v -> Done.getInstance());
                })
                .toMat(Sink.ignore(), Keep.both())
                .run(Materializer.matFromSystem(system));
        return new Copying(run.first(), run.second());
    }

    /**
     * Whether the store refused a chunk before writing anything (a damaged or foreign record: appendRun checks every
     * CRC). That ends the stream as an interrupted recovery, which resumes from the replica's end; it is kept out of
     * {@code appends}, whose failures mean a store that can no longer write (the entity stops on those).
     */
    private static boolean refused(CompletableFuture<Void> written) {
        return written.isCompletedExceptionally() && written.handle((v, e) -> e instanceof IllegalArgumentException).join();
    }

    private static CompletionStage<RecoveryChunk> whenPaid(TokenBucket bucket, long position, RecoveryChunk chunk, ActorSystem<?> system) {
        long waitNanos = bucket.nanosUntil(position);
        if (waitNanos <= 0) return CompletableFuture.completedFuture(chunk);
        Duration wait = Duration.ofNanos(Math.min(waitNanos, RECHECK.toNanos()));
        return Patterns.after(wait, system, () -> whenPaid(bucket, position, chunk, system));
    }
}
