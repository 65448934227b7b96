package dev.ferry.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** {@link RecordRun#of}: the layout check of records that arrive as bytes. */
class RecordRunTest {

    @TempDir
    Path dir;

    private RecordRun stored(AppendRecord... records) throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir), Clock.systemUTC())) {
            appendSync(store, records);
            return store.readRun(records[0].persistenceId(), 1, 1 << 20, 100);
        }
    }

    @Test
    void wrappedBytesGiveTheSameSummaryAsTheRead() throws Exception {
        RecordRun read = stored(record("a", 1, "x"), record("a", 7, "y"));
        RecordRun wrapped = RecordRun.of(read.bytes());
        assertEquals(2, wrapped.count());
        assertEquals(1, wrapped.firstSeq());
        assertEquals(7, wrapped.lastSeq());
        assertEquals(read.payloadBytes(), wrapped.payloadBytes());
        assertSame(read.bytes(), wrapped.bytes());
    }

    @Test
    void noBytesAreAnEmptyRun() {
        assertTrue(RecordRun.of(new byte[0]).isEmpty());
    }

    @Test
    void bytesEndingInsideARecordAreRefused() throws Exception {
        byte[] bytes = stored(record("a", 1, "x"), record("a", 2, "y")).bytes();
        assertThrows(IllegalArgumentException.class, () -> RecordRun.of(Arrays.copyOf(bytes, bytes.length - 3)));
        assertThrows(IllegalArgumentException.class, () -> RecordRun.of(Arrays.copyOf(bytes, 20)));
    }

    @Test
    void sequenceNrsThatDoNotRiseAreRefused() throws Exception {
        byte[] one = stored(record("a", 1, "x")).bytes();
        byte[] twice = Arrays.copyOf(one, one.length * 2);
        System.arraycopy(one, 0, twice, one.length, one.length);
        assertThrows(IllegalArgumentException.class, () -> RecordRun.of(twice));
    }

    @Test
    void aRecordWithAnImpossibleLengthIsRefused() throws Exception {
        byte[] bytes = stored(record("a", 1, "x")).bytes().clone();
        bytes[SegmentDescriptor.LENGTH_OFFSET] += 1;
        assertThrows(IllegalArgumentException.class, () -> RecordRun.of(bytes));
    }
}
