package dev.ferry.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The store's basic contract: append, read back, highest/lowest, deleteTo, truncateAfter, restart. */
class MessageStoreTest {

    @TempDir
    Path dir;
    MessageStore store;

    @BeforeEach
    void open() throws Exception {
        store = MessageStore.open(StoreTesting.smallConfig(dir), Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    /** A SYNC group is readable back byte for byte, in order, with its tag hash. */
    @Test
    void appendedGroupIsReadBack() throws Exception {
        store.append(List.of(StoreTesting.record("a", 1, "x"), StoreTesting.record("a", 2, "y")), FlushMode.SYNC).get(5, TimeUnit.SECONDS);
        List<StoredRecord> records = StoreTesting.records(store.read("a", 1, Long.MAX_VALUE, 100, TagFilter.ALL));
        assertEquals(2, records.size());
        assertEquals("a", records.get(0).persistenceId());
        assertEquals(1, records.get(0).sequenceNr());
        assertArrayEquals(StoreTesting.payload("a", 1, "x"), records.get(0).payload());
        assertEquals(TagFilter.hash("x"), records.get(0).tagHash());
        assertArrayEquals(StoreTesting.payload("a", 2, "y"), records.get(1).payload());
        assertEquals(2, store.highestSequence("a"));
        assertEquals(1, store.lowestSequence("a"));
    }
}
