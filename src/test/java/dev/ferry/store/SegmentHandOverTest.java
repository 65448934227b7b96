package dev.ferry.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

import static dev.ferry.store.SegmentDescriptor.FLAG_END_OF_GROUP;
import static dev.ferry.store.SegmentDescriptor.fileName;
import static dev.ferry.store.StoreTesting.SEGMENT_SIZE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The hand-over of the next segment from the allocator to the writer at a roll. The allocator works from a view of
 * the active segment that may be stale by the time it acts; whatever it does then must never touch the file the
 * writer takes over. (Found as acknowledged records read back as zeros after a reopen: the allocator had replaced
 * the prepared file while the writer was between taking it and renaming it.)
 */
class SegmentHandOverTest {

    /** Room for one filler reservation that leaves too little space for another in a 64 KiB segment. */
    private static final int FILLER = 65_000;

    @TempDir
    Path dir;
    CommitLog log;

    @BeforeEach
    void open() throws IOException {
        log = CommitLog.open(dir, SEGMENT_SIZE, System.currentTimeMillis());
        log.startAt(0, 0);
    }

    @AfterEach
    void close() throws IOException {
        log.close();
    }

    /**
     * An allocator that still sees the old active segment and calls prepare while the writer is between taking the
     * prepared segment and renaming it cannot swap the file: the records the writer then puts into the new segment
     * are in the file that carries the segment's name.
     */
    @Test
    void prepareDuringARollCannotReplaceTheFileTheWriterTakesOver() throws Exception {
        long nextBase = SEGMENT_SIZE;
        assertNotNull(log.prepare(nextBase, 0), "the allocator prepares the segment after the active one");
        fillActiveSegment();
        AtomicReference<Thread> staleAllocator = new AtomicReference<>();
        AtomicReference<Throwable> allocatorFailure = new AtomicReference<>();
        log.rollHookForTesting(() -> {
            Thread t = new Thread(() -> {
                try {
                    log.prepare(nextBase, 0); // computed from the active segment it read before the roll
                } catch (IOException | RuntimeException e) {
                    allocatorFailure.set(e);
                }
            });
            staleAllocator.set(t);
            t.start();
            awaitDoneOrBlocked(t); // it runs as far as it can while the writer is mid-roll
        });

        Segment next = log.reserve(1000, 0);
        log.rollHookForTesting(() -> { });
        assertEquals(nextBase, next.baseOffset());
        int position = (int) (log.writePosition() - next.baseOffset());
        byte[] payload = "an acknowledged record".getBytes(StandardCharsets.UTF_8);
        ByteBuffer encoded = ByteBuffer.allocate(1000).order(SegmentDescriptor.ORDER);
        int length = Segment.encodeRecord(encoded, encoded.duplicate(), "a".getBytes(StandardCharsets.UTF_8), 1, 0, 0, payload,
                FLAG_END_OF_GROUP, new CRC32C());
        next.write(position, encoded.flip());
        log.publish(next.baseOffset() + position + length);
        staleAllocator.get().join(TimeUnit.SECONDS.toMillis(10));
        assertNull(allocatorFailure.get());

        ByteBuffer written = next.buffer().slice(position, length);
        ByteBuffer onDisk = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(dir.resolve(fileName(nextBase)), StandardOpenOption.READ)) {
            ch.read(onDisk, position);
        }
        onDisk.flip();
        assertEquals(-1, written.mismatch(onDisk), "the segment file on disk must hold the record the writer wrote");
    }

    /** An allocator whose view predates a finished roll is refused: it creates no file for a segment already in the log. */
    @Test
    void prepareAfterARollRefusesTheSegmentTheWriterAlreadyTook() throws Exception {
        long nextBase = SEGMENT_SIZE;
        assertNotNull(log.prepare(nextBase, 0));
        fillActiveSegment();
        assertEquals(nextBase, log.reserve(1000, 0).baseOffset());

        assertNull(log.prepare(nextBase, 0));
        assertFalse(Files.exists(dir.resolve(fileName(nextBase) + CommitLog.PREPARED_SUFFIX)));
    }

    /** Takes most of the active segment, so the next reservation of 1000 bytes rolls. */
    private void fillActiveSegment() throws IOException {
        log.reserve(FILLER, 0);
        log.publish(log.writePosition() + FILLER);
    }

    private static void awaitDoneOrBlocked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.TERMINATED && t.getState() != Thread.State.BLOCKED) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the allocator thread neither finished nor blocked: " + t.getState());
            }
            Thread.onSpinWait();
        }
    }
}
