package dev.ferry.store;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

import static dev.ferry.store.SegmentDescriptor.ORDER;

/**
 * The writer's own small mapping of the part of a segment it is writing ASYNC records into, unmapped as soon as the
 * writer moves past it. A force has to write-protect every dirty page that is mapped writable before writing it back
 * (a TLB shootdown: an inter-processor interrupt per page, dear on a VM: 17 % of the machine in the journal benchmark
 * with the writer writing through the segment's whole mapping). Pages the writer has left are mapped by no one, or only
 * read-only by readers, so a force writes them back without interrupts; unmapping a window is one range flush.
 *
 * <p>Threading: the writer's alone (the store's writer lock). Readers never see a window: they read through the
 * segment's own mapping, which is never unmapped while a reader can hold it, so unmapping a window cannot make a
 * reader touch an unmapped page.
 */
final class WriterWindow {

    /** Bytes mapped at a time (more when one record is larger). */
    static final int SIZE = 1 << 20;

    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private final FileChannel channel;
    private final int segmentSize;
    private MappedByteBuffer mapping;
    private ByteBuffer out;
    private ByteBuffer crcView;
    private int start;
    private int end;

    WriterWindow(FileChannel channel, int segmentSize) {
        this.channel = channel;
        this.segmentSize = segmentSize;
    }

    /** A buffer positioned at segment position {@code position} with at least {@code length} bytes of room. */
    ByteBuffer at(int position, int length) throws IOException {
        if (mapping == null || position < start || position + (long) length > end) {
            release();
            int from = position & -StoreConfig.PAGE_SIZE;
            int to = (int) Math.min(segmentSize, Math.max((long) from + SIZE, position + (long) length));
            mapping = channel.map(FileChannel.MapMode.READ_WRITE, from, to - from);
            mapping.order(ORDER);
            out = mapping.duplicate().order(ORDER);
            crcView = mapping.duplicate().order(ORDER);
            start = from;
            end = to;
        }
        out.limit(end - start).position(position - start);
        return out;
    }

    /** A second view of the current window for the CRC (see {@link Segment#encodeRecord}). */
    ByteBuffer crcView() {
        return crcView;
    }

    /** Unmaps the window now (the writer has left it, rolled to another segment, or the store closes). */
    void release() {
        MappedByteBuffer m = mapping;
        mapping = null;
        out = null;
        crcView = null;
        if (m != null && INVOKE_CLEANER != null) {
            try {
                INVOKE_CLEANER.invoke(m);
            } catch (Throwable e) {
                // left to the garbage collector, which unmaps it when the buffer is collected
            }
        }
    }

    /** {@code sun.misc.Unsafe.invokeCleaner} (jdk.unsupported, as Kafka and RocketMQ use it), or null without it. */
    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(theUnsafe.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
