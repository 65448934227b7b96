package dev.ferry.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One producer on one long NDJSON POST: this thread writes message lines while a reader thread takes the
 * acknowledgement lines the node streams back, in order. At most {@code window} messages are unacknowledged;
 * their send times sit in a ring indexed by sequence number, so the n-th ack line times the n-th message.
 * Lines that become available together are written as one HTTP chunk, which is what lets the node batch.
 */
final class StreamProducer implements Runnable {

    /** Lines per HTTP chunk at most; keeps one chunk around 64 KiB for 1 KiB messages. */
    private static final int MAX_LINES_PER_CHUNK = 64;

    private final Workload work;
    private final Budget budget;
    private final Pacer pacer;
    private final BenchStats stats;
    private final Semaphore window;
    private final AtomicLongArray sentAt;
    private volatile long sent;
    private volatile boolean writerDone;

    StreamProducer(Workload work, Budget budget, Pacer pacer, BenchStats stats) {
        this.work = work;
        this.budget = budget;
        this.pacer = pacer;
        this.stats = stats;
        this.window = new Semaphore(work.window());
        this.sentAt = new AtomicLongArray(work.window());
    }

    @Override
    public void run() {
        try (HttpConnection conn = HttpConnection.open(work.url())) {
            conn.writeRaw(conn.head("POST", work.topicPath() + "/messages:batch", "application/x-ndjson", -1));
            conn.flush();
            Thread reader = new Thread(() -> readAcks(conn), "bench-acks-" + Thread.currentThread().getName());
            reader.setDaemon(true);
            reader.start();
            try {
                writeLines(conn);
                conn.endChunks();
            } finally {
                writerDone = true;
            }
            reader.join();
        } catch (IOException e) {
            stats.failed(1, "stream to " + work.url() + " failed: " + e);
            budget.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLines(HttpConnection conn) throws IOException, InterruptedException {
        byte[] line = work.ndjsonLine();
        byte[] chunk = new byte[line.length * MAX_LINES_PER_CHUNK];
        long seq = 0;
        while (true) {
            window.acquire();
            int free = 1 + window.drainPermits();
            int wanted = Math.min(free, MAX_LINES_PER_CHUNK);
            int n = budget.claim(wanted);
            window.release(free - n);
            if (n == 0) {
                return;
            }
            long due = pacer.awaitDue(n);
            for (int i = 0; i < n; i++) {
                System.arraycopy(line, 0, chunk, i * line.length, line.length);
                sentAt.set((int) ((seq + i) % sentAt.length()), due);
            }
            seq += n;
            sent = seq;
            conn.writeChunk(chunk, 0, n * line.length);
            conn.flush();
        }
    }

    private void readAcks(HttpConnection conn) {
        try {
            HttpConnection.ResponseHead head = conn.readHead();
            InputStream body = conn.body(head);
            if (head.status() / 100 != 2) {
                stats.failed(1, "HTTP " + head.status() + " " + new String(body.readAllBytes(), StandardCharsets.UTF_8));
                return;
            }
            byte[] buf = new byte[64 * 1024];
            int filled = 0;
            long seq = 0;
            while (true) {
                if (filled == buf.length) {
                    throw new IOException("an acknowledgement line longer than " + buf.length + " bytes");
                }
                int n = body.read(buf, filled, buf.length - filled);
                if (n < 0) {
                    break;
                }
                filled += n;
                int lineStart = 0;
                int acked = 0;
                long now = System.nanoTime();
                for (int i = 0; i < filled; i++) {
                    if (buf[i] == '\n') {
                        long latency = now - sentAt.get((int) (seq % sentAt.length()));
                        if (isError(buf, lineStart, i)) {
                            stats.failed(1, new String(buf, lineStart, i - lineStart, StandardCharsets.UTF_8));
                        } else {
                            stats.acknowledged(1, work.messageSize(), latency);
                        }
                        seq++;
                        acked++;
                        lineStart = i + 1;
                    }
                }
                System.arraycopy(buf, lineStart, buf, 0, filled - lineStart);
                filled -= lineStart;
                window.release(acked);
            }
            if (seq < sent) {
                stats.failed((int) Math.min(Integer.MAX_VALUE, sent - seq), "the node ended the stream with " + (sent - seq) + " messages unacknowledged");
            }
        } catch (IOException e) {
            stats.failed(1, "reading acks failed: " + e);
        } finally {
            // The response is over: nothing more will be acknowledged on this stream, so the writer must not wait.
            if (!writerDone) {
                budget.stop();
            }
            window.release(work.window());
        }
    }

    /** An ack line that carries an "error" field; acks never contain that key. */
    private static boolean isError(byte[] b, int from, int to) {
        outer:
        for (int i = from; i + 7 <= to; i++) {
            for (int k = 0; k < ERROR_KEY.length; k++) {
                if (b[i + k] != ERROR_KEY[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static final byte[] ERROR_KEY = "\"error\"".getBytes(StandardCharsets.US_ASCII);
}
