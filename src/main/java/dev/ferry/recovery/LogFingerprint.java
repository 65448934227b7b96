package dev.ferry.recovery;

import java.util.zip.CRC32C;

/**
 * Identifies one log entry across copies: the CRC32C and length of the record's bytes. A record is the journal's
 * encoding of the message, which carries the message id the master assigned and the writer id of the master
 * incarnation that wrote it, so two copies hold the same fingerprint at a sequence number only if they hold the same
 * entry, written by the same master (a term-and-seq check, at finer grain than the term).
 */
public final class LogFingerprint {
    private LogFingerprint() {}

    public static long of(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return (crc.getValue() << 32) | (payload.length & 0xffffffffL);
    }
}
