package dev.ferry.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A failing force is never swallowed: the writes waiting on it fail, the store stops and refuses every later call,
 * and the next open recovers. The failure is real: the active segment's file channel is closed under the store,
 * so its fdatasync fails exactly as it would on a dead device.
 */
class FlushFailureTest {

    @TempDir
    Path dir;
    MessageStore store;

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    private void breakTheDisk() throws IOException {
        List<Segment> segments = store.commitLogForTesting().segments();
        store.commitLogForTesting().active().channel().close();
    }

    /** A SYNC write whose force fails completes exceptionally with that IO failure; later calls fail too. */
    @Test
    void syncForceFailureFailsTheWriteAndStopsTheStore() throws Exception {
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
        appendSync(store, record("a", 1, ""));
        breakTheDisk();
        CompletableFuture<Void> waiting = store.append(List.of(record("a", 2, "")), FlushMode.SYNC);
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        Throwable cause = e.getCause() instanceof StoreStoppedException s ? s.getCause() : e.getCause(); // whichever thread met it first
        assertInstanceOf(ClosedChannelException.class, cause);
        ExecutionException later = assertThrows(ExecutionException.class,
                () -> store.append(List.of(record("a", 3, "")), FlushMode.ASYNC).get(10, TimeUnit.SECONDS));
        StoreStoppedException stopped = assertInstanceOf(StoreStoppedException.class, later.getCause());
        assertInstanceOf(ClosedChannelException.class, stopped.getCause());
        assertThrows(StoreStoppedException.class, () -> store.read("a", 1, 10, 10, TagFilter.ALL));
        assertThrows(StoreStoppedException.class, () -> store.deleteTo("a", 1));
        assertThrows(StoreStoppedException.class, () -> store.runRetention());
    }

    /** The async flusher's failure stops the store as well, although no writer was waiting for it. */
    @Test
    void asyncForceFailureStopsTheStore() throws Exception {
        store = MessageStore.open(smallConfig(dir).withFlush(Duration.ofMillis(20), 0, Duration.ofMillis(20)), Clock.systemUTC());
        store.append(List.of(record("a", 1, "")), FlushMode.ASYNC).get();
        breakTheDisk();
        store.append(List.of(record("a", 2, "")), FlushMode.ASYNC).get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        CompletableFuture<Void> next;
        do {
            Thread.sleep(10);
            next = store.append(List.of(record("b", System.nanoTime(), "")), FlushMode.ASYNC);
        } while (!next.isCompletedExceptionally() && System.nanoTime() < deadline);
        CompletableFuture<Void> refused = next;
        ExecutionException e = assertThrows(ExecutionException.class, refused::get);
        assertInstanceOf(StoreStoppedException.class, e.getCause());
    }

    /** A store stopped by a failure closes without its clean marker, so the next open scans and keeps what is intact. */
    @Test
    void stoppedStoreRecoversOnReopen() throws Exception {
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
        appendSync(store, record("a", 1, ""));
        breakTheDisk();
        CompletableFuture<Void> waiting = store.append(List.of(record("a", 2, "")), FlushMode.SYNC);
        assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        store.close();
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
        assertFalse(store.recoveryReport().cleanShutdown());
        assertArrayEquals(payload("a", 1, ""), readAll(store, "a").get(0).payload());
        appendSync(store, record("a", 3, ""));
    }
}
