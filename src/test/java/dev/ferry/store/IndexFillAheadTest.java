package dev.ferry.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The index writes zeros ahead of its newest entry ({@link QueueIndex#fillAhead}) so its mapped writes never fault on
 * a sparse page. These index files hold 8,192 entries (128 KiB), so the fill runs in several steps per file; the
 * tests check that it never erases an entry, whatever happened to the index before.
 */
class IndexFillAheadTest {

    private static final int ENTRIES_PER_FILE = 8192;

    @TempDir
    Path dir;
    MessageStore store;

    @BeforeEach
    void open() throws Exception {
        store = open(dir);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private static MessageStore open(Path dir) throws IOException {
        StoreConfig config = smallConfig(dir).withSegmentSize(4 << 20).withIndexEntriesPerFile(ENTRIES_PER_FILE);
        return MessageStore.open(config, Clock.systemUTC());
    }

    private void append(String id, long from, long to) throws Exception {
        for (long s = from; s <= to; s += 64) {
            List<AppendRecord> group = new ArrayList<>();
            for (long t = s; t <= Math.min(to, s + 63); t++) {
                group.add(record(id, t, ""));
            }
            store.append(group, FlushMode.ASYNC).get();
        }
    }

    private void assertHolds(String id, long to) throws IOException {
        List<StoredRecord> all = readAll(store, id);
        assertEquals(to, all.size());
        for (StoredRecord r : all) {
            assertArrayEquals(payload(id, r.sequenceNr(), ""), r.payload(), "record " + r.sequenceNr());
        }
    }

    private void assertHoldsBeforeAndAfterARestart(String id, long to) throws Exception {
        assertHolds(id, to);
        store.close();
        store = open(dir);
        assertHolds(id, to);
    }

    /** The first index file of the only id in the store. */
    private Path firstIndexFile() throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("index"))) {
            String first = SegmentDescriptor.fileName(1);
            return files.filter(p -> p.getFileName().toString().equals(first)).findFirst().orElseThrow();
        }
    }

    /** Bytes the file system holds for a file (`stat %b`, 512-byte blocks): a sparse page holds none. */
    private static long allocatedBytes(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
        String out = new String(stat.getInputStream().readAllBytes()).trim();
        assertEquals(0, stat.waitFor(), out);
        return Long.parseLong(out) * 512;
    }

    @Test
    void entriesWrittenAcrossManyFillStepsAllReadBackAfterARestart() throws Exception {
        append("a", 1, 20_000); // three index files, each filled ahead in 32 KiB steps
        assertHoldsBeforeAndAfterARestart("a", 20_000);
    }

    @Test
    void thePagesAheadOfTheNewestEntryAreWrittenBeforeTheMappingTouchesThem() throws Exception {
        append("a", 1, 1);
        long ahead = allocatedBytes(firstIndexFile());
        assertTrue(ahead >= StoreConfig.PAGE_SIZE + QueueIndex.FILL_AHEAD, "allocated " + ahead + " bytes");
    }

    @Test
    void aReopenedIndexContinuesMidPageWithoutLosingThatPagesEntries() throws Exception {
        append("a", 1, 300); // entry 300 sits in the index file's second page
        store.close();
        store = open(dir);
        append("a", 301, 5_000);
        assertHoldsBeforeAndAfterARestart("a", 5_000);
    }

    @Test
    void appendsAfterATruncationOverwriteTheCutEntriesAndKeepTheRest() throws Exception {
        append("a", 1, 6_000);
        store.truncateAfter("a", 2_500);
        append("a", 2_501, 7_000);
        assertHoldsBeforeAndAfterARestart("a", 7_000);
    }

    @Test
    void interleavedIdsKeepTheirOwnEntries() throws Exception {
        for (long s = 1; s <= 9_000; s += 500) {
            append("a", s, s + 499);
            append("b", s, s + 499);
        }
        assertHolds("a", 9_000);
        assertHolds("b", 9_000);
    }
}
