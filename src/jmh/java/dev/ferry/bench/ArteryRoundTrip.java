package dev.ferry.bench;

import akka.actor.AbstractActor;
import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.actor.Props;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The floor under one-in-flight sync replication: Akka Artery (TCP, loopback) round trips between two JVMs with a
 * node's remote settings (ferry-akka.conf: one inbound lane, remote streams on the default dispatcher), one 1 KiB
 * message in flight, as a master shipping one record and waiting for the replica's ack. Not shipped; run
 *
 * <pre>
 * java -cp target/benchmarks.jar dev.ferry.bench.ArteryRoundTrip pong 25700 &amp;
 * java -cp target/benchmarks.jar dev.ferry.bench.ArteryRoundTrip ping 25701 25700 10 20
 * </pre>
 * ({@code ping PORT PONG_PORT WARMUP_S SECONDS}; {@code local} instead of {@code ping} runs both actors in one JVM).
 */
public final class ArteryRoundTrip {

    public static void main(String[] args) throws Exception {
        String role = args[0];
        int port = Integer.parseInt(args[1]);
        ActorSystem system = ActorSystem.create("rt", config(port));
        if (role.equals("pong")) {
            system.actorOf(Props.create(Pong.class), "pong");
            return; // runs until killed
        }
        int warmup = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        ActorRef pong = role.equals("local") ? system.actorOf(Props.create(Pong.class), "pong")
                : system.actorSelection("akka://rt@127.0.0.1:" + args[2] + "/user/pong").resolveOne(Duration.ofSeconds(30))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
        CompletableFuture<String> result = new CompletableFuture<>();
        system.actorOf(Props.create(Ping.class, () -> new Ping(pong, warmup, seconds, result)), "ping");
        System.out.println(result.get(warmup + seconds + 60, TimeUnit.SECONDS));
        system.terminate();
    }

    private static Config config(int port) {
        return ConfigFactory.parseString("""
                akka.loglevel = WARNING
                akka.actor.provider = remote
                akka.actor.default-dispatcher.fork-join-executor.parallelism-min = 2
                akka.actor.default-dispatcher.throughput = 20
                akka.remote.artery.canonical.hostname = 127.0.0.1
                akka.remote.artery.canonical.port = %d
                akka.remote.artery.advanced.inbound-lanes = 1
                akka.remote.artery.advanced.use-dispatcher = "akka.actor.default-dispatcher"
                """.formatted(port)).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    /** Answers every message with an 8-byte ack, as a replica acknowledges a shipment. */
    public static final class Pong extends AbstractActor {
        private static final byte[] ACK = new byte[8];

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(byte[].class, m -> getSender().tell(ACK, getSelf())).build();
        }
    }

    /** One 1 KiB message in flight; records each round trip after the warm-up. */
    public static final class Ping extends AbstractActor {
        private final ActorRef pong;
        private final long warmupEnd;
        private final long end;
        private final CompletableFuture<String> result;
        private final byte[] record = new byte[1024];
        private final Histogram rtt = new Histogram(3);
        private long sentAt;
        private long count;

        Ping(ActorRef pong, int warmup, int seconds, CompletableFuture<String> result) {
            this.pong = pong;
            this.warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
            this.end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
            this.result = result;
        }

        @Override
        public void preStart() {
            send();
        }

        private void send() {
            sentAt = System.nanoTime();
            pong.tell(record, getSelf());
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(byte[].class, ack -> {
                long now = System.nanoTime();
                if (now > warmupEnd) {
                    rtt.recordValue((now - sentAt) / 1000);
                    count++;
                }
                if (now < end) {
                    send();
                } else {
                    double s = (now - warmupEnd) / 1e9;
                    result.complete(String.format(Locale.ROOT, "RESULT round_trips_per_s=%.0f p50_us=%d p99_us=%d p999_us=%d n=%d",
                            count / s, rtt.getValueAtPercentile(50), rtt.getValueAtPercentile(99), rtt.getValueAtPercentile(99.9), count));
                }
            }).build();
        }
    }
}
