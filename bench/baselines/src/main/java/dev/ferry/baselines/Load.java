package dev.ferry.baselines;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load tool of bench/baselines.sh: Kafka and RocketMQ driven through their official clients, measured the way
 * {@code ferry bench produce/consume} measures Ferry (msgs/s over the timed part after an untimed warm-up; latency
 * from the send call to its acknowledgement, HdrHistogram; a progress line every 5 s on stderr, the summary as one
 * JSON line on stdout with the keys of {@code ferry bench produce --json}).
 *
 * <pre>
 *   Load kafka|rocketmq create-topic --servers ADDR [--broker ADDR] --topic T [--queues 4] [--probe true|false] [--topic-config k=v,k=v]
 *   Load kafka|rocketmq produce --servers ADDR --topic T --mode sync|async [--producers N] [--clients shared|own]
 *        [--window W] [--size 1024] [--warmup S] [--duration S | --messages N]
 *   Load kafka|rocketmq consume --servers ADDR --topic T [--consumers 4]
 * </pre>
 *
 * produce, mode sync: N threads, each sending one message and waiting for its acknowledgement before the next
 * (N in flight). mode async: each of N threads keeps W messages in flight with the client's asynchronous send and a
 * callback (N x W in flight), as kafka-producer-perf-test does with an unbounded window. clients shared: all threads
 * use one producer client (thread-safe in both systems, the usual way to use them); own: one client each.
 * --servers is Kafka's bootstrap servers or RocketMQ's name server; --broker is the RocketMQ master for create-topic.
 */
public final class Load {

    public static void main(String[] args) throws Exception {
        if (args.length < 2) usage();
        String system = args[0];
        String action = args[1];
        Map<String, String> o = new HashMap<>();
        for (int i = 2; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) usage();
            o.put(args[i].substring(2), args[i + 1]);
        }
        String topic = o.getOrDefault("topic", "bench");
        MqSystem sys = switch (system) {
            case "kafka" -> new KafkaSystem(req(o, "servers"), topicConfigs(o.getOrDefault("topic-config", "")));
            case "rocketmq" -> new RocketMqSystem(req(o, "servers"), o.getOrDefault("broker", ""));
            default -> throw usage();
        };
        int code = switch (action) {
            case "create-topic" -> {
                sys.createTopic(topic, Integer.parseInt(o.getOrDefault("queues", "4")), Boolean.parseBoolean(o.getOrDefault("probe", "true")));
                System.err.println("topic " + topic + " ready");
                yield 0;
            }
            case "produce" -> produce(system, sys, topic, o);
            case "consume" -> consume(system, sys, topic, o);
            default -> throw usage();
        };
        System.exit(code);
    }

    private static int produce(String system, MqSystem sys, String topic, Map<String, String> o) throws Exception {
        String mode = o.getOrDefault("mode", "sync");
        int producers = Integer.parseInt(o.getOrDefault("producers", "1"));
        boolean own = o.getOrDefault("clients", "shared").equals("own");
        int window = mode.equals("async") ? Integer.parseInt(o.getOrDefault("window", "64")) : 1;
        int size = Integer.parseInt(o.getOrDefault("size", "1024"));
        long total = Long.parseLong(o.getOrDefault("messages", "0"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", total > 0 ? "0" : "20"));
        int duration = Integer.parseInt(o.getOrDefault("duration", "20"));
        if (!mode.equals("sync") && !mode.equals("async")) throw usage();

        byte[] payload = new byte[size];
        new Random(42).nextBytes(payload);
        List<MqSystem.Producer> clients = new ArrayList<>();
        for (int i = 0; i < (own ? producers : 1); i++) clients.add(sys.producer("p" + i));

        System.err.printf(Locale.ROOT, "produce: %s topic=%s mode=%s producers=%d clients=%s size=%d, in flight %d, warm-up %ds, %s%n",
                system, topic, mode, producers, own ? "own" : "shared", size, producers * window, warmup,
                total > 0 ? "until " + total + " messages" : "measuring " + duration + "s");
        Stats stats = new Stats();
        AtomicLong budget = new AtomicLong(total > 0 ? total : Long.MAX_VALUE);
        long start = System.nanoTime();
        long warmupEnd = start + TimeUnit.SECONDS.toNanos(warmup);
        long deadline = total > 0 ? Long.MAX_VALUE : warmupEnd + TimeUnit.SECONDS.toNanos(duration);
        stats.start(start);
        if (warmup == 0) stats.startMeasuring(start);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();

        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < producers; i++) {
            MqSystem.Producer client = clients.get(own ? i : 0);
            Runnable body = mode.equals("sync") ? () -> {
                while (!stop.get() && budget.getAndDecrement() > 0) {
                    long t0 = System.nanoTime();
                    try {
                        client.send(topic, payload);
                        stats.acknowledged(1, size, System.nanoTime() - t0);
                    } catch (Exception e) {
                        stats.failed(e.toString());
                    }
                }
            } : () -> {
                Semaphore inFlight = new Semaphore(window);
                try {
                    while (!stop.get() && budget.getAndDecrement() > 0) {
                        inFlight.acquire();
                        long t0 = System.nanoTime();
                        client.sendAsync(topic, payload, error -> {
                            if (error == null) stats.acknowledged(1, size, System.nanoTime() - t0);
                            else stats.failed(error);
                            inFlight.release();
                        });
                    }
                    if (!inFlight.tryAcquire(window, 30, TimeUnit.SECONDS)) {
                        System.err.println("produce: acknowledgements still missing 30 s after the end");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            Thread t = new Thread(body, "producer-" + i);
            t.start();
            threads.add(t);
        }

        long nextReport = start + TimeUnit.SECONDS.toNanos(5);
        while (threads.stream().anyMatch(Thread::isAlive)) {
            long now = System.nanoTime();
            if (!stats.measuring() && now - warmupEnd >= 0) stats.startMeasuring(now);
            if (now - deadline >= 0) stop.set(true);
            if (now - nextReport >= 0) {
                System.err.println(stats.report(now));
                nextReport += TimeUnit.SECONDS.toNanos(5);
            }
            if (now - deadline > TimeUnit.SECONDS.toNanos(40)) {
                System.err.println("produce: producers still busy 40 s after the end; giving up on them");
                break;
            }
            Thread.sleep(20);
        }
        long end = System.nanoTime();
        if (!stats.measuring()) stats.startMeasuring(end);
        System.out.println(stats.summaryJson(end, String.format(Locale.ROOT,
                "\"system\":\"%s\",\"mode\":\"%s\",\"clients\":\"%s\",\"producers\":%d,\"size\":%d,\"inFlight\":%d,",
                system, mode, own ? "own" : "shared", producers, size, producers * window)));
        for (MqSystem.Producer c : clients) c.close();
        return stats.errors() > 0 ? 1 : 0;
    }

    private static int consume(String system, MqSystem sys, String topic, Map<String, String> o) throws Exception {
        int consumers = Integer.parseInt(o.getOrDefault("consumers", "4"));
        Stats stats = new Stats();
        Thread reporter = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(5000);
                    System.err.println(stats.report(System.nanoTime()));
                }
            } catch (InterruptedException e) {
                // done
            }
        }, "reporter");
        reporter.setDaemon(true);
        reporter.start();
        sys.drain(topic, consumers, stats);
        reporter.interrupt();
        long end = stats.lastMessageNanos() != 0 ? stats.lastMessageNanos() : System.nanoTime();
        System.out.println(stats.summaryJson(end, String.format(Locale.ROOT,
                "\"system\":\"%s\",\"mode\":\"drain\",\"consumers\":%d,", system, consumers)));
        if (stats.errors() > 0) System.err.println("consume: " + stats.errors() + " errors; first: " + stats.firstError());
        return stats.errors() > 0 ? 1 : 0;
    }

    private static Map<String, String> topicConfigs(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : s.split(",")) {
            if (kv.isBlank()) continue;
            String[] p = kv.split("=", 2);
            m.put(p[0].trim(), p[1].trim());
        }
        return m;
    }

    private static String req(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null) throw usage();
        return v;
    }

    private static IllegalArgumentException usage() {
        System.err.println("usage: Load kafka|rocketmq create-topic|produce|consume --servers ADDR [--topic T] [options] (see the class comment)");
        System.exit(2);
        return new IllegalArgumentException();
    }
}
