package dev.ferry.queue;

import akka.actor.typed.ActorSystem;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.Tagged;
import dev.ferry.journal.FerryJournalSettings;
import dev.ferry.journal.FerryJournalStores;
import dev.ferry.journal.PersistentReprCodec;
import dev.ferry.store.MessageStore;
import dev.ferry.store.ReadResult;
import dev.ferry.store.StoredRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a queue's older messages straight from the node's commit log (the store the queue's journal plugin writes
 * to), by offset = sequence number - 1, without replaying through Akka Persistence. Tags are checked on the decoded
 * message: the store's index keeps one tag hash per record, a message may carry several tags.
 * Thread-safe (the store is); calls do IO and run on the blocking dispatcher, never on the entity. Replicas read
 * through it too (replica reads).
 */
public final class QueueStore {

    public record Result(List<QueueMessage> messages, long scannedTo) {}

    private final Path dir;
    private final PersistentReprCodec codec;

    public QueueStore(ActorSystem<?> system, String journalPluginId) {
        this.dir = FerryJournalSettings.fromConfig(system.settings().config().getConfig(journalPluginId)).dir();
        this.codec = new PersistentReprCodec(akka.actor.typed.javadsl.Adapter.toClassic(system));
    }

    /** The node's store itself, for shipping raw records to replicas. */
    MessageStore raw() {
        return store();
    }

    /** The store directory: the key of the node's writer leases. */
    Path dir() {
        return dir;
    }

    private MessageStore store() {
        return FerryJournalStores.forDirectory(dir)
                .orElseThrow(() -> new IllegalStateException("the journal store in " + dir + " is not open"));
    }

    /** The lowest offset still stored (retention removes the oldest segments), or {@code nextOffset} if none is. */
    public long minOffset(String persistenceId, long nextOffset) {
        long lowest = store().lowestSequence(persistenceId);
        return lowest == 0 ? nextOffset : lowest - 1;
    }

    /**
     * The messages in [fromOffset, toOffsetExclusive) matching {@code filter}, as many as {@code budget} takes, looking
     * at no more than {@code maxScan} messages; {@code scannedTo} is where a next read continues (after the last
     * message taken when the budget is full).
     */
    public Result read(String persistenceId, long fromOffset, long toOffsetExclusive, ReadBudget budget, long maxScan, TagFilter filter) {
        MessageStore store = store();
        List<QueueMessage> found = new ArrayList<>();
        long seq = fromOffset + 1;
        long lastSeq = toOffsetExclusive;
        long scanned = 0;
        long scannedBytes = 0;
        try {
            reading:
            while (seq <= lastSeq && !budget.full() && scanned < maxScan) {
                // The store copies every record it returns: fetch about as many as the byte budget can still take
                // (judged by the records seen so far; one to begin with), not a whole count's worth of large ones.
                long fits = scanned == 0 ? 1 : budget.bytesLeft() / Math.max(1, scannedBytes / scanned) + 1;
                long chunk = Math.min(Math.min(maxScan - scanned, 1024), Math.min(fits, filter.matchesAll() ? budget.messagesLeft() : fits));
                ReadResult r = store.read(persistenceId, seq, lastSeq, Math.max(1, chunk), dev.ferry.store.TagFilter.ALL);
                if (r instanceof ReadResult.BelowRetention below) {
                    seq = below.firstRetainedSequence();
                    continue;
                }
                List<StoredRecord> records = ((ReadResult.Records) r).records();
                if (records.isEmpty()) {
                    seq = lastSeq + 1;
                    break;
                }
                for (StoredRecord rec : records) {
                    StoredMessage m = decode(rec);
                    if (m != null && filter.matches(m)) {
                        if (!budget.tryTake(m)) break reading; // not taken: the next read starts with it
                        found.add(new QueueMessage(rec.sequenceNr() - 1, m));
                    }
                    scanned++;
                    scannedBytes += rec.payload().length;
                    seq = rec.sequenceNr() + 1;
                    if (budget.full()) break reading;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + persistenceId + " from the store failed", e);
        }
        return new Result(found, seq - 1);
    }

    private StoredMessage decode(StoredRecord record) throws IOException {
        PersistentRepr repr = codec.decode(record);
        Object payload = repr.payload();
        if (payload instanceof Tagged t) payload = t.payload();
        return payload instanceof StoredMessage m ? m : null;
    }
}
