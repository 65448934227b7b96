package dev.ferry.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** Segment roll-over, index lookups across index files, and tag filtering from the index alone. */
class IndexTest extends OneStoreTest {

    /**
     * An index rolling over to a new file queues its directory for the next checkpoint's force: the checkpoint
     * declares the entries durable, and after a power loss an unforced directory may not name the new file.
     */
    @Test
    void indexRollOverQueuesItsDirectoryForTheCheckpoint() throws Exception {
        for (long s = 1; s <= 16; s++) {
            appendSync(store, record("a", s, ""));
        }
        store.checkpoint(); // the index and its first file are durable now
        appendSync(store, record("a", 17, "")); // entry 17 opens the second 16-entry file
        List<List<QueueIndex>> drained = store.indexesForTesting().drainDirty();
        assertEquals(List.of(store.indexesForTesting().get("a")), drained.get(2));
    }

    /** Records fill 64 KiB segments and roll into new files named by start offset; all read back after a restart. */
    @Test
    void segmentsRollOver() throws Exception {
        for (long s = 1; s <= 200; s++) {
            appendSync(store, big("a", s));
        }
        store.close();
        List<String> names;
        try (Stream<Path> files = Files.list(dir.resolve("commitlog"))) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertTrue(names.size() >= 3, names.toString());
        for (int i = 0; i < names.size(); i++) {
            assertEquals(String.format("%020d", (long) i * SEGMENT_SIZE), names.get(i));
            assertEquals(SEGMENT_SIZE, Files.size(dir.resolve("commitlog").resolve(names.get(i))));
        }
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
        List<StoredRecord> records = readAll(store, "a");
        assertEquals(200, records.size());
        for (StoredRecord r : records) {
            assertArrayEquals(big("a", r.sequenceNr()).payload(), r.payload());
        }
    }

    /** Any single entry is found directly, including at index-file boundaries (16 entries per file here). */
    @ParameterizedTest
    @ValueSource(longs = {1, 15, 16, 17, 32, 33, 57, 100})
    void singleEntryLookup(long seq) throws Exception {
        for (long s = 1; s <= 100; s++) {
            appendSync(store, record("a", s, ""), record("b", s, ""));
        }
        List<StoredRecord> one = records(store.read("a", seq, seq, 1, TagFilter.ALL));
        assertEquals(1, one.size());
        assertEquals(seq, one.get(0).sequenceNr());
        assertArrayEquals(payload("a", seq, ""), one.get(0).payload());
        assertEquals(7, store.indexesForTesting().get("a").segmentsForTesting().size());
    }

    /** A tag filter returns only matching records, in order. */
    @Test
    void tagFilterReturnsOnlyMatchingRecords() throws Exception {
        writeColours(30);
        List<StoredRecord> red = records(store.read("a", 1, 30, 100, TagFilter.anyOf("red")));
        assertEquals(List.of(3L, 6L, 9L, 12L, 15L, 18L, 21L, 24L, 27L, 30L), seqs(red));
        List<StoredRecord> redOrBlue = records(store.read("a", 1, 30, 4, TagFilter.anyOf("red", "blue")));
        assertEquals(List.of(1L, 3L, 4L, 6L), seqs(redOrBlue));
        List<StoredRecord> untagged = records(store.read("a", 1, 30, 100, TagFilter.anyOfHashes(0)));
        assertEquals(10, untagged.size());
    }

    /**
     * Non-matching payloads are not read: damage every non-red record on disk; a red-only read still succeeds
     * (every record it does read is CRC-checked), while reading everything reports the damage.
     */
    @Test
    void tagFilterDoesNotReadNonMatchingPayloads() throws Exception {
        writeColours(30);
        QueueIndex index = store.indexesForTesting().get("a");
        for (long s = 1; s <= 30; s++) {
            if (s % 3 != 0) {
                long at = index.position(s);
                overwrite(segmentFile(dir, at, SEGMENT_SIZE), at % SEGMENT_SIZE + SegmentDescriptor.RECORD_HEADER_LENGTH + 1 + 4, new byte[] {'#', '#'});
            }
        }
        assertEquals(10, records(store.read("a", 1, 30, 100, TagFilter.anyOf("red"))).size());
        assertThrows(IOException.class, () -> store.read("a", 1, 30, 100, TagFilter.ALL));
    }

    /** The tag hash reserves 0 for "no tag" and is the same for every caller. */
    @Test
    void tagHashIsStableAndReservesZero() {
        assertEquals(0, TagFilter.hash(null));
        assertEquals(0, TagFilter.hash(""));
        assertNotEquals(0, TagFilter.hash("red"));
        assertEquals(TagFilter.hash("red"), TagFilter.hash(new String("red")));
        assertNotEquals(TagFilter.hash("red"), TagFilter.hash("Red"));
    }

    /** seq % 3: 1 blue, 2 untagged, 0 red. */
    private void writeColours(int count) throws Exception {
        for (long s = 1; s <= count; s++) {
            String tag = s % 3 == 1 ? "blue" : s % 3 == 2 ? "" : "red";
            appendSync(store, record("a", s, tag));
        }
    }
}
