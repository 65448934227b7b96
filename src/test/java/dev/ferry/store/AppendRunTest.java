package dev.ferry.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** {@link MessageStore#appendRun}: another store's records, copied in as they are stored (a peer recovery's chunk). */
class AppendRunTest {

    @TempDir
    Path sourceDir;
    @TempDir
    Path dir;
    MessageStore source;
    MessageStore store;

    @BeforeEach
    void open() throws Exception {
        source = MessageStore.open(smallConfig(sourceDir), Clock.systemUTC());
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        source.close();
        store.close();
    }

    private RecordRun sourceRun(String id, long fromSeq, int maxRecords) throws Exception {
        return source.readRun(id, fromSeq, 1 << 20, maxRecords);
    }

    private void appendRun(String id, RecordRun run) throws Exception {
        store.appendRun(id, run, FlushMode.SYNC).get(10, TimeUnit.SECONDS);
    }

    @Test
    void copiedRecordsReadBackAsTheSourceStoredThem() throws Exception {
        appendSync(source, record("a", 1, "x"), record("a", 2, "y"));
        appendSync(source, record("a", 3, "z"));
        appendRun("a", sourceRun("a", 1, 100));
        List<StoredRecord> copied = readAll(store, "a");
        List<StoredRecord> original = readAll(source, "a");
        for (int i = 0; i < 3; i++) {
            assertEquals(original.get(i).sequenceNr(), copied.get(i).sequenceNr());
            assertEquals(original.get(i).tagHash(), copied.get(i).tagHash());
            assertEquals(original.get(i).timestampMillis(), copied.get(i).timestampMillis());
            assertArrayEquals(original.get(i).payload(), copied.get(i).payload());
        }
        assertEquals(3, store.highestSequence("a"));
    }

    @Test
    void sequenceGapsOfTheSourceStayGaps() throws Exception {
        appendSync(source, record("a", 1, "x"), record("a", 4, "x"));
        appendRun("a", sourceRun("a", 1, 100));
        assertEquals(List.of(1L, 4L), seqs(readAll(store, "a")));
        assertEquals(4, store.highestSequence("a"));
    }

    @Test
    void recordsTheStoreHoldsAlreadyAreSkipped() throws Exception {
        appendSync(source, record("a", 1, "x"), record("a", 2, "x"), record("a", 3, "x"));
        appendRun("a", sourceRun("a", 1, 2));
        appendRun("a", sourceRun("a", 1, 100));
        assertEquals(List.of(1L, 2L, 3L), seqs(readAll(store, "a")));
    }

    @Test
    void aRunWithACorruptRecordIsRefusedAndNothingIsWritten() throws Exception {
        appendSync(source, record("a", 1, "x"), record("a", 2, "x"));
        byte[] bytes = sourceRun("a", 1, 100).bytes().clone();
        bytes[bytes.length - 1] ^= 1; // the last payload byte: the layout still parses, the CRC does not match
        long end = store.writeOffset();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> store.appendRun("a", RecordRun.of(bytes), FlushMode.SYNC).get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("CRC32C"), e.getCause().getMessage());
        assertEquals(end, store.writeOffset());
        assertEquals(0, store.highestSequence("a"));
    }

    @Test
    void recordsOfAnotherPersistenceIdAreRefused() throws Exception {
        appendSync(source, record("b", 1, "x"));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> store.appendRun("a", sourceRun("b", 1, 100), FlushMode.SYNC).get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertEquals(0, store.highestSequence("a"));
    }

    @Test
    void aRunLargerThanASegmentIsRefused() throws Exception {
        for (int s = 1; s <= 80; s++) appendSync(source, big("a", s));
        RecordRun run = source.readRun("a", 1, 1 << 20, 1000);
        assertTrue(run.bytes().length > SEGMENT_SIZE);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> store.appendRun("a", RecordRun.of(run.bytes()), FlushMode.SYNC).get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    @Test
    void aRunCutInsideTheSourcesGroupSurvivesACrashWhole() throws Exception {
        appendSync(source, record("a", 1, "x"), record("a", 2, "x"), record("a", 3, "x")); // one group: only 3 ends it
        appendRun("a", sourceRun("a", 1, 2));
        store.abandonForTesting();
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
        assertFalse(store.recoveryReport().cleanShutdown());
        assertEquals(List.of(1L, 2L), seqs(readAll(store, "a")));
    }

    @Test
    void anInterruptedCallerNeitherStopsTheStoreNorLosesItsInterrupt() throws Exception {
        appendSync(source, record("a", 1, "x"));
        appendSync(source, record("a", 2, "x"));
        RecordRun first = sourceRun("a", 1, 1);
        Thread.currentThread().interrupt();
        var written = store.appendRun("a", first, FlushMode.SYNC);
        assertTrue(Thread.interrupted(), "the caller's interrupt is kept");
        written.get(10, TimeUnit.SECONDS);
        appendRun("a", sourceRun("a", 2, 100)); // the segment's channel is still open: writes and forces go on
        assertEquals(List.of(1L, 2L), seqs(readAll(store, "a")));
    }

    @Test
    void aSyncRunCompletesOnlyAfterAForce() throws Exception {
        appendSync(source, record("a", 1, "x"));
        long forces = store.forceCount();
        appendRun("a", sourceRun("a", 1, 100));
        assertTrue(store.forceCount() > forces);
    }
}
