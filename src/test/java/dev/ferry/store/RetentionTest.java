package dev.ferry.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Retention deletes whole segments from the front: by age at the delete-when hour (time from an injected clock),
 * and oldest-first while the disk is above the ratio (usage from an injected reading of the real files).
 * Reads below what is kept say so.
 */
class RetentionTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;
    MessageStore store;
    final MutableClock clock = new MutableClock(T0);
    long seq;

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    private void open(String deleteWhen, DiskUsage usage) throws IOException {
        StoreConfig config = smallConfig(dir).withRetention(Duration.ofHours(72), deleteWhen, 75, Duration.ZERO).withDiskUsage(usage);
        store = MessageStore.open(config, clock);
    }

    /** Appends 1 KiB records to "a" until a new segment starts (the roll happens at the clock's current time). */
    private void fillSegment() throws Exception {
        int before = store.commitLogForTesting().segments().size();
        while (store.commitLogForTesting().segments().size() == before) {
            appendSync(store, big("a", ++seq));
        }
    }

    /** Disk of 10 segments' size; used = the commit-log files really on disk. */
    private DiskUsage tenSegmentDisk() {
        return () -> {
            long used;
            try (Stream<Path> files = Files.list(dir.resolve("commitlog"))) {
                used = files.filter(p -> p.getFileName().toString().matches("\\d{20}")).mapToLong(p -> p.toFile().length()).sum();
            }
            return new DiskUsage.Space(10L * SEGMENT_SIZE, used);
        };
    }

    private DiskUsage emptyDisk() {
        return () -> new DiskUsage.Space(1L << 40, 0);
    }

    /** Segments written at T0, T0+10h, T0+20h; the newest is active. Returns the ages' reference points. */
    private void writeThreeOldSegments() throws Exception {
        fillSegment();                     // segment 0 written at T0, segment 1 created at T0
        clock.set(T0.plus(Duration.ofHours(10)));
        fillSegment();                     // segment 2 created at T0+10h: segment 1's last write
        clock.set(T0.plus(Duration.ofHours(20)));
        fillSegment();                     // segment 3 (active) created at T0+20h
    }

    /** A segment older than file-reserved-time goes at the delete-when hour; younger ones stay. */
    @Test
    void expiredSegmentsAreDeletedAtDeleteWhenHour() throws Exception {
        open("11", emptyDisk());
        writeThreeOldSegments();
        clock.set(T0.plus(Duration.ofHours(83))); // 11:00 on day 4: segments 0 and 1 (last write T0, T0+10h) expired
        RetentionReport report = store.runRetention();
        assertEquals(List.of(new RetentionReport.DeletedSegment(0, RetentionReport.Reason.EXPIRED),
                new RetentionReport.DeletedSegment(SEGMENT_SIZE, RetentionReport.Reason.EXPIRED)), report.deleted());
        assertEquals(2L * SEGMENT_SIZE + SegmentDescriptor.SEGMENT_HEADER_LENGTH, report.firstOffset());
        assertFalse(Files.exists(dir.resolve("commitlog").resolve(SegmentDescriptor.fileName(0))));
    }

    /** Outside the delete-when hours nothing expires away (the disk has room). */
    @Test
    void expiredSegmentsWaitForDeleteWhenHour() throws Exception {
        open("04", emptyDisk());
        writeThreeOldSegments();
        clock.set(T0.plus(Duration.ofHours(83)));
        assertEquals(List.of(), store.runRetention().deleted());
        clock.set(T0.plus(Duration.ofHours(100))); // 04:00 on day 5
        assertEquals(3, store.runRetention().deleted().size());
    }

    /** A read below what retention kept answers BelowRetention with the first retained sequence nr; from there it reads. */
    @Test
    void readBelowRetentionReturnsFirstRetainedOffset() throws Exception {
        open("11", emptyDisk());
        writeThreeOldSegments();
        long highest = store.highestSequence("a");
        clock.set(T0.plus(Duration.ofHours(83)));
        store.runRetention();
        long firstRetained = store.lowestSequence("a");
        assertTrue(firstRetained > 1);
        assertEquals(new ReadResult.BelowRetention(firstRetained), store.read("a", 1, Long.MAX_VALUE, 10, TagFilter.ALL));
        List<StoredRecord> kept = records(store.read("a", firstRetained, Long.MAX_VALUE, Long.MAX_VALUE, TagFilter.ALL));
        assertEquals(firstRetained, kept.get(0).sequenceNr());
        assertEquals(highest, kept.get(kept.size() - 1).sequenceNr());
        assertEquals(highest, store.highestSequence("a"));
        assertTrue(store.commitLogForTesting().firstOffset() <= store.indexesForTesting().get("a").position(firstRetained));
    }

    /** A run asked for below what retention kept starts at the first retained record: the gap is the log's. */
    @Test
    void aRunFromBelowRetentionStartsAtTheFirstRetainedRecord() throws Exception {
        open("11", emptyDisk());
        writeThreeOldSegments();
        clock.set(T0.plus(Duration.ofHours(83)));
        store.runRetention();
        long firstRetained = store.lowestSequence("a");
        assertTrue(firstRetained > 1);
        assertEquals(firstRetained, store.readRun("a", 1, 1 << 20, 10).firstSeq());
    }

    /** Retention reclaims index files whose entries all point below the new start, also across a restart. */
    @Test
    void retentionReclaimsIndexFiles() throws Exception {
        open("11", emptyDisk());
        writeThreeOldSegments();
        clock.set(T0.plus(Duration.ofHours(83)));
        RetentionReport report = store.runRetention();
        assertTrue(report.indexFilesDeleted() > 0);
        long firstRetained = store.lowestSequence("a");
        store.close();
        store = MessageStore.open(smallConfig(dir).withDiskUsage(emptyDisk()), clock);
        assertEquals(firstRetained, store.lowestSequence("a"));
        assertInstanceOf(ReadResult.BelowRetention.class, store.read("a", 1, 5, 5, TagFilter.ALL));
    }

    /** Above disk-max-used-space-ratio the oldest segments go whatever their age, until usage is below it. */
    @Test
    void diskAboveRatioDeletesOldestSegmentsWhateverTheirAge() throws Exception {
        open("04", tenSegmentDisk());
        for (int i = 0; i < 8; i++) {
            fillSegment(); // 9 files = 90 % of the disk
        }
        assertEquals(9, store.commitLogForTesting().segments().size());
        RetentionReport report = store.runRetention();
        assertEquals(List.of(new RetentionReport.DeletedSegment(0, RetentionReport.Reason.DISK_FULL),
                new RetentionReport.DeletedSegment(SEGMENT_SIZE, RetentionReport.Reason.DISK_FULL)), report.deleted());
        assertEquals(7, store.commitLogForTesting().segments().size());
        assertEquals(List.of(), store.runRetention().deleted());
        assertInstanceOf(ReadResult.BelowRetention.class, store.read("a", 1, 5, 5, TagFilter.ALL));
    }

    /** Retention never deletes the active segment, however full the disk. */
    @Test
    void activeSegmentIsNeverDeleted() throws Exception {
        open("04", () -> new DiskUsage.Space(1L << 40, (1L << 40) - 1));
        fillSegment();
        fillSegment();
        assertEquals(2, store.runRetention().deleted().size());
        assertEquals(1, store.commitLogForTesting().segments().size());
        appendSync(store, big("a", ++seq));
        assertEquals(seq, records(store.read("a", seq, seq, 1, TagFilter.ALL)).get(0).sequenceNr());
    }

    /** Retention also runs by itself every retention-check-interval. */
    @Test
    void retentionRunsOnItsSchedule() throws Exception {
        StoreConfig config = smallConfig(dir).withRetention(Duration.ofHours(72), "04", 75, Duration.ofMillis(50)).withDiskUsage(tenSegmentDisk());
        store = MessageStore.open(config, clock);
        for (int i = 0; i < 8; i++) {
            fillSegment();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (store.commitLogForTesting().segments().size() > 7 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(7, store.commitLogForTesting().segments().size());
    }

    /** delete-when is validated with a message that says what is allowed. */
    @Test
    void badDeleteWhenIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoreConfig.deleteHours("04;25"));
        assertEquals("delete-when must list hours 0-23 separated by ';' (e.g. \"04\"), got \"25\" in \"04;25\"", e.getMessage());
        assertEquals(java.util.Set.of(4, 16), StoreConfig.deleteHours("04;16"));
    }
}
