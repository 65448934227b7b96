package dev.ferry.replica;

import akka.actor.ExtendedActorSystem;
import akka.serialization.SerializerWithStringManifest;
import dev.ferry.store.RecordRun;

import java.io.NotSerializableException;

/**
 * Binary form of {@link RecoveryChunk}, the element of peer-recovery streams: the chunk's records exactly as the
 * master's commit log holds them, no header and no copy (the run's array is the message; the receiving store checks
 * every record's CRC before it writes anything). Manifest "C2"; "C1" (session 2's per-record layout) is no longer
 * read: a recovery between nodes of the two versions fails and retries until both run this one. Bound in
 * ferry-akka.conf; stateless and thread-safe.
 */
public final class RecoveryChunkSerializer extends SerializerWithStringManifest {

    private static final String MANIFEST = "C2";

    public RecoveryChunkSerializer(ExtendedActorSystem system) {
    }

    @Override public int identifier() {
        return 7_401;
    }

    @Override public String manifest(Object o) {
        return MANIFEST;
    }

    @Override public byte[] toBinary(Object o) {
        return ((RecoveryChunk) o).run().bytes();
    }

    @Override public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        if (!MANIFEST.equals(manifest)) throw new NotSerializableException("unknown recovery chunk format " + manifest);
        try {
            return new RecoveryChunk(RecordRun.of(bytes));
        } catch (IllegalArgumentException e) {
            throw new NotSerializableException("corrupt recovery chunk: " + e.getMessage());
        }
    }
}
