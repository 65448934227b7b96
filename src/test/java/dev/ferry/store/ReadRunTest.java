package dev.ferry.store;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** {@link MessageStore#readRun}: a log's records in their stored encoding, for copying to another store. */
class ReadRunTest extends OneStoreTest {

    @Test
    void aRunHoldsTheRecordsFromTheGivenSequenceNrWithTheirPayloadBytes() throws Exception {
        appendSync(store, record("a", 1, "x"), record("a", 2, "y"), record("a", 3, "z"));
        RecordRun run = store.readRun("a", 2, 1 << 20, 100);
        assertEquals(2, run.count());
        assertEquals(2, run.firstSeq());
        assertEquals(3, run.lastSeq());
        assertEquals(payload("a", 2, "y").length + payload("a", 3, "z").length, run.payloadBytes());
    }

    @Test
    void aRunsBytesAreTheStoredRecordsByteForByte() throws Exception {
        appendSync(store, record("a", 1, "x"), record("a", 2, "y"));
        RecordRun run = store.readRun("a", 1, 1 << 20, 100);
        long offset = store.indexesForTesting().get("a").position(1);
        Segment segment = store.commitLogForTesting().segmentAt(offset);
        byte[] stored = new byte[run.bytes().length];
        segment.copyTo((int) (offset - segment.baseOffset()), stored, 0, stored.length);
        assertArrayEquals(stored, run.bytes());
    }

    @Test
    void aRunStopsBeforeMaxBytesButHoldsAtLeastOneRecord() throws Exception {
        appendSync(store, big("a", 1), big("a", 2), big("a", 3));
        assertEquals(2, store.readRun("a", 1, 2100, 100).count());
        assertEquals(1, store.readRun("a", 1, 10, 100).count());
    }

    @Test
    void aRunStopsAtMaxRecords() throws Exception {
        appendSync(store, record("a", 1, "x"), record("a", 2, "x"), record("a", 3, "x"));
        RecordRun run = store.readRun("a", 1, 1 << 20, 2);
        assertEquals(2, run.lastSeq());
    }

    @Test
    void aRunHoldsOnlyItsIdsRecordsWhenIdsInterleaveInTheLog() throws Exception {
        appendSync(store, record("a", 1, "x"), record("b", 1, "x"), record("a", 2, "x"), record("b", 2, "x"), record("a", 3, "x"));
        RecordRun run = store.readRun("a", 1, 1 << 20, 100);
        assertEquals(3, run.count());
        assertEquals(payload("a", 1, "x").length + payload("a", 2, "x").length + payload("a", 3, "x").length, run.payloadBytes());
    }

    @Test
    void aRunSkipsSequenceGapsAndDeletedRecords() throws Exception {
        appendSync(store, record("a", 1, "x"), record("a", 2, "x"), record("a", 5, "x"));
        store.deleteTo("a", 1);
        RecordRun run = store.readRun("a", 1, 1 << 20, 100);
        assertEquals(2, run.count());
        assertEquals(2, run.firstSeq());
        assertEquals(5, run.lastSeq());
    }

    @Test
    void aRunOfAnUnknownIdOrPastTheEndIsEmpty() throws Exception {
        appendSync(store, record("a", 1, "x"));
        assertTrue(store.readRun("nobody", 1, 1 << 20, 100).isEmpty());
        assertTrue(store.readRun("a", 2, 1 << 20, 100).isEmpty());
    }

    @Test
    void aDamagedRecordFailsTheReadNotTheCopy() throws Exception {
        appendSync(store, record("a", 1, "x"), record("a", 2, "x"));
        long offset = store.indexesForTesting().get("a").position(2);
        overwrite(segmentFile(dir, offset, SEGMENT_SIZE), offset % SEGMENT_SIZE + SegmentDescriptor.RECORD_HEADER_LENGTH + 3, new byte[]{'!'});
        IOException e = assertThrows(IOException.class, () -> store.readRun("a", 1, 1 << 20, 100));
        assertTrue(e.getMessage().contains("record 2"), e.getMessage());
    }
}
