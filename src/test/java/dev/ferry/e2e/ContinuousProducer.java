package dev.ferry.e2e;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A producer for the process tests: sends one message at a time until finished ("topic-n", or "topic-node-n" when
 * it always goes through one node), queues round robin, through a random live node unless told one, and keeps
 * every acknowledgement with the times it was issued and answered. Unanswered or refused sends are simply not
 * acknowledged: the tests compare what was acknowledged with what the queues hold afterwards.
 */
final class ContinuousProducer extends Thread {

    /** One acknowledged send. */
    record Ack(int queue, long offset, String body, long issuedAt, long ackedAt) {}

    private final NodeProcesses cluster;
    private final String topic;
    private final int queues;
    private final Integer node;
    private final Duration timeout;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
    /** A node about to be stopped: taken out of the rotation first, as a load balancer would. */
    private volatile int avoid = -1;

    /** @param node the node every send goes through, or null for a random live node each time */
    ContinuousProducer(NodeProcesses cluster, String topic, int queues, Integer node, Duration timeout) {
        super("producer-" + topic + (node == null ? "" : "-" + node));
        this.cluster = cluster;
        this.topic = topic;
        this.queues = queues;
        this.node = node;
        this.timeout = timeout;
        setDaemon(true);
    }

    String topic() {
        return topic;
    }

    @Override
    public void run() {
        long n = 0;
        while (!stop.get()) {
            int queue = (int) (n % queues);
            String body = topic + "-" + (node == null ? "" : node + "-") + n++;
            long issuedAt = System.nanoTime();
            try {
                int via = node != null ? node : cluster.anyLive();
                if (via == avoid) continue;
                HttpResponse<String> r = cluster.send("POST", via, "/topics/" + topic + "/messages", "text/plain", body, timeout,
                        "Ferry-Queue", Integer.toString(queue));
                if (r.statusCode() == 201) {
                    long offset = NodeProcesses.JSON.readTree(r.body()).path("offset").asLong();
                    acks.add(new Ack(queue, offset, body, issuedAt, System.nanoTime()));
                } else {
                    Thread.sleep(50);
                }
            } catch (IOException | IllegalStateException unavailable) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void avoid(int node) {
        avoid = node;
    }

    int acked() {
        return acks.size();
    }

    List<Ack> acks() {
        synchronized (acks) {
            return List.copyOf(acks);
        }
    }

    /** The bodies acknowledged on {@code queue}, in acknowledgement order. */
    List<String> acked(int queue) {
        List<String> out = new ArrayList<>();
        for (Ack a : acks()) if (a.queue() == queue) out.add(a.body());
        return out;
    }

    void awaitAcks(int more, int seconds) throws InterruptedException {
        int target = acked() + more;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (acked() < target) {
            if (System.nanoTime() > deadline) fail(topic + ": no " + more + " acknowledged sends in " + seconds + " s; logs in " + cluster.home());
            Thread.sleep(20);
        }
    }

    /** Milliseconds from {@code since} (System.nanoTime) to the acknowledgement of the first send issued after it. */
    long firstAckIssuedAfter(long since, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int from = 0;
        while (System.nanoTime() < deadline) {
            synchronized (acks) {
                for (int i = from; i < acks.size(); i++)
                    if (acks.get(i).issuedAt() > since) return TimeUnit.NANOSECONDS.toMillis(acks.get(i).ackedAt() - since);
                from = acks.size();
            }
            Thread.sleep(5);
        }
        fail(topic + ": no send acknowledged within " + seconds + " s; logs in " + cluster.home());
        return -1;
    }

    void finish() throws InterruptedException {
        stop.set(true);
        join(30_000);
    }

    // ------------------------------------------------------------------ comparing with the log

    record Check(List<String> lost, List<String> duplicated, int outOfOrder) {}

    /** Compares what was acknowledged on one queue (in acknowledgement order) with its log (in offset order). */
    static Check check(List<String> acked, List<String> log) {
        Map<String, Integer> position = new HashMap<>();
        List<String> duplicated = new ArrayList<>();
        for (int i = 0; i < log.size(); i++) if (position.put(log.get(i), i) != null) duplicated.add(log.get(i));
        List<String> lost = new ArrayList<>();
        int outOfOrder = 0;
        int last = -1;
        for (String body : acked) {
            Integer at = position.get(body);
            if (at == null) {
                lost.add(body);
                continue;
            }
            if (at < last) outOfOrder++;
            last = at;
        }
        return new Check(lost, duplicated, outOfOrder);
    }
}
