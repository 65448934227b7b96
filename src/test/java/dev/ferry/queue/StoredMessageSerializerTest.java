package dev.ferry.queue;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoredMessageSerializerTest {

    private final StoredMessageSerializer serializer = new StoredMessageSerializer();

    private StoredMessage roundTrip(StoredMessage m) {
        return (StoredMessage) serializer.fromBinaryJava(serializer.toBinary(m), null);
    }

    @Test
    void everyFieldSurvivesARoundTrip() {
        Map<String, String> props = new HashMap<>();
        props.put("k", "v ü");
        props.put("nothing", null);
        StoredMessage m = new StoredMessage("0A0B", "héllo".getBytes(StandardCharsets.UTF_8), List.of("TagA", "TagB"),
                List.of("order-1"), props, 1_763_770_000_123L);
        StoredMessage back = roundTrip(m);
        assertEquals(m.id(), back.id());
        assertArrayEquals(m.body(), back.body());
        assertEquals(m.tags(), back.tags());
        assertEquals(m.keys(), back.keys());
        assertEquals(props, back.properties());
        assertEquals(m.bornAt(), back.bornAt());
    }

    @Test
    void emptyMessageSurvivesARoundTrip() {
        StoredMessage back = roundTrip(new StoredMessage("", new byte[0], List.of(), List.of(), Map.of(), 0));
        assertEquals(0, back.body().length);
        assertTrue(back.tags().isEmpty() && back.keys().isEmpty() && back.properties().isEmpty());
    }

    @Test
    void truncatedBytesAreRefusedNotMisread() {
        byte[] bytes = serializer.toBinary(new StoredMessage("id", new byte[100], List.of("T"), List.of(), Map.of(), 1));
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 10);
        assertThrows(IllegalArgumentException.class, () -> serializer.fromBinaryJava(cut, null));
    }

    @Test
    void unknownFormatIsRefused() {
        byte[] bytes = serializer.toBinary(new StoredMessage("id", new byte[1], List.of(), List.of(), Map.of(), 1));
        bytes[0] = 9;
        assertThrows(IllegalArgumentException.class, () -> serializer.fromBinaryJava(bytes, null));
    }
}
