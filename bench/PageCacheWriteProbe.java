import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How fast one thread appends 1 KiB records into pages already in the page cache, written through a mapping or with
 * pwrite, while a second thread forces the file every 100 ms (the store's two ways of writing, without the store).
 * It rewrites one 256 MiB file in a loop, so no new page is ever allocated: the figure is the ceiling of a writer on
 * a machine whose page cache is warm.
 *
 *   java bench/PageCacheWriteProbe.java mmap|pwrite SECONDS FILE
 */
public class PageCacheWriteProbe {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int seconds = Integer.parseInt(args[1]);
        Path path = Path.of(args[2]);
        int size = 256 << 20;
        byte[] record = new byte[1084]; // a 1 KiB payload with the store's record header and a short id
        new java.util.Random(1).nextBytes(record);
        ByteBuffer direct = ByteBuffer.allocateDirect(record.length);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        for (long at = 0; at < size; at += 1 << 20) {
            zeros.clear();
            channel.write(zeros, at);
        }
        channel.force(false);
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
        Thread flusher = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(100);
                    channel.force(false);
                }
            } catch (Exception e) {
                // the probe ends
            }
        });
        flusher.setDaemon(true);
        flusher.start();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        long records = 0;
        int position = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                if (position + record.length > size) {
                    position = 0;
                }
                if (mode.equals("pwrite")) {
                    direct.clear();
                    direct.put(record).flip();
                    channel.write(direct, position);
                } else {
                    mapped.put(position, record);
                }
                position += record.length;
                records++;
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        long cpu = os.getProcessCpuTime() - cpu0;
        System.out.printf("%s: %.0f records/s, process CPU %.2f us per record (%.2f cores)%n",
                mode, records / wall, cpu / 1e3 / records, cpu / 1e9 / wall);
    }
}
