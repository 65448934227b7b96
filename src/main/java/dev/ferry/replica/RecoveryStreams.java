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
import dev.ferry.store.AppendRecord;
import dev.ferry.store.FlushMode;
import dev.ferry.store.MessageStore;
import dev.ferry.store.ReadResult;
import dev.ferry.store.StoredRecord;
import dev.ferry.store.TagFilter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    /** Where the next read starts and the records' average size so far (to size the next read to one chunk). */
    private record Cursor(long seq, long avgBytes) {}

    /**
     * The log of {@code persistenceId} from {@code fromSeq} to the store's end at the time each chunk is read, in
     * chunks of about {@code chunkBytes} (at least one record, at most {@code maxRecords}); retention gaps are
     * skipped. Reads run on {@code blocking}; a read failure fails the stream (never swallowed).
     */
    static Source<RecoveryChunk, NotUsed> read(MessageStore store, String persistenceId, long fromSeq, int maxRecords,
                                               int chunkBytes, Executor blocking) {
        return Source.unfoldAsync(new Cursor(Math.max(1, fromSeq), 1024),
                c -> CompletableFuture.supplyAsync(() -> next(store, persistenceId, c, maxRecords, chunkBytes), blocking));
    }

    private static Optional<Pair<Cursor, RecoveryChunk>> next(MessageStore store, String pid, Cursor c, int maxRecords, int chunkBytes) {
        try {
            long count = Math.max(1, Math.min(maxRecords, chunkBytes / Math.max(1, c.avgBytes()) + 1));
            ReadResult r = store.read(pid, c.seq(), Long.MAX_VALUE, count, TagFilter.ALL);
            if (r instanceof ReadResult.BelowRetention below)
                r = store.read(pid, below.firstRetainedSequence(), Long.MAX_VALUE, count, TagFilter.ALL);
            if (!(r instanceof ReadResult.Records recs) || recs.records().isEmpty()) return Optional.empty();
            List<ShippedRecord> out = new ArrayList<>(recs.records().size());
            long bytes = 0;
            for (StoredRecord sr : recs.records()) {
                if (!out.isEmpty() && bytes + sr.payload().length > chunkBytes) break;
                out.add(new ShippedRecord(sr.sequenceNr(), sr.tagHash(), sr.payload()));
                bytes += sr.payload().length;
            }
            long last = out.get(out.size() - 1).sequenceNr();
            return Optional.of(Pair.create(new Cursor(last + 1, Math.max(1, bytes / out.size())), new RecoveryChunk(out)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + pid + " from seq " + c.seq() + " for a peer recovery failed", e);
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
                // Appends are issued in order (mapAsync calls in element order); a few may be in flight at once.
                .mapAsync(4, chunk -> {
                    List<AppendRecord> group = new ArrayList<>(chunk.records().size());
                    for (ShippedRecord r : chunk.records())
                        if (r.sequenceNr() > last.get()) group.add(new AppendRecord(persistenceId, r.sequenceNr(), r.tagHash(), r.payload()));
                    if (group.isEmpty()) return CompletableFuture.completedFuture(Done.getInstance());
                    last.set(group.get(group.size() - 1).sequenceNr());
                    bytes.addAndGet(chunk.bytes());
                    CompletableFuture<Void> written = store.append(group, mode);
                    appends.updateAndGet(prev -> CompletableFuture.allOf(prev, written));
                    return written.thenApply(v -> Done.getInstance());
                })
                .toMat(Sink.ignore(), Keep.both())
                .run(Materializer.matFromSystem(system));
        return new Copying(run.first(), run.second());
    }

    private static CompletionStage<RecoveryChunk> whenPaid(TokenBucket bucket, long position, RecoveryChunk chunk, ActorSystem<?> system) {
        long waitNanos = bucket.nanosUntil(position);
        if (waitNanos <= 0) return CompletableFuture.completedFuture(chunk);
        Duration wait = Duration.ofNanos(Math.min(waitNanos, RECHECK.toNanos()));
        return Patterns.after(wait, system, () -> whenPaid(bucket, position, chunk, system));
    }
}
