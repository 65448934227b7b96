package dev.ferry.replica;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Materializer;
import akka.stream.SourceRef;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.StreamRefs;
import dev.ferry.recovery.TokenBucket;
import dev.ferry.store.AppendRecord;
import dev.ferry.store.FlushMode;
import dev.ferry.store.MessageStore;
import dev.ferry.store.RecordRun;
import dev.ferry.store.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** The receiving half of a recovery stream ({@link RecoveryStreams#writeInto}) over a local stream ref. */
class RecoveryStreamsTest {

    @TempDir
    Path sourceDir;
    @TempDir
    Path dir;
    ActorTestKit kit;
    MessageStore source;
    MessageStore store;

    @BeforeEach
    void open() throws Exception {
        kit = ActorTestKit.create("recovery-streams");
        source = MessageStore.open(StoreConfig.defaults(sourceDir).withSegmentSize(1 << 20), Clock.systemUTC());
        store = MessageStore.open(StoreConfig.defaults(dir).withSegmentSize(1 << 20), Clock.systemUTC());
        source.append(List.of(new AppendRecord("t/0", 1, 0, new byte[100]), new AppendRecord("t/0", 2, 0, new byte[100])),
                FlushMode.SYNC).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        kit.shutdownTestKit();
        source.close();
        store.close();
    }

    private SourceRef<RecoveryChunk> offer(RecordRun... runs) {
        return Source.from(List.of(runs)).map(RecoveryChunk::new).runWith(StreamRefs.sourceRef(), Materializer.matFromSystem(kit.system()));
    }

    private RecoveryStreams.Copying copy(SourceRef<RecoveryChunk> ref, AtomicReference<CompletableFuture<Void>> appends) {
        return RecoveryStreams.writeInto(ref, store, "t/0", 0, FlushMode.SYNC, new TokenBucket(-1, 1 << 20, System::nanoTime),
                kit.system(), new AtomicLong(), appends);
    }

    @Test
    void everyChunkIsAppendedAndTheLastAppendIsDurableWhenAppendsComplete() throws Exception {
        AtomicReference<CompletableFuture<Void>> appends = new AtomicReference<>(CompletableFuture.completedFuture(null));
        copy(offer(source.readRun("t/0", 1, 1 << 20, 1), source.readRun("t/0", 2, 1 << 20, 1)), appends)
                .done().toCompletableFuture().get(10, TimeUnit.SECONDS);
        appends.get().get(10, TimeUnit.SECONDS);
        assertEquals(2, store.highestSequence("t/0"));
    }

    @Test
    void aCorruptChunkEndsTheStreamAsInterruptedWithoutAWriteFailure() throws Exception {
        byte[] bytes = source.readRun("t/0", 2, 1 << 20, 1).bytes().clone();
        bytes[bytes.length - 1] ^= 1;
        AtomicReference<CompletableFuture<Void>> appends = new AtomicReference<>(CompletableFuture.completedFuture(null));
        var done = copy(offer(source.readRun("t/0", 1, 1 << 20, 1), RecordRun.of(bytes)), appends).done().toCompletableFuture();
        ExecutionException e = assertThrows(ExecutionException.class, () -> done.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        appends.get().get(10, TimeUnit.SECONDS); // the chunk before it was written and is durable; no write failed
        assertEquals(1, store.highestSequence("t/0"));
    }
}
