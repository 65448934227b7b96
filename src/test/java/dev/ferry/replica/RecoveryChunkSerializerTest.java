package dev.ferry.replica;

import dev.ferry.store.AppendRecord;
import dev.ferry.store.FlushMode;
import dev.ferry.store.MessageStore;
import dev.ferry.store.RecordRun;
import dev.ferry.store.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.NotSerializableException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecoveryChunkSerializerTest {

    private final RecoveryChunkSerializer serializer = new RecoveryChunkSerializer(null);

    @TempDir
    Path dir;

    private RecordRun storedRun() throws Exception {
        try (MessageStore store = MessageStore.open(StoreConfig.defaults(dir).withSegmentSize(1 << 20), Clock.systemUTC())) {
            store.append(List.of(new AppendRecord("t/0", 41, 7, new byte[]{1, 2, 3}), new AppendRecord("t/0", 42, -1, new byte[0]),
                    new AppendRecord("t/0", 43, 0, new byte[1000])), FlushMode.SYNC).get(10, TimeUnit.SECONDS);
            return store.readRun("t/0", 1, 1 << 20, 100);
        }
    }

    @Test
    void aChunkSurvivesTheRoundTripByteForByte() throws Exception {
        RecoveryChunk chunk = new RecoveryChunk(storedRun());
        RecoveryChunk back = (RecoveryChunk) serializer.fromBinary(serializer.toBinary(chunk), serializer.manifest(chunk));
        assertArrayEquals(chunk.run().bytes(), back.run().bytes());
        assertEquals(3, back.run().count());
        assertEquals(43, back.lastSeq());
        assertEquals(1003, back.bytes());
    }

    @Test
    void theChunksBytesAreTheMessageWithoutACopy() throws Exception {
        RecoveryChunk chunk = new RecoveryChunk(storedRun());
        assertSame(chunk.run().bytes(), serializer.toBinary(chunk));
    }

    @Test
    void aTruncatedChunkIsRefusedNotMisread() throws Exception {
        RecoveryChunk chunk = new RecoveryChunk(storedRun());
        byte[] bytes = serializer.toBinary(chunk);
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 10);
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(cut, serializer.manifest(chunk)));
    }

    @Test
    void theFormerPerRecordFormatIsRefused() throws Exception {
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[4], "C1"));
    }
}
