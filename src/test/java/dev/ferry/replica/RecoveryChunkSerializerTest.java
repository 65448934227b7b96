package dev.ferry.replica;

import org.junit.jupiter.api.Test;

import java.io.NotSerializableException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecoveryChunkSerializerTest {

    private final RecoveryChunkSerializer serializer = new RecoveryChunkSerializer(null);

    @Test
    void aChunkSurvivesTheRoundTripByteForByte() throws Exception {
        RecoveryChunk chunk = new RecoveryChunk(List.of(new ShippedRecord(41, 7, new byte[]{1, 2, 3}),
                new ShippedRecord(42, -1, new byte[0]), new ShippedRecord(43, 0, new byte[1000])));
        RecoveryChunk back = (RecoveryChunk) serializer.fromBinary(serializer.toBinary(chunk), serializer.manifest(chunk));
        assertEquals(3, back.records().size());
        for (int i = 0; i < 3; i++) {
            assertEquals(chunk.records().get(i).sequenceNr(), back.records().get(i).sequenceNr());
            assertEquals(chunk.records().get(i).tagHash(), back.records().get(i).tagHash());
            assertArrayEquals(chunk.records().get(i).payload(), back.records().get(i).payload());
        }
    }

    @Test
    void aTruncatedChunkIsRefusedNotMisread() {
        RecoveryChunk chunk = new RecoveryChunk(List.of(new ShippedRecord(1, 0, new byte[100])));
        byte[] bytes = serializer.toBinary(chunk);
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 10);
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(cut, serializer.manifest(chunk)));
    }
}
