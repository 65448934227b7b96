package dev.ferry.journal;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.Tagged;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import dev.ferry.store.AppendRecord;
import dev.ferry.store.StoredRecord;
import dev.ferry.store.TagFilter;
import scala.jdk.javaapi.CollectionConverters;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link PersistentRepr} into the payload bytes of one store record and back, with Akka serialization.
 * The persistence id and sequence number are the store record's own; everything else Akka needs to rebuild the
 * repr travels in the payload:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  |  format (1)   |                 serializer id                 |
 *  +---------------+-----------------------------------------------+
 *  |   serializer manifest  (int length + UTF-8)                   |
 *  |   writer uuid          (int length + UTF-8)                   |
 *  |   event manifest       (int length + UTF-8, event adapters)   |
 *  |   timestamp            (long, PersistentRepr.timestamp)       |
 *  |   tag count (int), then each tag (int length + UTF-8)         |
 *  |   serialized event     (to the end of the payload)            |
 *  +---------------------------------------------------------------+
 * </pre>
 * Big-endian. A {@link Tagged} event is unwrapped: all its tags are kept here, and the store record's tag hash is
 * {@link TagFilter#hash} of the alphabetically first tag (Ferry's messages carry one tag, as RocketMQ's do), so
 * tag-filtered reads skip payloads without decoding them. Thread-safe.
 */
public final class PersistentReprCodec {

    /** The layout above. A new layout gets a new number; old records stay readable. */
    public static final byte FORMAT = 1;

    private final Serialization serialization;

    public PersistentReprCodec(ActorSystem system) {
        this.serialization = SerializationExtension.get(system);
    }

    /**
     * @return the store record for this repr
     * @throws NotSerializableException (or the serializer's own exception) when the event cannot be serialized:
     *         the caller rejects that write alone
     */
    public AppendRecord encode(PersistentRepr repr) throws Exception {
        Object event = repr.payload();
        List<String> tags = List.of();
        if (event instanceof Tagged tagged) {
            event = tagged.payload();
            tags = new ArrayList<>(CollectionConverters.asJava(tagged.tags()));
            tags.sort(null);
        }
        Serializer serializer = serialization.findSerializerFor(event);
        String manifest = Serializers.manifestFor(serializer, event);
        // serialize() sets the transport information serializers need for ActorRefs inside events.
        byte[] body = serialization.serialize(event).get();

        byte[] serManifest = utf8(manifest);
        byte[] writer = utf8(repr.writerUuid());
        byte[] eventManifest = utf8(repr.manifest());
        byte[][] tagBytes = new byte[tags.size()][];
        int size = 1 + 4 + 4 + serManifest.length + 4 + writer.length + 4 + eventManifest.length + 8 + 4 + body.length;
        for (int i = 0; i < tagBytes.length; i++) {
            tagBytes[i] = utf8(tags.get(i));
            size += 4 + tagBytes[i].length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(FORMAT).putInt(serializer.identifier());
        putBytes(out, serManifest);
        putBytes(out, writer);
        putBytes(out, eventManifest);
        out.putLong(repr.timestamp());
        out.putInt(tagBytes.length);
        for (byte[] tag : tagBytes) {
            putBytes(out, tag);
        }
        out.put(body);
        int tagHash = tags.isEmpty() ? 0 : TagFilter.hash(tags.get(0));
        return new AppendRecord(repr.persistenceId(), repr.sequenceNr(), tagHash, out.array());
    }

    /**
     * @return the repr as Akka wrote it (not deleted, no sender: Akka 2.6 does not replay senders)
     * @throws NotSerializableException if the payload is not in a known format or its serializer rejects it
     */
    public PersistentRepr decode(StoredRecord record) throws NotSerializableException {
        Decoded d = decodePayload(record.payload());
        Object event = serialization.deserialize(d.body, d.serializerId, d.serializerManifest).get();
        return PersistentRepr.apply(event, record.sequenceNr(), record.persistenceId(), d.eventManifest, false,
                ActorRef.noSender(), d.writerUuid).withTimestamp(d.timestamp);
    }

    /** @return the tags an event was persisted with, sorted (empty when it was not tagged) */
    public static List<String> tags(byte[] payload) throws NotSerializableException {
        return decodePayload(payload).tags;
    }

    private record Decoded(int serializerId, String serializerManifest, String writerUuid, String eventManifest,
                           long timestamp, List<String> tags, byte[] body) {
    }

    private static Decoded decodePayload(byte[] payload) throws NotSerializableException {
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            byte format = in.get();
            if (format != FORMAT) {
                throw new NotSerializableException("unknown journal payload format " + format + " (this build reads " + FORMAT + ")");
            }
            int serializerId = in.getInt();
            String serManifest = getString(in);
            String writer = getString(in);
            String eventManifest = getString(in);
            long timestamp = in.getLong();
            int tagCount = in.getInt();
            if (tagCount < 0 || tagCount > in.remaining() / 4) {
                throw new NotSerializableException("corrupt journal payload: tag count " + tagCount);
            }
            List<String> tags = new ArrayList<>(tagCount);
            for (int i = 0; i < tagCount; i++) {
                tags.add(getString(in));
            }
            byte[] body = new byte[in.remaining()];
            in.get(body);
            return new Decoded(serializerId, serManifest, writer, eventManifest, timestamp, List.copyOf(tags), body);
        } catch (RuntimeException e) {
            NotSerializableException failure = new NotSerializableException("corrupt journal payload: " + e);
            failure.initCause(e);
            throw failure;
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putBytes(ByteBuffer out, byte[] bytes) {
        out.putInt(bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalStateException("string length " + length + " exceeds the " + in.remaining() + " bytes left");
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }
}
