package dev.ferry.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Shared helpers for store tests: small segments, deterministic payloads, byte surgery on real files. */
final class StoreTesting {

    static final int SEGMENT_SIZE = 64 * 1024;

    private StoreTesting() {
    }

    /** 64 KiB segments, 16-entry index files, no scheduled retention or checkpoints (tests trigger them). */
    static StoreConfig smallConfig(Path dir) {
        return StoreConfig.defaults(dir)
                .withSegmentSize(SEGMENT_SIZE)
                .withIndexEntriesPerFile(16)
                .withCheckpointInterval(Duration.ofHours(1))
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

    /** A record of about 1 KiB, for filling segments. */
    static AppendRecord big(String persistenceId, long seq) {
        byte[] p = new byte[1000];
        byte[] head = payload(persistenceId, seq, "big");
        System.arraycopy(head, 0, p, 0, head.length);
        return new AppendRecord(persistenceId, seq, 0, p);
    }

    static List<StoredRecord> records(ReadResult result) {
        if (result instanceof ReadResult.Records r) {
            return r.records();
        }
        throw new AssertionError("expected records, got " + result);
    }

    static List<StoredRecord> readAll(MessageStore store, String persistenceId) throws IOException {
        return records(store.read(persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE, TagFilter.ALL));
    }

    static List<Long> seqs(List<StoredRecord> records) {
        List<Long> out = new ArrayList<>();
        for (StoredRecord r : records) {
            out.add(r.sequenceNr());
        }
        return out;
    }

    static void appendSync(MessageStore store, AppendRecord... group) throws Exception {
        store.append(List.of(group), FlushMode.SYNC).get(10, TimeUnit.SECONDS);
    }

    /** Writes bytes into a file at a position, as a damaged disk or a torn write would leave them. */
    static void overwrite(Path file, long position, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), position);
            ch.force(true);
        }
    }

    /** The commit-log segment file holding an offset, and the position in it. */
    static Path segmentFile(Path dir, long offset, int segmentSize) {
        return dir.resolve("commitlog").resolve(SegmentDescriptor.fileName(offset - offset % segmentSize));
    }
}
