package dev.ferry.replica;

import akka.actor.ExtendedActorSystem;
import akka.serialization.SerializerWithStringManifest;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of {@link RecoveryChunk}, the element of peer-recovery streams: a record count, then per record its
 * sequence number, tag hash, length and bytes: one exact-size array out and bulk copies in, where Jackson CBOR
 * decodes every record's fields by name (its byte-array decoding topped a profile of the recovery bench,
 * BENCHMARKS.md "#5 recovery"). Bound in ferry-akka.conf; stateless and thread-safe.
 */
public final class RecoveryChunkSerializer extends SerializerWithStringManifest {

    private static final String MANIFEST = "C1";

    public RecoveryChunkSerializer(ExtendedActorSystem system) {
    }

    @Override public int identifier() {
        return 7_401;
    }

    @Override public String manifest(Object o) {
        return MANIFEST;
    }

    @Override public byte[] toBinary(Object o) {
        RecoveryChunk chunk = (RecoveryChunk) o;
        int size = 4;
        for (ShippedRecord r : chunk.records()) size += 16 + r.payload().length;
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(chunk.records().size());
        for (ShippedRecord r : chunk.records()) {
            out.putLong(r.sequenceNr()).putInt(r.tagHash()).putInt(r.payload().length).put(r.payload());
        }
        return out.array();
    }

    @Override public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        if (!MANIFEST.equals(manifest)) throw new NotSerializableException("unknown recovery chunk format " + manifest);
        try {
            return read(ByteBuffer.wrap(bytes), bytes.length);
        } catch (java.nio.BufferUnderflowException e) {
            throw new NotSerializableException("corrupt recovery chunk: " + bytes.length + " bytes end inside a record header");
        }
    }

    private static RecoveryChunk read(ByteBuffer in, int totalBytes) throws NotSerializableException {
        int count = in.getInt();
        if (count < 0 || count > totalBytes / 16) throw new NotSerializableException("corrupt recovery chunk: " + count + " records");
        List<ShippedRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = in.getLong();
            int tagHash = in.getInt();
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) throw new NotSerializableException("corrupt recovery chunk: record of " + length + " bytes");
            byte[] payload = new byte[length];
            in.get(payload);
            records.add(new ShippedRecord(seq, tagHash, payload));
        }
        return new RecoveryChunk(records);
    }
}
