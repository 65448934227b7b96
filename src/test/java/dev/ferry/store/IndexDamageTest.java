package dev.ferry.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Damaged or lost index files: an index that lost files or its directory is rebuilt from the commit log at open (clean
 * or after a crash), so highest sequence nrs never go down and sequence nrs are never reused; a bad entry is reported
 * as damage (never a short read, never a BelowRetention at or below what was asked for).
 */
class IndexDamageTest {

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

    private void write(String id, int count) throws Exception {
        for (long s = 1; s <= count; s++) {
            appendSync(store, record(id, s, ""));
        }
    }

    private Path indexFile(String id, long firstSeq) {
        return store.indexesForTesting().get(id).dir().resolve(SegmentDescriptor.fileName(firstSeq));
    }

    /** An entry overwritten with garbage (offset far outside the log, impossible size) fails reads and runs that reach it. */
    @Test
    void aDamagedIndexEntryFailsTheReadInsteadOfAShortReadOrBelowRetention() throws Exception {
        open();
        write("p", 40);
        Path file = indexFile("p", 1);
        store.close();
        overwrite(file, 9 * IndexDescriptor.ENTRY_LENGTH, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9});
        open();

        assertEquals(9, records(store.read("p", 1, 9, 100, TagFilter.ALL)).size());
        IOException whole = assertThrows(IOException.class, () -> store.read("p", 1, Long.MAX_VALUE, 100, TagFilter.ALL));
        assertTrue(whole.getMessage().contains("record 10 of persistence id 'p'"), whole.getMessage());
        IOException from10 = assertThrows(IOException.class, () -> store.read("p", 10, Long.MAX_VALUE, 100, TagFilter.ALL));
        assertTrue(from10.getMessage().contains("record 10 of persistence id 'p'"), from10.getMessage());
        IOException run = assertThrows(IOException.class, () -> store.readRun("p", 1, 1 << 20, 100));
        assertTrue(run.getMessage().contains("record 10 of persistence id 'p'"), run.getMessage());
        assertEquals(30, records(store.read("p", 11, Long.MAX_VALUE, 100, TagFilter.ALL)).size());
    }

    /** An entry whose offset lies inside the log but whose size was damaged is damage too, not the end of the data. */
    @Test
    void anEntryPointingBeforeThePreviousRecordIsDamage() throws Exception {
        open();
        write("p", 40);
        long firstRecord = store.indexesForTesting().get("p").position(1);
        Path file = indexFile("p", 1);
        store.close();
        byte[] offset = new byte[8];
        java.nio.ByteBuffer.wrap(offset).order(SegmentDescriptor.ORDER).putLong(0, firstRecord);
        overwrite(file, 9 * IndexDescriptor.ENTRY_LENGTH, offset); // seq 10 now points at seq 1's record
        open();

        IOException e = assertThrows(IOException.class, () -> store.read("p", 1, Long.MAX_VALUE, 100, TagFilter.ALL));
        assertTrue(e.getMessage().contains("record 10 of persistence id 'p'"), e.getMessage());
        IOException run = assertThrows(IOException.class, () -> store.readRun("p", 1, 1 << 20, 100));
        assertTrue(run.getMessage().contains("record 10 of persistence id 'p'"), run.getMessage());
    }

    private static void assertRefused(MessageStore store, AppendRecord r) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> appendSync(store, r));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    private void assertWhole(String id, long count) throws Exception {
        assertEquals(count, store.highestSequence(id));
        List<StoredRecord> all = readAll(store, id);
        assertEquals(count, all.size());
        for (StoredRecord r : all) {
            assertArrayEquals(payload(id, r.sequenceNr(), ""), r.payload());
        }
    }

    /** The newest index file lost after a clean close: the index is rebuilt, highest stays 40, seq 33 is not taken again. */
    @Test
    void aLostNewestIndexFileIsRebuiltSoTheHighestSequenceNrStaysAndIsNotReused() throws Exception {
        open();
        write("p", 40);
        write("q", 5);
        Path newest = indexFile("p", 33);
        store.close();
        Files.delete(newest);

        RecoveryReport report = open().recoveryReport();
        assertTrue(report.cleanShutdown());
        assertEquals(List.of("p"), report.indexesRebuilt());
        assertWhole("p", 40);
        assertWhole("q", 5);
        assertRefused(store, record("p", 33, "again"));
        appendSync(store, record("p", 41, ""));
        assertWhole("p", 41);
        store.close();
        assertEquals(List.of(), open().recoveryReport().indexesRebuilt());
        assertEquals(-1, store.recoveryReport().scanFrom());
    }

    /** The oldest index file lost: its records are still in the log, so they are read, not answered BelowRetention. */
    @Test
    void aLostOldestIndexFileIsRebuiltFromTheLog() throws Exception {
        open();
        write("p", 40);
        Path oldest = indexFile("p", 1);
        store.close();
        Files.delete(oldest);

        assertEquals(List.of("p"), open().recoveryReport().indexesRebuilt());
        assertWhole("p", 40);
        assertEquals(1, store.lowestSequence("p"));
    }

    /** The whole index directory removed after a clean close (what RocketMQ operators do to rebuild consume queues). */
    @Test
    void aRemovedIndexDirectoryIsRebuiltAfterACleanClose() throws Exception {
        open();
        write("a", 20);
        write("b", 3);
        store.close();
        deleteRecursively(dir.resolve("index"));

        assertEquals(List.of("a", "b"), open().recoveryReport().indexesRebuilt());
        assertWhole("a", 20);
        assertWhole("b", 3);
        assertRefused(store, record("a", 1, "again"));
    }

    /** The index directory removed and the process killed: the ids the scan from the checkpoint does not reach come back too. */
    @Test
    void aRemovedIndexDirectoryIsRebuiltAfterACrash() throws Exception {
        open();
        for (int i = 1; i <= 300; i++) {
            appendSync(store, record("p" + i % 3, (i + 2) / 3, ""));
            if (i == 200) {
                store.checkpoint();
            }
        }
        store.abandonForTesting();
        deleteRecursively(dir.resolve("index"));

        RecoveryReport report = open().recoveryReport();
        assertFalse(report.cleanShutdown());
        assertEquals(List.of("p0", "p1", "p2"), report.indexesRebuilt());
        for (int k = 0; k < 3; k++) {
            assertWhole("p" + k, 100);
            assertEquals(1, store.lowestSequence("p" + k));
        }
    }

    /** An id whose records retention removed keeps its highest sequence nr through a rebuild (from the index summary). */
    @Test
    void aRebuiltIndexKeepsTheHighestSequenceNrOfRecordsNoLongerInTheLog() throws Exception {
        open();
        write("old", 20);
        store.deleteTo("old", 20);
        store.close();
        deleteRecursively(dir.resolve("index"));

        assertEquals(List.of("old"), open().recoveryReport().indexesRebuilt());
        assertEquals(20, store.highestSequence("old"));
        assertRefused(store, record("old", 20, "again"));
        appendSync(store, record("old", 21, ""));
        store.close();
        open();
        assertEquals(21, store.highestSequence("old"));
        assertEquals(21, records(store.read("old", 21, 21, 10, TagFilter.ALL)).get(0).sequenceNr());
    }

    /** A store without an index summary (written by an older build, or lost) vouches for nothing: every index is rebuilt once. */
    @Test
    void withoutAnIndexSummaryEveryIndexIsRebuiltOnce() throws Exception {
        open();
        write("a", 20);
        store.close();
        Files.delete(dir.resolve(IndexSummary.FILE));
        Files.delete(indexFile("a", 17));

        assertEquals(List.of("a"), open().recoveryReport().indexesRebuilt());
        assertWhole("a", 20);
        store.close();
        assertEquals(List.of(), open().recoveryReport().indexesRebuilt());
    }

    static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
