package dev.ferry.cli.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Many request/response producers on one thread: each producer is a keep-alive connection with one request
 * in flight ({@link SendMode#single}: one raw message; {@link SendMode#batch}: one JSON batch), driven by a
 * selector. On this 2-core machine the load tool competes with the node for CPU, and one selector thread
 * costs a fraction of what 64 blocking threads cost in wake-ups (BENCHMARKS.md, "Choosing the load tool's
 * client"). Requests are prebuilt once; a response is read just far enough to learn its status and skip its
 * Content-Length body. With {@code --rate}, a producer whose next messages are not due yet waits in the
 * selector's timeout, and latency is timed from the due time.
 */
final class RequestLoop implements Runnable {

    private final Workload work;
    private final SendMode mode;
    private final int connections;
    private final Budget budget;
    private final Pacer pacer;
    private final BenchStats stats;
    private final int messagesPerRequest;
    private final byte[] fullBody;

    RequestLoop(Workload work, SendMode mode, int connections, Budget budget, Pacer pacer, BenchStats stats) {
        if (mode == SendMode.stream) {
            throw new IllegalArgumentException("streaming sends use StreamProducer");
        }
        this.work = work;
        this.mode = mode;
        this.connections = connections;
        this.budget = budget;
        this.pacer = pacer;
        this.stats = stats;
        this.messagesPerRequest = mode == SendMode.single ? 1 : work.batchSize();
        this.fullBody = mode == SendMode.single ? work.payload() : work.batchBody(work.batchSize());
    }

    @Override
    public void run() {
        List<Producer> producers = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open();
                ch.socket().setTcpNoDelay(true);
                ch.connect(new InetSocketAddress(work.url().getHost(), work.url().getPort() == -1 ? 80 : work.url().getPort()));
                ch.configureBlocking(false);
                Producer p = new Producer(ch, ch.register(selector, 0));
                p.key.attach(p);
                producers.add(p);
            }
            int active = producers.size();
            for (Producer p : producers) {
                if (!p.next()) {
                    active--;
                }
            }
            while (active > 0) {
                long earliest = earliestDue(producers);
                long wait = earliest == Long.MAX_VALUE ? Long.MAX_VALUE : earliest - System.nanoTime();
                if (wait <= 0) {
                    selector.selectNow();
                } else {
                    selector.select(Math.min(1000, Math.max(1, wait / 1_000_000)));
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    Producer p = (Producer) key.attachment();
                    if (key.isWritable()) {
                        p.write();
                    } else if (key.isReadable() && p.read() && !p.next()) {
                        active--;
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                for (Producer p : producers) {
                    if (p.waiting && p.due - now <= 0) {
                        p.waiting = false;
                        p.send();
                    }
                }
            }
        } catch (IOException e) {
            stats.failed(1, "connection to " + work.url() + " failed: " + e);
            budget.stop();
        } finally {
            for (Producer p : producers) {
                try {
                    p.channel.close();
                } catch (IOException ignored) {
                    // closing after the run; nothing left to report
                }
            }
        }
    }

    private static long earliestDue(List<Producer> producers) {
        long min = Long.MAX_VALUE;
        for (Producer p : producers) {
            if (p.waiting && p.due < min) {
                min = p.due;
            }
        }
        return min;
    }

    private ByteBuffer head(int bodyLength) {
        String target = work.topicPath() + (mode == SendMode.single ? "/messages" : "/messages:batch");
        String type = mode == SendMode.single ? "application/octet-stream" : "application/json";
        String host = work.url().getHost() + ":" + work.url().getPort();
        String extra = mode == SendMode.single ? work.singleSendHeaders() : "";
        return ByteBuffer.wrap(("POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: " + type
                + "\r\nContent-Length: " + bodyLength + "\r\n" + extra + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** One connection and its one request in flight. */
    private final class Producer {
        final SocketChannel channel;
        final SelectionKey key;
        final ByteBuffer fullHead = head(fullBody.length);
        final ByteBuffer[] request = new ByteBuffer[2];
        ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        int messages;
        long due;
        boolean waiting;

        Producer(SocketChannel channel, SelectionKey key) {
            this.channel = channel;
            this.key = key;
        }

        /** Claims the next request's messages and sends it, or schedules it; false when the run is over. */
        boolean next() throws IOException {
            messages = budget.claim(messagesPerRequest);
            if (messages == 0) {
                key.cancel();
                return false;
            }
            if (messages == messagesPerRequest) {
                request[0] = fullHead.duplicate();
                request[1] = ByteBuffer.wrap(fullBody);
            } else {
                byte[] body = work.batchBody(messages);
                request[0] = head(body.length);
                request[1] = ByteBuffer.wrap(body);
            }
            due = pacer.reserve(messages);
            if (due - System.nanoTime() > 0) {
                waiting = true;
                key.interestOps(0);
            } else {
                send();
            }
            return true;
        }

        void send() throws IOException {
            channel.write(request);
            key.interestOps(request[1].hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        void write() throws IOException {
            channel.write(request);
            if (!request[1].hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        /** Reads what arrived; true once a whole response is in and recorded. */
        boolean read() throws IOException {
            if (!in.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                in.flip();
                bigger.put(in);
                in = bigger;
            }
            if (channel.read(in) < 0) {
                throw new IOException("the node closed the connection");
            }
            int headEnd = headEnd(in);
            if (headEnd < 0) {
                return false;
            }
            String head = new String(in.array(), 0, headEnd, StandardCharsets.ISO_8859_1);
            int length = contentLength(head);
            if (in.position() < headEnd + 4 + length) {
                return false;
            }
            long latency = System.nanoTime() - due;
            int status = Integer.parseInt(head.substring(9, 12));
            if (status / 100 == 2) {
                stats.acknowledged(messages, (long) messages * work.messageSize(), latency);
            } else {
                stats.failed(messages, "HTTP " + status + " " + new String(in.array(), headEnd + 4, length, StandardCharsets.UTF_8));
            }
            int consumed = headEnd + 4 + length;
            in.flip();
            in.position(consumed);
            in.compact();
            return true;
        }
    }

    private static int headEnd(ByteBuffer in) {
        byte[] a = in.array();
        for (int i = 3; i < in.position(); i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                return i - 3;
            }
        }
        return -1;
    }

    private static int contentLength(String head) throws IOException {
        int at = 0;
        while ((at = head.indexOf('\n', at)) >= 0) {
            at++;
            if (head.regionMatches(true, at, "Content-Length:", 0, 15)) {
                int end = head.indexOf('\r', at);
                return Integer.parseInt(head.substring(at + 15, end < 0 ? head.length() : end).trim());
            }
        }
        throw new IOException("response without Content-Length (chunked answers to sends are not expected): " + head);
    }
}
