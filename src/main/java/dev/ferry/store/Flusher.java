package dev.ferry.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The commit log's flush thread, serving both modes at once.
 *
 * <p>SYNC (group commit, RocketMQ's GroupCommitService): writers register "flushed up to offset X" requests;
 * the thread swaps the request list out, forces once up to the current write position and completes every
 * request it took, so all writes that arrived during one force share the next one.
 *
 * <p>ASYNC (RocketMQ's FlushRealTimeService): every {@code flush-interval} the thread forces if at least
 * {@code flush-least-pages} pages are dirty, and whatever is dirty once {@code flush-thorough-interval} has
 * passed since the last force.
 *
 * <p>A force failure is handed to the store, which stops and fails every waiting and later request.
 * Threading: {@link #awaitFlushed} from any thread; the rest is the flush thread's own.
 */
final class Flusher implements Runnable {

    /** The store's force: forces the commit log under the flush lock and returns the flushed position. */
    interface Force {
        long force() throws IOException;
    }

    /** Where a failure goes (the store stops). */
    interface FailureHandler {
        void failed(Throwable cause);
    }

    private record Request(long offset, CompletableFuture<Void> done) {
    }

    private final CommitLog log;
    private final Force force;
    private final FailureHandler onFailure;
    private final long intervalNanos;
    private final long leastBytes;
    private final long thoroughNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Thread thread;
    private List<Request> requests = new ArrayList<>();
    private boolean stopping;
    private Throwable failure;

    Flusher(CommitLog log, StoreConfig config, Force force, FailureHandler onFailure) {
        this.log = log;
        this.force = force;
        this.onFailure = onFailure;
        this.intervalNanos = config.flushInterval().toNanos();
        this.leastBytes = (long) config.flushLeastPages() * StoreConfig.PAGE_SIZE;
        this.thoroughNanos = config.flushThoroughInterval().toNanos();
        this.thread = new Thread(this, "ferry-store-flush-" + config.dir().getFileName());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * @return a future completed once a force covers {@code offset}, or failed with the store's failure
     */
    CompletableFuture<Void> awaitFlushed(long offset) {
        if (log.flushedPosition() >= offset) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        lock.lock();
        try {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else if (stopping) {
                done.completeExceptionally(new IllegalStateException("the store is closing"));
            } else {
                requests.add(new Request(offset, done));
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
        return done;
    }

    @Override
    public void run() {
        long lastForce = System.nanoTime();
        long nextTick = lastForce + intervalNanos;
        while (true) {
            List<Request> batch;
            boolean exit;
            lock.lock();
            try {
                long wait = nextTick - System.nanoTime();
                if (requests.isEmpty() && !stopping && wait > 0) {
                    try {
                        wake.awaitNanos(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        stopping = true;
                    }
                }
                if (requests.isEmpty()) {
                    batch = List.of(); // never hand out the live list: writers add to it outside this thread
                } else {
                    batch = requests;
                    requests = new ArrayList<>();
                }
                exit = stopping && batch.isEmpty();
            } finally {
                lock.unlock();
            }
            if (exit) {
                return;
            }
            try {
                long now = System.nanoTime();
                if (!batch.isEmpty()) {
                    long flushed = force.force();
                    lastForce = now;
                    for (Request r : batch) {
                        if (r.offset() <= flushed) {
                            r.done().complete(null);
                        } else {
                            r.done().completeExceptionally(new IllegalStateException("flush did not reach " + r.offset()));
                        }
                    }
                } else if (now - nextTick >= 0) {
                    nextTick = now + intervalNanos;
                    long dirty = log.writePosition() - log.flushedPosition();
                    if ((dirty > 0 && dirty >= leastBytes) || (dirty > 0 && now - lastForce >= thoroughNanos)) {
                        force.force();
                        lastForce = now;
                    }
                }
            } catch (IOException | RuntimeException e) {
                IOException cause = e instanceof UncheckedIOException u ? u.getCause()
                        : e instanceof IOException io ? io : new IOException("flush failed", e);
                // stop the store first: a writer woken by its failed future must find the store refusing writes
                onFailure.failed(cause);
                for (Request r : batch) {
                    r.done().completeExceptionally(cause);
                }
                return;
            }
        }
    }

    /** Fails every waiting and later request with {@code cause}. Any thread (the store, on its failure). */
    void fail(Throwable cause) {
        List<Request> waiting;
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            waiting = requests;
            requests = new ArrayList<>();
            stopping = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
        for (Request r : waiting) {
            r.done().completeExceptionally(cause);
        }
    }

    /** Serves what is waiting, then ends the thread. */
    void stop() throws InterruptedException {
        lock.lock();
        try {
            stopping = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != thread) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
