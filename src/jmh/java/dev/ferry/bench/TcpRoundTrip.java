package dev.ferry.bench;

import org.HdrHistogram.Histogram;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The same round trip as {@link ArteryRoundTrip} on a plain TCP connection between two JVMs (blocking sockets, one
 * thread per side, TCP_NODELAY): 1 KiB out, 8 bytes back, one in flight. What a replication channel of its own (as
 * RocketMQ's HA connection) could reach on this machine, against Artery's figure. Not shipped; run
 *
 * <pre>
 * java -cp target/benchmarks.jar dev.ferry.bench.TcpRoundTrip pong 25710 &amp;
 * java -cp target/benchmarks.jar dev.ferry.bench.TcpRoundTrip ping 25710 10 20
 * </pre>
 */
public final class TcpRoundTrip {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        if (args[0].equals("pong")) {
            try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                 Socket s = server.accept()) {
                s.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
                byte[] record = new byte[1024];
                while (true) {
                    in.readFully(record);
                    out.writeLong(0);
                    out.flush();
                }
            } catch (java.io.EOFException done) {
                return;
            }
        }
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(Integer.parseInt(args[2]));
        long end = warmupEnd + TimeUnit.SECONDS.toNanos(Integer.parseInt(args[3]));
        Histogram rtt = new Histogram(3);
        long count = 0;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
            byte[] record = new byte[1024];
            long now = System.nanoTime();
            while (now < end) {
                long sentAt = now;
                out.write(record);
                out.flush();
                in.readLong();
                now = System.nanoTime();
                if (now > warmupEnd) {
                    rtt.recordValue((now - sentAt) / 1000);
                    count++;
                }
            }
        }
        double seconds = (end - warmupEnd) / 1e9;
        System.out.printf(Locale.ROOT, "RESULT round_trips_per_s=%.0f p50_us=%d p99_us=%d p999_us=%d n=%d%n",
                count / seconds, rtt.getValueAtPercentile(50), rtt.getValueAtPercentile(99), rtt.getValueAtPercentile(99.9), count);
    }
}
