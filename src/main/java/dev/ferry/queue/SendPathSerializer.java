package dev.ferry.queue;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.SerializerWithStringManifest;
import dev.ferry.replica.Replica;
import dev.ferry.replica.ShippedRecords;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.ferry.queue.StoredMessageSerializer.count;
import static dev.ferry.queue.StoredMessageSerializer.put;
import static dev.ferry.queue.StoredMessageSerializer.sized;
import static dev.ferry.queue.StoredMessageSerializer.string;
import static dev.ferry.queue.StoredMessageSerializer.utf8;

/**
 * Binary form of the messages every send crosses nodes with: the producer's {@link QueueEntity.Append} and its
 * answer, the master's shipment to a replica ({@link Replica.Ship}) and the replica's {@link QueueEntity.ReplicaAck}.
 * Jackson CBOR walked these field by field, by name, and resolved the shipment's master ref from its path on every
 * shipment (BENCHMARKS.md "Session 5"); here each is a fixed layout in one exact-size array (big-endian; a string is
 * an int length + UTF-8, -1 = null; messages in {@link StoredMessageSerializer}'s layout; records in
 * {@link ShippedRecords}' layout).
 *
 * <p>ActorRefs travel in Akka's serialization format ({@link ActorRefResolver}). A master's ref is the same on every
 * shipment it sends, so its string and its resolution are cached (a few entries per queue; dropped wholesale past
 * {@link #MAX_CACHED_REFS}); the reply refs of asks are one-off and resolved each time. A cached resolution is as good
 * as a fresh one: the format names the incarnation (its uid), so a stopped master's ref stays a dead one either way.
 *
 * <p>Bound in ferry-akka.conf. Thread-safe.
 */
public final class SendPathSerializer extends SerializerWithStringManifest {

    /** Akka serializer id: unique in the node's configuration (Akka reserves 0-40). */
    public static final int IDENTIFIER = 4_711_002;
    static final int MAX_CACHED_REFS = 4096;

    private static final String APPEND = "A";
    private static final String APPENDED = "D";
    private static final String APPEND_REJECTED = "J";
    private static final String SHIP = "S";
    private static final String REPLICA_ACK = "K";

    private final ExtendedActorSystem system;
    private volatile ActorRefResolver resolver;
    private final Map<ActorRef<?>, String> refStrings = new ConcurrentHashMap<>();
    private final Map<String, ActorRef<?>> resolvedRefs = new ConcurrentHashMap<>();

    public SendPathSerializer(ExtendedActorSystem system) {
        this.system = system;
    }

    @Override public int identifier() {
        return IDENTIFIER;
    }

    @Override public String manifest(Object o) {
        if (o instanceof QueueEntity.Append) return APPEND;
        if (o instanceof QueueEntity.Appended) return APPENDED;
        if (o instanceof QueueEntity.AppendRejected) return APPEND_REJECTED;
        if (o instanceof Replica.Ship) return SHIP;
        if (o instanceof QueueEntity.ReplicaAck) return REPLICA_ACK;
        throw new IllegalArgumentException("SendPathSerializer does not serialize " + o.getClass().getName());
    }

    @Override public byte[] toBinary(Object o) {
        if (o instanceof QueueEntity.Append a) return append(a);
        if (o instanceof QueueEntity.Appended a) return ByteBuffer.allocate(12).putInt(a.queueId()).putLong(a.firstOffset()).array();
        if (o instanceof QueueEntity.AppendRejected r) {
            byte[][] s = {utf8(r.error()), utf8(r.detail())};
            ByteBuffer out = ByteBuffer.allocate(4 + sized(s));
            out.putInt(r.status());
            for (byte[] b : s) put(out, b);
            return out.array();
        }
        if (o instanceof Replica.Ship s) return ship(s);
        if (o instanceof QueueEntity.ReplicaAck a) {
            byte[] node = utf8(a.node());
            ByteBuffer out = ByteBuffer.allocate(4 + 8 + 8 + 8 + 1 + 4 + node.length);
            out.putInt(a.copy()).putLong(a.term()).putLong(a.durableSeq()).putLong(a.highestSeq()).put((byte) (a.gap() ? 1 : 0));
            put(out, node);
            return out.array();
        }
        throw new IllegalArgumentException("SendPathSerializer does not serialize " + o.getClass().getName());
    }

    private byte[] append(QueueEntity.Append a) {
        byte[] replyTo = utf8(resolver().toSerializationFormat(a.replyTo()));
        StoredMessageSerializer.Encoding[] messages = new StoredMessageSerializer.Encoding[a.messages().size()];
        int size = 4 + replyTo.length + 4;
        for (int i = 0; i < messages.length; i++) {
            messages[i] = new StoredMessageSerializer.Encoding(a.messages().get(i));
            size += messages[i].size();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        put(out, replyTo);
        out.putInt(messages.length);
        for (StoredMessageSerializer.Encoding m : messages) m.writeTo(out);
        return out.array();
    }

    private byte[] ship(Replica.Ship s) {
        byte[] master = utf8(cachedFormat(s.master()));
        ByteBuffer out = ByteBuffer.allocate(8 * 4 + 1 + 4 + master.length + ShippedRecords.size(s.records()));
        out.putLong(s.term()).putLong(s.termStartSeq()).putLong(s.prevSeq()).putLong(s.committedSeq()).put((byte) (s.syncFlush() ? 1 : 0));
        put(out, master);
        ShippedRecords.write(out, s.records());
        return out.array();
    }

    @Override public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            switch (manifest) {
                case APPEND: {
                    ActorRef<QueueEntity.AppendReply> replyTo = resolver().resolveActorRef(string(in));
                    int count = count(in, 1);
                    List<StoredMessage> messages = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) messages.add(StoredMessageSerializer.read(in));
                    return new QueueEntity.Append(messages, replyTo);
                }
                case APPENDED:
                    return new QueueEntity.Appended(in.getInt(), in.getLong());
                case APPEND_REJECTED:
                    return new QueueEntity.AppendRejected(in.getInt(), string(in), string(in));
                case SHIP: {
                    long term = in.getLong(), termStartSeq = in.getLong(), prevSeq = in.getLong(), committedSeq = in.getLong();
                    boolean syncFlush = in.get() == 1;
                    ActorRef<QueueEntity.Command> master = cachedRef(string(in));
                    return new Replica.Ship(term, termStartSeq, prevSeq, ShippedRecords.read(in, "shipment"), syncFlush, committedSeq, master);
                }
                case REPLICA_ACK:
                    return new QueueEntity.ReplicaAck(in.getInt(), in.getLong(), in.getLong(), in.getLong(), in.get() == 1, string(in));
                default:
                    throw new NotSerializableException("unknown send-path message " + manifest + " (this build reads A, D, J, S, K)");
            }
        } catch (RuntimeException e) { // underflow, a bad count or string: never a half-read message
            throw new NotSerializableException("corrupt send-path message " + manifest + " of " + bytes.length + " bytes: " + e);
        }
    }

    private ActorRefResolver resolver() {
        ActorRefResolver r = resolver;
        if (r == null) resolver = r = ActorRefResolver.get(Adapter.toTyped(system)); // not in the constructor: serializers start with the system
        return r;
    }

    private String cachedFormat(ActorRef<?> ref) {
        String s = refStrings.get(ref);
        if (s != null) return s;
        if (refStrings.size() >= MAX_CACHED_REFS) refStrings.clear();
        s = resolver().toSerializationFormat(ref);
        refStrings.put(ref, s);
        return s;
    }

    @SuppressWarnings("unchecked")
    private <T> ActorRef<T> cachedRef(String format) {
        ActorRef<?> ref = resolvedRefs.get(format);
        if (ref != null) return (ActorRef<T>) ref;
        if (resolvedRefs.size() >= MAX_CACHED_REFS) resolvedRefs.clear();
        ActorRef<T> resolved = resolver().resolveActorRef(format);
        resolvedRefs.put(format, resolved);
        return resolved;
    }
}
