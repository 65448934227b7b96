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
     * Up to {@code maxMatches} messages in [fromOffset, toOffsetExclusive) matching {@code filter}, looking at no
     * more than {@code maxScan} messages; {@code scannedTo} is where a next read continues.
     */
    public Result read(String persistenceId, long fromOffset, long toOffsetExclusive, int maxMatches, long maxScan, TagFilter filter) {
        MessageStore store = store();
        List<QueueMessage> found = new ArrayList<>();
        long seq = fromOffset + 1;
        long lastSeq = toOffsetExclusive;
        long scanned = 0;
        try {
            while (seq <= lastSeq && found.size() < maxMatches && scanned < maxScan) {
                long chunk = Math.min(maxScan - scanned, filter.matchesAll() ? maxMatches - found.size() : 1024);
                ReadResult r = store.read(persistenceId, seq, lastSeq, chunk, dev.ferry.store.TagFilter.ALL);
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
                    scanned++;
                    seq = rec.sequenceNr() + 1;
                    StoredMessage m = decode(rec);
                    if (m != null && filter.matches(m)) {
                        found.add(new QueueMessage(rec.sequenceNr() - 1, m));
                        if (found.size() >= maxMatches) break;
                    }
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
