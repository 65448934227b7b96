package dev.ferry.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.ferry.store.SegmentDescriptor.SEGMENT_HEADER_LENGTH;

/**
 * Keeps the pages ahead of the writer ready (RocketMQ's AllocateMappedFileService with warm-up): it zero-fills
 * the active segment up to {@link #MAX_LEAD} bytes ahead of the write position, creating and zero-filling the
 * next segment before the writer needs it. A first write into a new page of the file costs several times the copy
 * (page allocation, zeroing and block reservation in the kernel); a write into a page already in the page cache is a
 * copy, so this moves that cost off the writer's thread. The lead is small (8 MiB): a force writes every dirty page
 * of the file, zero pages ahead of the writer included, so a long lead would send most pages to the disk twice (zeros,
 * then data); a short one is overwritten in memory before the next timed force in the common case.
 *
 * <p>Threading: its own thread. It never writes where the writer is or may be: before each chunk it announces
 * the chunk and re-checks the writer's announced range ({@link CommitLog#beginWarming}); the writer checks the
 * announced chunk before writing ({@code CommitLog.awaitAllocator}); with both fields volatile at least one of
 * them sees the other, so their ranges never overlap. Its view of the active segment may be stale by the time it
 * acts: {@link CommitLog#prepare} re-checks it under the roll's monitor and refuses a segment the writer has
 * already taken, so the allocator never creates, deletes or replaces a file the writer is taking over.
 */
final class SegmentAllocator implements Runnable {

    static final int MAX_CHUNK = 256 << 10;
    static final long MAX_LEAD = 8L << 20;

    private final CommitLog log;
    private final Clock clock;
    private final Flusher.FailureHandler onFailure;
    private final int chunk;
    private final long lead;
    private final Thread thread;
    private final ByteBuffer zeros;
    private volatile boolean stopping;
    private long filledUpTo;

    SegmentAllocator(CommitLog log, Clock clock, Flusher.FailureHandler onFailure, String name) {
        this.log = log;
        this.clock = clock;
        this.onFailure = onFailure;
        this.chunk = Math.max(4096, Math.min(MAX_CHUNK, log.segmentSize() / 8) & ~4095);
        this.lead = Math.min(MAX_LEAD, log.segmentSize());
        this.zeros = ByteBuffer.allocateDirect(chunk);
        this.thread = new Thread(this, "ferry-store-allocate-" + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() throws InterruptedException {
        stopping = true;
        LockSupport.unpark(thread);
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                if (!fillOneChunk()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!stopping) {
                onFailure.failed(e);
            }
        }
    }

    /** @return whether it filled a chunk (false: nothing to do now) */
    private boolean fillOneChunk() throws IOException {
        Segment active = log.active();
        long front = log.writePosition();
        long size = log.segmentSize();
        // start one chunk past the writer, chunk-aligned, never inside a segment header
        long start = Math.max(filledUpTo, (front / chunk + 2) * chunk);
        if (start >= front + lead) {
            return false;
        }
        long base = start - start % size;
        Segment target;
        if (base == active.baseOffset()) {
            target = active;
        } else if (base == active.baseOffset() + size) {
            target = log.prepare(base, clock.millis());
            if (target == null) {
                return false; // the writer rolled since we read active; look again
            }
        } else {
            return false;
        }
        int position = (int) Math.max(start - base, SEGMENT_HEADER_LENGTH);
        int length = (int) Math.min(chunk - (position % chunk == 0 ? 0 : position % chunk), size - position);
        if (length <= 0) {
            filledUpTo = base + size;
            return true;
        }
        if (!log.beginWarming(base + position)) {
            filledUpTo = front; // the writer got there first; restart behind it
            return false;
        }
        try {
            target.zeroFill(position, length, zeros);
        } finally {
            log.endWarming();
        }
        filledUpTo = base + position + length;
        return true;
    }
}
