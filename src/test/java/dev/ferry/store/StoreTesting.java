package dev.ferry.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Shared helpers for store tests: small segments, deterministic payloads. */
final class StoreTesting {

    private StoreTesting() {
    }

    /** 64 KiB segments, 16-entry index files, retention schedule off (tests call runRetention). */
    static StoreConfig smallConfig(Path dir) {
        return StoreConfig.defaults(dir)
                .withSegmentSize(64 * 1024)
                .withIndexEntriesPerFile(16)
                .withRetention(Duration.ofHours(72), "04", 75, Duration.ZERO);
    }

    /** A payload that names its id and sequence nr, so a misplaced record can never look right. */
    static byte[] payload(String persistenceId, long seq, String tag) {
        return ("payload of " + persistenceId + "#" + seq + " tag " + tag + " " + "z".repeat((int) (seq % 50)))
                .getBytes(StandardCharsets.UTF_8);
    }

    static AppendRecord record(String persistenceId, long seq, String tag) {
        return new AppendRecord(persistenceId, seq, TagFilter.hash(tag), payload(persistenceId, seq, tag));
    }

    static List<StoredRecord> records(ReadResult result) {
        if (result instanceof ReadResult.Records r) {
            return r.records();
        }
        throw new AssertionError("expected records, got " + result);
    }
}
