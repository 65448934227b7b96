package dev.ferry.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Damaged or lost index files: a bad entry is reported as damage (never a short read, never a BelowRetention at or
 * below what was asked for).
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
}
