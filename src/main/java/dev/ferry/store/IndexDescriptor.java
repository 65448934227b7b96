package dev.ferry.store;

/**
 * The per-persistence-id index format, written down once (RocketMQ's ConsumeQueue, keyed by sequence nr).
 *
 * <pre>
 * index/&lt;safe name&gt;/id                      the persistence id, UTF-8 (the truth; the name is only a key)
 * index/&lt;safe name&gt;/meta                    deleted-to, highest sequence nr, last truncation (see {@link QueueIndex})
 * index/&lt;safe name&gt;/00000000000000000001    index segment: entries for seq 1 .. entriesPerFile
 * index/&lt;safe name&gt;/00000000000000300001    next segment, named by its first sequence nr (20 digits)
 *
 * Entry for sequence nr s (16 bytes, little-endian) at ((s - 1) % entriesPerFile) * 16 in its segment
 *   0                                       8                   12                  16
 *   +---------------------------------------+-------------------+-------------------+
 *   | commit-log offset of the record       | record size       | tag hash          |
 *   +---------------------------------------+-------------------+-------------------+
 *   size  > 0  the record is at that offset
 *   size == 0  never written (the file is sparse and zero-filled)
 *   size == -1 a hole: no record has this sequence nr (a rejected write); offset = the offset the next
 *              record got, so offsets stay non-decreasing along the index and can be binary-searched
 * </pre>
 *
 * <p>Within the last segment of an index, written entries are contiguous from the segment's first entry (the
 * writer fills holes), so the highest sequence nr is found by a binary search for the first zero entry.
 *
 * <p>Constants and static helpers only; thread-safe.
 */
public final class IndexDescriptor {

    public static final int ENTRY_LENGTH = 16;
    public static final int POSITION_OFFSET = 0;
    public static final int SIZE_OFFSET = 8;
    public static final int TAG_HASH_OFFSET = 12;
    public static final int HOLE_SIZE = -1;

    private IndexDescriptor() {
    }

    /** @return the first sequence nr of the index segment holding {@code sequenceNr} */
    public static long segmentStart(long sequenceNr, int entriesPerFile) {
        return ((sequenceNr - 1) / entriesPerFile) * entriesPerFile + 1;
    }

    /** @return the byte position of {@code sequenceNr}'s entry within its segment */
    public static int entryPosition(long sequenceNr, int entriesPerFile) {
        return (int) ((sequenceNr - 1) % entriesPerFile) * ENTRY_LENGTH;
    }
}
