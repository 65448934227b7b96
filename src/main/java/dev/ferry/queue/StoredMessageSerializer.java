package dev.ferry.queue;

import akka.serialization.JSerializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The journal (and wire) form of a {@link StoredMessage}: every message a node accepts is serialized once into its
 * queue's journal record and deserialized on every store read (consumers behind the read cache, draining a backlog),
 * so it is a fixed binary layout instead of Jackson CBOR's generic bean walk:
 *
 * <pre>
 *   format (byte, 1) | bornAt (long) | id (string) | tags (int count, strings) | keys (int count, strings)
 *   | properties (int count, key string + value string each) | body (int length, bytes)
 *   string = int length + UTF-8 bytes (length -1 = null, e.g. a property sent as JSON null); big-endian
 * </pre>
 * Records written before this serializer existed name Jackson CBOR's serializer id in their journal payload and stay
 * readable through it. Thread-safe (stateless).
 */
public final class StoredMessageSerializer extends JSerializer {

    /** Akka serializer id: unique in the node's configuration (Akka reserves 0-40). */
    public static final int IDENTIFIER = 4_711_001;
    private static final byte FORMAT = 1;

    @Override public int identifier() {
        return IDENTIFIER;
    }

    @Override public boolean includeManifest() {
        return false;
    }

    @Override public byte[] toBinary(Object o) {
        Encoding e = new Encoding((StoredMessage) o);
        ByteBuffer out = ByteBuffer.allocate(e.size());
        e.writeTo(out);
        return out.array();
    }

    @Override public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        return read(ByteBuffer.wrap(bytes));
    }

    /**
     * A message measured for writing: its strings as UTF-8 and its exact size, so a message can be written into a
     * buffer shared with others ({@link SendPathSerializer} writes a batch of them into one array).
     */
    static final class Encoding {
        private final StoredMessage m;
        private final byte[] id;
        private final byte[][] tags;
        private final byte[][] keys;
        private final byte[][] props;
        private final int size;

        Encoding(StoredMessage m) {
            this.m = m;
            id = utf8(m.id());
            tags = utf8(m.tags());
            keys = utf8(m.keys());
            props = new byte[m.properties().size() * 2][];
            int i = 0;
            for (Map.Entry<String, String> e : m.properties().entrySet()) {
                props[i++] = utf8(e.getKey());
                props[i++] = utf8(e.getValue());
            }
            size = 1 + 8 + 4 + id.length + 4 + sized(tags) + 4 + sized(keys) + 4 + sized(props) + 4 + m.body().length;
        }

        int size() {
            return size;
        }

        void writeTo(ByteBuffer out) {
            out.put(FORMAT).putLong(m.bornAt());
            put(out, id);
            out.putInt(tags.length);
            for (byte[] t : tags) put(out, t);
            out.putInt(keys.length);
            for (byte[] k : keys) put(out, k);
            out.putInt(props.length / 2);
            for (byte[] p : props) put(out, p);
            put(out, m.body());
        }
    }

    /** Reads one message from {@code in}'s position, leaving it just past the message (its body is the last field). */
    static StoredMessage read(ByteBuffer in) {
        try {
            byte format = in.get();
            if (format != FORMAT) throw new IllegalArgumentException("unknown StoredMessage format " + format + " (this build reads " + FORMAT + ")");
            long bornAt = in.getLong();
            String id = string(in);
            List<String> tags = strings(in);
            List<String> keys = strings(in);
            int propCount = count(in, 8);
            Map<String, String> props;
            if (propCount == 0) props = Map.of();
            else {
                LinkedHashMap<String, String> p = new LinkedHashMap<>();
                for (int i = 0; i < propCount; i++) p.put(string(in), string(in));
                props = java.util.Collections.unmodifiableMap(p);
            }
            byte[] body = new byte[count(in, 1)];
            in.get(body);
            return new StoredMessage(id, body, tags, keys, props, bornAt);
        } catch (RuntimeException e) {
            // Akka's deserialize() reports a NotSerializableException as a failed Try: the reader sees which record it was.
            throw new IllegalArgumentException("corrupt StoredMessage: " + e, e);
        }
    }

    private static List<String> strings(ByteBuffer in) {
        int n = count(in, 4);
        if (n == 0) return List.of();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(string(in));
        return java.util.Collections.unmodifiableList(out);
    }

    /** A count or length read from {@code in}, checked against the bytes left ({@code minBytesEach} per element). */
    static int count(ByteBuffer in, int minBytesEach) {
        int n = in.getInt();
        if (n < 0 || (long) n * minBytesEach > in.remaining())
            throw new IllegalArgumentException("count " + n + " exceeds the " + in.remaining() + " bytes left");
        return n;
    }

    static String string(ByteBuffer in) {
        if (in.getInt(in.position()) == -1) {
            in.getInt();
            return null;
        }
        int length = count(in, 1);
        String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }

    private static final byte[] NULL = new byte[0];

    static byte[] utf8(String s) {
        return s == null ? NULL : s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[][] utf8(List<String> strings) {
        byte[][] out = new byte[strings.size()][];
        for (int i = 0; i < out.length; i++) out[i] = utf8(strings.get(i));
        return out;
    }

    static int sized(byte[][] parts) {
        int n = 0;
        for (byte[] p : parts) n += 4 + p.length;
        return n;
    }

    static void put(ByteBuffer out, byte[] bytes) {
        if (bytes == NULL) out.putInt(-1);
        else out.putInt(bytes.length).put(bytes);
    }
}
