package dev.ferry.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Recovery on real files: clean restarts do not scan; after a crash the log is scanned from the checkpoint, cut at
 * the first torn or corrupt record or partial group, and nothing after the cut is ever served. "Crash" here is
 * {@link MessageStore#abandonForTesting()} (no final force, checkpoint or marker; the page cache keeps the bytes,
 * as after SIGKILL); {@link CrashTest} kills a real process.
 */
class RecoveryTest {

    @TempDir
    Path dir;
    MessageStore store;

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    private MessageStore open() throws Exception {
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
        return store;
    }

    private long offsetOf(String id, long seq) {
        return store.indexesForTesting().get(id).position(seq);
    }

    private void writeSingles(String id, int count) throws Exception {
        for (long s = 1; s <= count; s++) {
            appendSync(store, record(id, s, ""));
        }
    }

    /**
     * The checkpoint written right after a recovery declares the re-indexed tail durable, so recovery queues every
     * index it re-wrote for that checkpoint's force (after a power loss unforced entries would be gone for good).
     */
    @Test
    void recoveryQueuesReindexedIndexesForTheCheckpointForce() throws Exception {
        open();
        writeSingles("a", 5);
        store.checkpoint();
        writeSingles("b", 20); // two 16-entry index files
        store.abandonForTesting();
        store = null;
        CommitLog log = CommitLog.open(dir.resolve("commitlog"), SEGMENT_SIZE, System.currentTimeMillis());
        try {
            Indexes indexes = Indexes.open(dir.resolve("index"), 16);
            new Recovery(log, indexes).scan(Checkpoint.read(dir).orElseThrow());
            assertEquals(List.of(indexes.get("b")), indexes.drainDirty().get(0));
        } finally {
            log.close();
        }
    }

    /** A clean close leaves no abort marker, so the next open resumes at the checkpoint without scanning. */
    @Test
    void cleanRestartDoesNotScan() throws Exception {
        open();
        writeSingles("a", 10);
        store.close();
        assertFalse(Files.exists(dir.resolve(MessageStore.ABORT_FILE)));
        RecoveryReport report = open().recoveryReport();
        assertTrue(report.cleanShutdown());
        assertEquals(-1, report.scanFrom());
        assertEquals(0, report.recordsScanned());
        assertEquals(10, readAll(store, "a").size());
    }

    /** After a crash the scan starts at the checkpoint and re-indexes only what came after it, even lost index entries. */
    @Test
    void crashRecoveryRebuildsIndexTailFromCheckpoint() throws Exception {
        open();
        writeSingles("a", 20);
        store.checkpoint();
        long checkpointed = store.commitLogForTesting().writePosition();
        for (long s = 1; s <= 10; s++) {
            appendSync(store, record("b", s, ""));
        }
        store.abandonForTesting();
        Path indexOfB = store.indexesForTesting().get("b").dir();
        Indexes.deleteTree(indexOfB); // as if its pages never reached the disk
        RecoveryReport report = open().recoveryReport();
        assertFalse(report.cleanShutdown());
        assertEquals(checkpointed, report.scanFrom());
        assertEquals(10, report.recordsScanned());
        assertTrue(report.truncation().isEmpty());
        assertEquals(20, readAll(store, "a").size());
        assertEquals(10, readAll(store, "b").size());
        assertEquals(10, store.highestSequence("b"));
    }

    /** Garbage after the last record (a torn write) is cut; every real record stays, and writing continues cleanly. */
    @Test
    void corruptTailIsCut() throws Exception {
        open();
        writeSingles("a", 10);
        long end = store.commitLogForTesting().writePosition();
        store.abandonForTesting();
        overwrite(segmentFile(dir, end, SEGMENT_SIZE), end % SEGMENT_SIZE, new byte[] {(byte) 0x91, 0x02, 0x00, 0x00, 0x55, 0x66, 0x77, (byte) 0x88, 1, 2, 3});
        RecoveryReport report = open().recoveryReport();
        RecoveryReport.Truncation cut = report.truncation().orElseThrow();
        assertEquals(end, cut.offset());
        assertEquals(RecoveryReport.Reason.BAD_LENGTH, cut.reason());
        assertEquals(10, readAll(store, "a").size());
        appendSync(store, record("a", 11, ""));
        store.close();
        assertTrue(open().recoveryReport().cleanShutdown());
        assertEquals(11, readAll(store, "a").size());
    }

    /**
     * A crash can leave the newest segment named but with its header lost (a power loss that kept the rename, not the
     * header page): with no record after the header it never held one, so it gets a new header and the store opens.
     */
    @Test
    void aNewestSegmentThatLostItsHeaderAndHoldsNoRecordIsRestored() throws Exception {
        open();
        for (long s = 1; s <= 70; s++) { // past the first 64 KiB segment
            appendSync(store, big("a", s));
        }
        long newest = store.commitLogForTesting().segments().get(store.commitLogForTesting().segments().size() - 1).baseOffset();
        store.abandonForTesting();
        Path next = segmentFile(dir, newest + SEGMENT_SIZE, SEGMENT_SIZE);
        Files.write(next, new byte[SEGMENT_SIZE]); // the next segment, named, header and all still zeros

        open();
        assertEquals(70, store.highestSequence("a"));
        assertEquals(70, readAll(store, "a").size());
        appendSync(store, big("a", 71));
        assertEquals(71, readAll(store, "a").size());
    }

    /** A damaged segment header with records after it is damage, not a crash's leftovers: the open stops and says so. */
    @Test
    void aDamagedHeaderOnASegmentWithRecordsStopsTheOpen() throws Exception {
        open();
        writeSingles("a", 5);
        long first = offsetOf("a", 1);
        store.abandonForTesting();
        store = null;
        overwrite(segmentFile(dir, first, SEGMENT_SIZE), 1, new byte[] {'#'});

        IOException e = assertThrows(IOException.class, this::open);
        assertTrue(e.getMessage().endsWith("has a damaged header"), e.getMessage());
    }

    /** A CRC mismatch in the middle cuts the log there: the records before stay, nothing after it is served. */
    @Test
    void crcMismatchMidFileCutsEverythingAfter() throws Exception {
        open();
        for (long s = 1; s <= 150; s++) { // about 3 segments of 64 KiB
            appendSync(store, big("a", s));
        }
        writeSingles("b", 5);
        long damaged = offsetOf("a", 40);
        int segmentsBefore = store.commitLogForTesting().segments().size();
        store.abandonForTesting();
        overwrite(segmentFile(dir, damaged, SEGMENT_SIZE), damaged % SEGMENT_SIZE + SegmentDescriptor.RECORD_HEADER_LENGTH + 3, new byte[] {'#'});
        RecoveryReport report = open().recoveryReport();
        RecoveryReport.Truncation cut = report.truncation().orElseThrow();
        assertEquals(damaged, cut.offset());
        assertEquals(RecoveryReport.Reason.CRC_MISMATCH, cut.reason());
        assertTrue(segmentsBefore > 1);
        assertEquals(segmentsBefore - 1 - damaged / SEGMENT_SIZE, cut.segmentsDeleted());
        assertEquals(39, store.highestSequence("a"));
        assertEquals(39, readAll(store, "a").size());
        assertEquals(0, store.highestSequence("b"));
        assertEquals(List.of(), readAll(store, "b"));
        assertTrue(report.indexEntriesRemoved() >= 111 + 5);
    }

    /** A group whose last record never made it to disk is dropped whole. */
    @Test
    void partialAtomicGroupIsDropped() throws Exception {
        open();
        appendSync(store, record("a", 1, ""));
        appendSync(store, record("a", 2, ""), record("b", 1, ""), record("a", 3, ""));
        long last = offsetOf("a", 3);
        int lastLength = store.indexesForTesting().get("a").size(3);
        long groupStart = offsetOf("a", 2);
        store.abandonForTesting();
        overwrite(segmentFile(dir, last, SEGMENT_SIZE), last % SEGMENT_SIZE, new byte[lastLength]); // the copy never reached it
        RecoveryReport.Truncation cut = open().recoveryReport().truncation().orElseThrow();
        assertEquals(RecoveryReport.Reason.PARTIAL_GROUP, cut.reason());
        assertEquals(groupStart, cut.offset());
        assertEquals(2, cut.droppedRecords());
        assertEquals(List.of(1L), seqs(readAll(store, "a")));
        assertEquals(List.of(), readAll(store, "b"));
        assertEquals(1, store.highestSequence("a"));
    }

    /** Files a crash left created but not yet sized (a new segment, a new index file) do not stop the next open. */
    @Test
    void filesTornAtCreationAreTolerated() throws Exception {
        open();
        writeSingles("a", 3);
        Path indexDir = store.indexesForTesting().get("a").dir();
        store.abandonForTesting();
        long nextSegment = 64L * 1024;
        Files.createFile(dir.resolve("commitlog").resolve(SegmentDescriptor.fileName(nextSegment)));
        Files.createFile(indexDir.resolve(SegmentDescriptor.fileName(17)));
        open();
        assertEquals(3, readAll(store, "a").size());
        assertFalse(Files.exists(dir.resolve("commitlog").resolve(SegmentDescriptor.fileName(nextSegment))));
        for (long s = 4; s <= 20; s++) {
            appendSync(store, record("a", s, ""));
        }
        assertEquals(20, readAll(store, "a").size());
    }

    /** A damaged record in a cleanly closed store (not scanned) is reported by the read, never returned as data. */
    @Test
    void damagedRecordFailsTheReadInsteadOfReturningGarbage() throws Exception {
        open();
        writeSingles("a", 5);
        long damaged = offsetOf("a", 3);
        store.close();
        overwrite(segmentFile(dir, damaged, SEGMENT_SIZE), damaged % SEGMENT_SIZE + SegmentDescriptor.RECORD_HEADER_LENGTH + 2, new byte[] {'#'});
        open();
        assertEquals(2, records(store.read("a", 1, 2, 10, TagFilter.ALL)).size());
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> store.read("a", 1, 5, 10, TagFilter.ALL));
        assertTrue(e.getMessage().startsWith("record 3 of persistence id 'a' at commit-log offset " + damaged + " fails its checks"), e.getMessage());
    }

    private String writeSegments(int records) throws Exception {
        open();
        for (long s = 1; s <= records; s++) {
            appendSync(store, big("a", s));
        }
        return SegmentDescriptor.fileName(2L * SEGMENT_SIZE);
    }

    /** A segment missing in the middle after a crash (and no checkpoint): the open refuses, naming it; nothing is deleted. */
    @Test
    void aMissingMiddleSegmentAfterACrashStopsTheOpenAndDeletesNothing() throws Exception {
        String middle = writeSegments(300); // 5 segments of 64 KiB
        store.checkpoint();
        store.abandonForTesting();
        store = null;
        Files.delete(dir.resolve("commitlog").resolve(middle));
        Files.delete(dir.resolve(Checkpoint.FILE));
        long before;
        try (var files = Files.list(dir.resolve("commitlog"))) {
            before = files.count();
        }

        IOException e = assertThrows(IOException.class, this::open);
        assertTrue(e.getMessage().contains("not contiguous") && e.getMessage().contains("segment " + middle + " (commit-log offsets "),
                e.getMessage());
        try (var files = Files.list(dir.resolve("commitlog"))) {
            assertEquals(before, files.count(), "the later segments must survive");
        }
    }

    /** A segment missing in the middle after a clean close: refused too (it used to open and serve a log with a hole). */
    @Test
    void aMissingMiddleSegmentAfterACleanCloseStopsTheOpen() throws Exception {
        String middle = writeSegments(300);
        store.close();
        store = null;
        Files.delete(dir.resolve("commitlog").resolve(middle));

        IOException e = assertThrows(IOException.class, this::open);
        assertTrue(e.getMessage().contains("segment " + middle), e.getMessage());
    }

    /**
     * The newest segment lost after a clean close: the checkpoint vouches for records in it, so the open refuses; an
     * operator who deletes the checkpoint to accept the loss gets the cut reported (BAD_SEGMENT), not silently.
     */
    @Test
    void aMissingNewestSegmentIsRefusedThenReportedAsACutOnceTheLossIsAccepted() throws Exception {
        writeSegments(300);
        List<Segment> segments = store.commitLogForTesting().segments();
        Path newest = segments.get(segments.size() - 1).path();
        long newestBase = segments.get(segments.size() - 1).baseOffset();
        store.close();
        store = null;
        Files.delete(newest);

        IOException e = assertThrows(IOException.class, this::open);
        assertTrue(e.getMessage().contains("segment file(s) " + newest.getFileName() + " missing"), e.getMessage());

        Files.delete(dir.resolve(Checkpoint.FILE));
        RecoveryReport report = open().recoveryReport();
        RecoveryReport.Truncation cut = report.truncation().orElseThrow();
        assertEquals(RecoveryReport.Reason.BAD_SEGMENT, cut.reason());
        assertTrue(report.indexEntriesRemoved() > 0);
        long highest = store.highestSequence("a");
        assertTrue(highest < 300 && highest > 200, "highest " + highest);
        assertEquals(highest, readAll(store, "a").size());
        assertTrue(store.indexesForTesting().get("a").position(highest) < newestBase);
    }

    /**
     * Zeros at a record's start with valid records after them (pages written back out of order before a power loss)
     * are a cut, reported with its reason, what it discarded and where the valid data was, not taken for the log's end.
     */
    @Test
    void zerosAtARecordStartFollowedByValidRecordsAreReportedAsACut() throws Exception {
        open();
        for (int i = 1; i <= 300; i++) {
            appendSync(store, new AppendRecord("p" + i % 3, (i + 2) / 3, 0, new byte[300]));
            if (i == 200) {
                store.checkpoint();
            }
        }
        long zeroed = offsetOf("p1", 84); // record 250
        store.abandonForTesting();
        overwrite(segmentFile(dir, zeroed, SEGMENT_SIZE), zeroed % SEGMENT_SIZE, new byte[4096]);

        RecoveryReport report = open().recoveryReport();
        RecoveryReport.Truncation cut = report.truncation().orElseThrow();
        assertEquals(RecoveryReport.Reason.ZEROS_BEFORE_RECORDS, cut.reason());
        assertEquals(zeroed, cut.offset());
        assertTrue(cut.validRecordAt() > zeroed + 4096 - 400 && cut.validRecordAt() < zeroed + 4096 + 400, "valid at " + cut.validRecordAt());
        assertTrue(cut.discardedBytes() > 10_000, "discarded " + cut.discardedBytes());
        assertEquals(51, report.indexEntriesRemoved());
        assertEquals(83, store.highestSequence("p1"));
    }

    /** The same when the valid records are only in a later segment: the rest of the segment is zeros. */
    @Test
    void zerosToTheEndOfASegmentWithRecordsInTheNextOneAreReportedAsACut() throws Exception {
        open();
        for (long s = 1; s <= 100; s++) { // two segments and a half
            appendSync(store, big("a", s));
        }
        long zeroed = offsetOf("a", 40);
        store.abandonForTesting();
        overwrite(segmentFile(dir, zeroed, SEGMENT_SIZE), zeroed % SEGMENT_SIZE, new byte[(int) (SEGMENT_SIZE - zeroed % SEGMENT_SIZE)]);

        RecoveryReport.Truncation cut = open().recoveryReport().truncation().orElseThrow();
        assertEquals(RecoveryReport.Reason.ZEROS_BEFORE_RECORDS, cut.reason());
        assertEquals(zeroed, cut.offset());
        assertEquals(SEGMENT_SIZE + SegmentDescriptor.SEGMENT_HEADER_LENGTH, cut.validRecordAt());
        assertTrue(cut.segmentsDeleted() >= 1);
        assertEquals(39, store.highestSequence("a"));
    }

    /** A crash right after the roll wrote the marker's magic but not its length leaves zeros, magic, zeros: a normal end. */
    @Test
    void aTornEndMarkerIsTheNormalEndNotACut() throws Exception {
        open();
        writeSingles("a", 5);
        long end = store.commitLogForTesting().writePosition();
        store.abandonForTesting();
        byte[] magic = new byte[4];
        java.nio.ByteBuffer.wrap(magic).order(SegmentDescriptor.ORDER).putInt(0, SegmentDescriptor.END_OF_SEGMENT_MAGIC);
        overwrite(segmentFile(dir, end, SEGMENT_SIZE), end % SEGMENT_SIZE + 4, magic);

        RecoveryReport report = open().recoveryReport();
        assertTrue(report.truncation().isEmpty(), report.toString());
        assertEquals(5, readAll(store, "a").size());
    }
}
