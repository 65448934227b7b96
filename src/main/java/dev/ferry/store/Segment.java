package dev.ferry.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static dev.ferry.store.SegmentDescriptor.*;

/**
 * One commit-log segment file, memory-mapped whole for its life. Owns the file's channel (for force and tail
 * truncation) and the mapping.
 *
 * <p>Threading: the write methods ({@code writeRecord}, {@code write}, {@code writeRun}, {@code writeEndMarker},
 * {@code punchFrom}) are called by one thread at a time (the store's writer lock). {@link #read} is safe from any
 * thread concurrently with writes to other positions: it only uses absolute accessors and slices. The mapping is
 * never unmapped explicitly; it is released by the garbage collector once no reader holds this object, so a reader
 * can never touch an unmapped page (the price: a deleted segment's disk space returns when the GC collects the
 * mapping).
 */
final class Segment {

    private volatile Path path;
    private final long baseOffset;
    private final int size;
    private volatile long createdMillis;
    private final FileChannel channel;
    private final MappedByteBuffer buffer;
    /** Writer-only view whose position/limit frame the bytes fed to the CRC. */
    private final ByteBuffer writerView;
    /** The writer's mapping of where it writes ASYNC records. */
    private final WriterWindow window;

    private Segment(Path path, long baseOffset, int size, long createdMillis, FileChannel channel, MappedByteBuffer buffer) {
        this.path = path;
        this.baseOffset = baseOffset;
        this.size = size;
        this.createdMillis = createdMillis;
        this.channel = channel;
        this.buffer = buffer;
        this.writerView = buffer.duplicate().order(ORDER);
        this.window = new WriterWindow(channel, size);
    }

    /** Creates a new sparse segment file of {@code size} bytes at {@code path} and writes its header. */
    static Segment create(Path path, long baseOffset, int size, long nowMillis) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            MappedByteBuffer buffer = map(channel, size);
            putHeader(buffer, baseOffset, nowMillis);
            return new Segment(path, baseOffset, size, nowMillis, channel, buffer);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens an existing segment.
     *
     * @throws IOException when the header is damaged or names another offset
     */
    static Segment open(Path path, long baseOffset) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long length = channel.size();
            if (length < SEGMENT_HEADER_LENGTH + END_OF_SEGMENT_MARKER_LENGTH || length > Integer.MAX_VALUE) {
                throw new IOException("segment " + path + " has an impossible size " + length);
            }
            MappedByteBuffer buffer = map(channel, (int) length);
            if (!headerIntact(buffer)) {
                throw new IOException("segment " + path + " has a damaged header");
            }
            if (buffer.getInt(SEGMENT_VERSION_OFFSET) != SEGMENT_VERSION) {
                throw new IOException("segment " + path + " has format version " + buffer.getInt(SEGMENT_VERSION_OFFSET) + ", this build reads " + SEGMENT_VERSION);
            }
            if (buffer.getLong(SEGMENT_BASE_OFFSET_OFFSET) != baseOffset) {
                throw new IOException("segment " + path + " says it starts at " + buffer.getLong(SEGMENT_BASE_OFFSET_OFFSET) + ", its name says " + baseOffset);
            }
            return new Segment(path, baseOffset, (int) length, buffer.getLong(SEGMENT_CREATED_OFFSET), channel, buffer);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static MappedByteBuffer map(FileChannel channel, int size) throws IOException {
        MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
        buffer.order(ORDER);
        return buffer;
    }

    /**
     * Turns a prepared segment into the active one: renames it to its final name and stamps the roll time into
     * the header (retention ages the previous segment by it). Writer only, before any record goes in.
     */
    void activate(Path finalPath, long nowMillis) throws IOException {
        // The header is complete before the file has its final name: a process killed between the two steps must
        // leave either a .prepared file (discarded on open) or a segment with a valid header, never a torn one.
        createdMillis = nowMillis;
        buffer.putLong(SEGMENT_CREATED_OFFSET, nowMillis);
        buffer.putInt(SEGMENT_CRC_OFFSET, headerCrc(buffer));
        Files.move(path, finalPath, StandardCopyOption.ATOMIC_MOVE);
        path = finalPath;
    }

    /**
     * Whether the file at {@code path} has no valid header and no record after it (its first record's length word is
     * zero): a newest segment whose header never reached the disk, e.g. after a power loss that kept the rename but
     * not the header page. A force of any record in a segment also writes its header page, so such a file never held
     * a forced record.
     */
    static boolean headerLostAndNothingWritten(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(SEGMENT_HEADER_LENGTH + Integer.BYTES).order(ORDER);
            while (head.hasRemaining() && channel.read(head) >= 0) {
                // read until full or end of file
            }
            if (head.hasRemaining()) {
                return false; // too short: the caller's size checks report it
            }
            return !headerIntact(head) && head.getInt(SEGMENT_HEADER_LENGTH) == 0;
        }
    }

    /** Writes a new header into a segment file that lost its own and holds no record, and forces it. */
    static void restoreHeader(Path path, long baseOffset, long nowMillis) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(SEGMENT_HEADER_LENGTH).order(ORDER);
            putHeader(head, baseOffset, nowMillis);
            while (head.hasRemaining()) {
                channel.write(head, head.position());
            }
            channel.force(false);
        }
    }

    /**
     * Writes zeros into {@code [position, position + length)} through the file channel, so the pages are
     * allocated and resident before the writer's first touch (a first write fault on a sparse mapped page costs
     * more than the copy itself). Allocator thread only, on a range the writer is kept out of.
     */
    void zeroFill(int position, int length, ByteBuffer zeros) throws IOException {
        long at = position;
        long end = (long) position + length;
        while (at < end) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), end - at));
            at += channel.write(zeros, at);
        }
    }

    /** Writes a segment header (absolute puts, position untouched) into the start of {@code buffer}. */
    private static void putHeader(ByteBuffer buffer, long baseOffset, long nowMillis) {
        buffer.putInt(SEGMENT_MAGIC_OFFSET, SEGMENT_MAGIC);
        buffer.putInt(SEGMENT_VERSION_OFFSET, SEGMENT_VERSION);
        buffer.putLong(SEGMENT_BASE_OFFSET_OFFSET, baseOffset);
        buffer.putLong(SEGMENT_CREATED_OFFSET, nowMillis);
        buffer.putInt(SEGMENT_CRC_OFFSET, headerCrc(buffer));
    }

    private static boolean headerIntact(ByteBuffer buffer) {
        return buffer.getInt(SEGMENT_MAGIC_OFFSET) == SEGMENT_MAGIC && buffer.getInt(SEGMENT_CRC_OFFSET) == headerCrc(buffer);
    }

    private static int headerCrc(ByteBuffer buffer) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.slice(0, SEGMENT_CRC_OFFSET));
        return (int) crc.getValue();
    }

    Path path() {
        return path;
    }

    long baseOffset() {
        return baseOffset;
    }

    int size() {
        return size;
    }

    long createdMillis() {
        return createdMillis;
    }

    /** Mapped bytes for the recovery scan (read-only use, recovery is single-threaded). */
    ByteBuffer buffer() {
        return buffer;
    }

    /** The channel, so tests can break it the way a failing disk would. */
    FileChannel channel() {
        return channel;
    }

    /**
     * Encodes one record at {@code position} through the writer's window ({@link WriterWindow}), an ASYNC group's way
     * in. Writer only.
     *
     * @return the record length
     */
    int writeRecord(int position, byte[] id, long sequenceNr, long timestamp, int tagHash, byte[] payload, byte flags,
                    CRC32C crc) throws IOException {
        ByteBuffer out = window.at(position, recordLength(id.length, payload.length));
        return encodeRecord(out, window.crcView(), id, sequenceNr, timestamp, tagHash, payload, flags, crc);
    }

    /** Unmaps the writer's window: the writer has rolled to the next segment. Writer only. */
    void releaseWindow() {
        window.release();
    }

    /**
     * Encodes one record at {@code out}'s position and moves the position past it; the CRC covers the encoded bytes
     * ({@code crcView} is a duplicate of {@code out}). The writer encodes a SYNC group into its staging buffer and
     * hands it to {@link #write} in one go.
     *
     * @return the record length
     */
    static int encodeRecord(ByteBuffer out, ByteBuffer crcView, byte[] id, long sequenceNr, long timestamp, int tagHash,
                            byte[] payload, byte flags, CRC32C crc) {
        int length = recordLength(id.length, payload.length);
        int at = out.position();
        out.putInt(at + LENGTH_OFFSET, length);
        out.put(at + VERSION_OFFSET, RECORD_VERSION);
        out.put(at + FLAGS_OFFSET, flags);
        out.putShort(at + FLAGS_OFFSET + 1, (short) 0);
        out.putInt(at + ID_LENGTH_OFFSET, id.length);
        out.putLong(at + SEQUENCE_OFFSET, sequenceNr);
        out.putLong(at + TIMESTAMP_OFFSET, timestamp);
        out.putInt(at + TAG_HASH_OFFSET, tagHash);
        out.putInt(at + PAYLOAD_LENGTH_OFFSET, payload.length);
        out.put(at + RECORD_HEADER_LENGTH, id);
        out.put(at + RECORD_HEADER_LENGTH + id.length, payload);
        crc.reset();
        crcView.limit(at + length).position(at + CRC_START);
        crc.update(crcView);
        out.putInt(at + CRC_OFFSET, (int) crc.getValue());
        out.position(at + length);
        return length;
    }

    /**
     * Writes encoded records ({@code bytes}, position to limit) at {@code position} with {@code pwrite}, not through
     * the mapping. The mapping shares the page cache, so readers see the bytes as if written through it; but pages
     * the writer never maps writable cost nothing when a force writes them back. Written through the mapping, every
     * dirty page had to be write-protected again at each force (a TLB shootdown: an inter-processor interrupt, dear on
     * a VM) and the next record on that page faulted to make it writable, contending for the page-table lock with the
     * force: a third of the CPU of 64 SYNC writers went there (BENCHMARKS.md "Session 9"). ASYNC groups go through
     * the writer's window instead ({@link #writeRecord}): a system call per group cost more there. Writer only.
     */
    void write(int position, ByteBuffer bytes) throws IOException {
        int from = bytes.position();
        while (bytes.hasRemaining()) {
            channel.write(bytes, position + (long) bytes.position() - from);
        }
    }

    /**
     * Copies already encoded, already checked records ({@code src[from, from + length)}) to {@code position} in one
     * bulk copy, then makes the record at {@code lastAt} (relative to {@code from}) end a group, re-computing its CRC
     * only if that changed its flags: the other records keep their bytes, CRCs and timestamps. Writer only.
     *
     * <p>The copy is a positional write to the file, not a copy into the mapping: when the allocator has not
     * zero-filled that far yet (a recovery writes faster than it fills), every fresh page touched through the mapping
     * faults, is read in as zeros and then overwritten (a quarter of a recovery's samples in a perf profile);
     * {@code pwrite} puts the bytes into new page-cache pages directly. The mapping shares those pages, so readers and
     * forces see the bytes as if they were written through it.
     */
    void writeRun(int position, byte[] src, int from, int length, int lastAt, CRC32C crc) throws IOException {
        write(position, ByteBuffer.wrap(src, from, length));
        int last = position + lastAt;
        byte flags = buffer.get(last + FLAGS_OFFSET);
        if ((flags & FLAG_END_OF_GROUP) == 0) {
            buffer.put(last + FLAGS_OFFSET, (byte) (flags | FLAG_END_OF_GROUP));
            crc.reset();
            writerView.limit(last + buffer.getInt(last + LENGTH_OFFSET)).position(last + CRC_START);
            crc.update(writerView);
            buffer.putInt(last + CRC_OFFSET, (int) crc.getValue());
        }
    }

    /** Copies {@code length} raw bytes at {@code position} into {@code dst} (a reader's bulk copy). Any thread. */
    void copyTo(int position, byte[] dst, int offset, int length) {
        buffer.get(position, dst, offset, length);
    }

    /** Marks the rest of the segment unused. Writer only. */
    void writeEndMarker(int position) {
        buffer.putInt(position + 4, END_OF_SEGMENT_MAGIC);
        buffer.putInt(position, END_OF_SEGMENT_LENGTH);
    }

    /**
     * Reads and checks the record an index entry points at. Any thread.
     *
     * @return the record, or null when the bytes there are not the expected record (the caller reports corruption)
     */
    StoredRecord read(int position, int expectedLength, String persistenceId, byte[] id, long sequenceNr) {
        if (position < SEGMENT_HEADER_LENGTH || position + (long) expectedLength > size) {
            return null;
        }
        MappedByteBuffer b = buffer;
        int length = b.getInt(position + LENGTH_OFFSET);
        if (length != expectedLength || b.getInt(position + ID_LENGTH_OFFSET) != id.length
                || b.getLong(position + SEQUENCE_OFFSET) != sequenceNr) {
            return null;
        }
        int payloadLength = b.getInt(position + PAYLOAD_LENGTH_OFFSET);
        if (recordLength(id.length, payloadLength) != length) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(b.slice(position + CRC_START, length - CRC_START));
        if ((int) crc.getValue() != b.getInt(position + CRC_OFFSET)) {
            return null;
        }
        if (b.slice(position + RECORD_HEADER_LENGTH, id.length).mismatch(ByteBuffer.wrap(id)) != -1) {
            return null;
        }
        byte[] payload = new byte[payloadLength];
        b.get(position + RECORD_HEADER_LENGTH + id.length, payload);
        return new StoredRecord(persistenceId, sequenceNr, b.getLong(position + TIMESTAMP_OFFSET), b.getInt(position + TAG_HASH_OFFSET), payload);
    }

    /** Decodes the persistence id of a record already validated by the scan. */
    String idAt(int position) {
        int idLength = buffer.getInt(position + ID_LENGTH_OFFSET);
        byte[] id = new byte[idLength];
        buffer.get(position + RECORD_HEADER_LENGTH, id);
        return new String(id, StandardCharsets.UTF_8);
    }

    /**
     * Forces the file's data to disk (fdatasync; on Linux this writes the mapping's dirty pages).
     *
     * @throws IOException when the disk reports a failure or the channel is closed
     */
    void force() throws IOException {
        channel.force(false);
    }

    /**
     * Turns everything from {@code position} to the end of the file back into zeros (a sparse hole), durably.
     * Recovery only, before any reader exists.
     */
    void punchFrom(int position) throws IOException {
        channel.truncate(position);
        channel.write(ByteBuffer.allocate(1), size - 1L);
        channel.force(true);
    }

    void close() throws IOException {
        channel.close();
    }
}
