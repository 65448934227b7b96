package dev.ferry.store;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** The store's contract as the journal sees it: append, read, highest/lowest, deleteTo, truncateAfter, restart. */
class MessageStoreTest extends OneStoreTest {

    private void reopen() throws IOException {
        store.close();
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
    }

    /** A SYNC group is readable back byte for byte, in order, with its tag hash and the store's timestamp. */
    @Test
    void appendedGroupIsReadBack() throws Exception {
        long before = System.currentTimeMillis();
        appendSync(store, record("a", 1, "x"), record("a", 2, "y"));
        List<StoredRecord> records = readAll(store, "a");
        assertEquals(List.of(1L, 2L), seqs(records));
        assertEquals("a", records.get(0).persistenceId());
        assertArrayEquals(payload("a", 1, "x"), records.get(0).payload());
        assertArrayEquals(payload("a", 2, "y"), records.get(1).payload());
        assertEquals(TagFilter.hash("x"), records.get(0).tagHash());
        assertTrue(records.get(0).timestampMillis() >= before);
    }

    /** A new id's index file is created by the appending thread; its interrupt must not close that channel and stop the store. */
    @Test
    void anInterruptedCallerCanStartANewIdAndKeepsItsInterrupt() throws Exception {
        Thread.currentThread().interrupt();
        var written = store.append(List.of(record("new", 1, "x")), FlushMode.SYNC);
        assertTrue(Thread.interrupted(), "the caller's interrupt is kept");
        written.get(10, TimeUnit.SECONDS);
        appendSync(store, record("new", 2, "x"));
        assertEquals(List.of(1L, 2L), seqs(readAll(store, "new")));
    }

    /** A read with a byte budget stops before the record that would pass it, but always returns the first one. */
    @Test
    void readStopsAtItsByteBudgetButAlwaysReturnsTheFirstRecord() throws Exception {
        for (long s = 1; s <= 10; s++) {
            appendSync(store, big("a", s));
        }
        List<StoredRecord> all = readAll(store, "a");
        long three = 0;
        for (int i = 0; i < 3; i++) {
            three += all.get(i).payload().length + 100; // a record's header is well under 100 bytes
        }
        assertEquals(List.of(1L, 2L, 3L), seqs(records(store.read("a", 1, 10, 100, three, TagFilter.ALL))));
        assertEquals(List.of(1L), seqs(records(store.read("a", 1, 10, 100, 1, TagFilter.ALL))));
    }

    /** Reads honour from, to and max, and ids interleaved in one log do not see each other. */
    @Test
    void readHonoursFromToAndMax() throws Exception {
        for (long s = 1; s <= 10; s++) {
            appendSync(store, record("a", s, ""), record("b", s, ""));
        }
        assertEquals(List.of(3L, 4L, 5L), seqs(records(store.read("a", 3, 5, 100, TagFilter.ALL))));
        assertEquals(List.of(3L, 4L), seqs(records(store.read("a", 3, 10, 2, TagFilter.ALL))));
        assertEquals(List.of(), seqs(records(store.read("a", 11, 20, 100, TagFilter.ALL))));
        assertEquals(List.of(), seqs(records(store.read("a", 1, 10, 0, TagFilter.ALL))));
        assertEquals(List.of(), seqs(records(store.read("unknown", 1, 10, 10, TagFilter.ALL))));
        for (StoredRecord r : readAll(store, "b")) {
            assertEquals("b", r.persistenceId());
        }
    }

    /** An unknown id has highest and lowest 0. */
    @Test
    void unknownIdHasNoSequences() {
        assertEquals(0, store.highestSequence("nobody"));
        assertEquals(0, store.lowestSequence("nobody"));
    }

    /** deleteTo hides the front, keeps highestSequence, caps at highest, and survives a restart. */
    @Test
    void deleteToKeepsHighestSequence() throws Exception {
        for (long s = 1; s <= 40; s++) {
            appendSync(store, record("a", s, ""));
        }
        store.deleteTo("a", 30);
        assertEquals(40, store.highestSequence("a"));
        assertEquals(31, store.lowestSequence("a"));
        assertEquals(31L, seqs(readAll(store, "a")).get(0));
        store.deleteTo("a", 1000);
        assertEquals(40, store.highestSequence("a"));
        assertEquals(0, store.lowestSequence("a"));
        assertEquals(List.of(), readAll(store, "a"));
        reopen();
        assertEquals(40, store.highestSequence("a"));
        assertEquals(List.of(), readAll(store, "a"));
        appendSync(store, record("a", 41, ""));
        assertEquals(List.of(41L), seqs(readAll(store, "a")));
    }

    /** deleteTo removes index files wholly below the mark (16 entries per file in tests). */
    @Test
    void deleteToReclaimsIndexFiles() throws Exception {
        for (long s = 1; s <= 40; s++) {
            appendSync(store, record("a", s, ""));
        }
        QueueIndex index = store.indexesForTesting().get("a");
        assertEquals(3, index.segmentsForTesting().size());
        store.deleteTo("a", 33);
        assertEquals(List.of(33L), new ArrayList<>(index.segmentsForTesting().keySet()));
        assertEquals(34L, seqs(readAll(store, "a")).get(0));
    }

    /** truncateAfter cuts the tail, lowers highest, lets the numbers be reused, and stays cut after a restart. */
    @Test
    void truncateAfterCutsTheTail() throws Exception {
        for (long s = 1; s <= 40; s++) {
            appendSync(store, record("a", s, "old"));
        }
        store.truncateAfter("a", 12);
        assertEquals(12, store.highestSequence("a"));
        assertEquals(12, readAll(store, "a").size());
        appendSync(store, record("a", 13, "new"));
        reopen();
        List<StoredRecord> records = readAll(store, "a");
        assertEquals(13, records.size());
        assertArrayEquals(payload("a", 13, "new"), records.get(12).payload());
        assertEquals(13, store.highestSequence("a"));
    }

    /** After truncateAfter the same sequence nrs can be written again, across index files that were dropped. */
    @Test
    void truncatedNumbersAreRewrittenAcrossIndexFiles() throws Exception {
        for (long s = 1; s <= 40; s++) {
            appendSync(store, record("a", s, "old"));
        }
        readAll(store, "a"); // a reader has cached index files about to be dropped
        store.truncateAfter("a", 12);
        for (long s = 13; s <= 40; s++) {
            appendSync(store, record("a", s, "new"));
        }
        reopen();
        List<StoredRecord> records = readAll(store, "a");
        assertEquals(40, records.size());
        for (StoredRecord r : records) {
            assertArrayEquals(payload("a", r.sequenceNr(), r.sequenceNr() <= 12 ? "old" : "new"), r.payload());
        }
    }

    /** A truncated tail does not come back when a crash makes recovery scan the log from its start. */
    @Test
    void truncatedTailStaysCutAfterCrash() throws Exception {
        for (long s = 1; s <= 20; s++) {
            appendSync(store, record("a", s, "old"));
        }
        store.truncateAfter("a", 5);
        appendSync(store, record("a", 6, "new"));
        store.abandonForTesting();
        java.nio.file.Files.delete(dir.resolve(Checkpoint.FILE)); // force a scan of the whole log
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
        assertFalse(store.recoveryReport().cleanShutdown());
        List<StoredRecord> records = readAll(store, "a");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seqs(records));
        assertArrayEquals(payload("a", 6, "new"), records.get(5).payload());
    }

    /** Sequence nrs must increase per id; a bad group fails alone, writes nothing, and the store keeps going. */
    @Test
    void nonIncreasingSequenceIsRejectedWithoutWriting() throws Exception {
        appendSync(store, record("a", 1, ""));
        CompletableFuture<Void> bad = store.append(List.of(record("b", 1, ""), record("a", 1, "")), FlushMode.SYNC);
        ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertEquals("sequence nr 1 of persistence id 'a' is not above its highest 1; sequence nrs must increase (use truncateAfter to rewrite a tail)",
                e.getCause().getMessage());
        assertEquals(0, store.highestSequence("b"));
        appendSync(store, record("a", 2, ""));
        assertEquals(List.of(1L, 2L), seqs(readAll(store, "a")));
    }

    /** Gaps (a rejected write upstream) read as absent and survive a restart. */
    @Test
    void sequenceGapsReadAsAbsent() throws Exception {
        appendSync(store, record("a", 1, ""), record("a", 2, ""));
        appendSync(store, record("a", 5, ""));
        appendSync(store, record("a", 40, ""));
        assertEquals(List.of(1L, 2L, 5L, 40L), seqs(readAll(store, "a")));
        reopen();
        assertEquals(List.of(1L, 2L, 5L, 40L), seqs(readAll(store, "a")));
        assertEquals(40, store.highestSequence("a"));
    }

    /** A record larger than max-message-size is refused with a message saying which and why. */
    @Test
    void oversizedRecordIsRejected() {
        AppendRecord huge = new AppendRecord("a", 1, 0, new byte[5 * 1024 * 1024]);
        ExecutionException e = assertThrows(ExecutionException.class, () -> store.append(List.of(huge), FlushMode.ASYNC).get());
        assertEquals("record 1 of persistence id 'a' has 5242881 bytes of id and payload, above max-message-size 4194304", e.getCause().getMessage());
    }

    /** A group that cannot fit in one segment is refused (groups never span segments). */
    @Test
    void groupLargerThanASegmentIsRejected() {
        List<AppendRecord> group = new ArrayList<>();
        for (int s = 1; s <= 70; s++) {
            group.add(big("a", s));
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> store.append(group, FlushMode.SYNC).get());
        assertTrue(e.getCause().getMessage().startsWith("an atomic group of 70 records needs"), e.getCause().getMessage());
    }

    /** SYNC and ASYNC writers share one store concurrently; everything is there, also after a restart. */
    @Test
    void syncAndAsyncWritersShareOneStore() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                String id = "writer-" + w;
                FlushMode mode = w % 2 == 0 ? FlushMode.SYNC : FlushMode.ASYNC;
                writers.add(pool.submit(() -> {
                    List<CompletableFuture<Void>> acks = new ArrayList<>();
                    for (long s = 1; s <= 300; s += 2) {
                        acks.add(store.append(List.of(record(id, s, "t"), record(id, s + 1, "t")), mode));
                    }
                    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        reopen();
        for (int w = 0; w < 8; w++) {
            List<StoredRecord> records = readAll(store, "writer-" + w);
            assertEquals(300, records.size());
            for (StoredRecord r : records) {
                assertArrayEquals(payload("writer-" + w, r.sequenceNr(), "t"), r.payload());
            }
        }
    }

    /** Under many concurrent SYNC writers every append completes (none is lost between two group commits). */
    @Test
    void everySyncAppendCompletesUnderContention() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 16; w++) {
                String id = "contender-" + w;
                writers.add(pool.submit(() -> {
                    for (long s = 1; s <= 150; s++) {
                        store.append(List.of(record(id, s, "")), FlushMode.SYNC).get(30, TimeUnit.SECONDS);
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int w = 0; w < 16; w++) {
            assertEquals(150, store.highestSequence("contender-" + w));
        }
        assertTrue(store.forceCount() < 16 * 150, "group commit: fewer forces than SYNC appends, got " + store.forceCount());
    }

    /** Closing the store while SYNC writers wait answers every write: forced, or refused; none is left hanging. */
    @Test
    void closingUnderSyncWritersAnswersEveryWrite() throws Exception {
        List<CompletableFuture<Void>> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(16 * 20);
        try {
            for (int w = 0; w < 16; w++) {
                String id = "closing-" + w;
                pool.submit(() -> {
                    for (long s = 1; s <= 100_000; s++) {
                        CompletableFuture<Void> write = store.append(List.of(record(id, s, "")), FlushMode.SYNC);
                        writes.add(write);
                        try {
                            write.get(30, TimeUnit.SECONDS);
                        } catch (ExecutionException refused) {
                            return null;
                        }
                        written.countDown();
                    }
                    return null;
                });
            }
            assertTrue(written.await(30, TimeUnit.SECONDS), "the writers got going");
            store.close();
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "every writer was answered");
        }
        for (CompletableFuture<Void> write : writes) {
            assertTrue(write.isDone(), "a write was left hanging");
        }
    }

    /** A second open of the same directory in one JVM is refused with advice, not silently shared. */
    @Test
    void secondOpenInSameJvmIsRefused() {
        IOException e = assertThrows(IOException.class, () -> MessageStore.open(smallConfig(dir), Clock.systemUTC()));
        assertEquals("the store in " + dir + " is already open in this JVM; share that MessageStore instance instead of opening it twice", e.getMessage());
    }

    /** After close every call fails with StoreStoppedException. */
    @Test
    void closedStoreRefusesWork() throws Exception {
        store.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> store.append(List.of(record("a", 1, "")), FlushMode.ASYNC).get());
        assertInstanceOf(StoreStoppedException.class, e.getCause());
        assertThrows(StoreStoppedException.class, () -> store.read("a", 1, 1, 1, TagFilter.ALL));
    }

    private long indexDirectories() throws IOException {
        try (var dirs = java.nio.file.Files.list(dir.resolve("index"))) {
            return dirs.count();
        }
    }

    private void assertRefused(List<AppendRecord> group) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> store.append(group, FlushMode.SYNC).get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    /** A refused append (size, sequence nr, a bad record of the group) creates no index directory for a new id. */
    @Test
    void refusedAppendsLeaveNoIndexDirectoryBehind() throws Exception {
        appendSync(store, record("old", 1, ""));
        long before = indexDirectories();
        assertRefused(List.of(new AppendRecord("too-big", 1, 0, new byte[StoreConfig.defaults(dir).maxMessageSize()])));
        assertRefused(List.of(record("fresh", 1, ""), record("old", 1, ""))); // the group fails on its second record
        assertRefused(List.of(record("twice", 2, ""), record("twice", 2, "")));
        ExecutionException run = assertThrows(ExecutionException.class,
                () -> store.appendRun("run", RecordRun.of(store.readRun("old", 1, 1 << 20, 10).bytes()), FlushMode.SYNC).get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, run.getCause()); // records of another id
        assertEquals(before, indexDirectories());
        for (String id : List.of("too-big", "fresh", "twice", "run")) {
            assertEquals(0, store.highestSequence(id), id);
        }
        appendSync(store, record("fresh", 1, ""), record("fresh", 2, ""));
        assertEquals(before + 1, indexDirectories());
        assertEquals(List.of(1L, 2L), seqs(readAll(store, "fresh")));
    }
}
