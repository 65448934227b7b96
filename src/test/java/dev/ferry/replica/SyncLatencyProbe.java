package dev.ferry.replica;

import akka.actor.typed.javadsl.AskPattern;
import dev.ferry.broker.Broker;
import dev.ferry.broker.TopicSettings;
import dev.ferry.node.FerryNode;
import dev.ferry.node.InJvmCluster;
import dev.ferry.queue.QueueEntity;
import dev.ferry.queue.StoredMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A measurement, not a specification (its name keeps it out of the default test run): sequential Appends straight
 * to a Queue entity of a 1-replica topic, async vs sync replication, three nodes in one JVM. Run with
 * {@code mvn -o -q test -Dtest=SyncLatencyProbe}; medians land in the test's output file (LATENCY lines).
 */
class SyncLatencyProbe {
    @Test
    void measure() throws Exception {
        InJvmCluster c = InJvmCluster.start("l", 3, false, i -> "akka.loglevel = WARNING");
        try {
            for (var rep : List.of(TopicSettings.Replication.ASYNC, TopicSettings.Replication.SYNC, TopicSettings.Replication.ASYNC, TopicSettings.Replication.SYNC)) {
                String topic = "t-" + rep + "-" + System.nanoTime();
                FerryNode n = c.node(0);
                TopicSettings settings = new TopicSettings(1, 1, rep, TopicSettings.Flush.ASYNC, 4 << 20, Map.of());
                AskPattern.<Broker.Command, Broker.Reply>ask(n.services().sharding().entityRefFor(Broker.TYPE_KEY, topic),
                        r -> new Broker.Create(settings, r), Duration.ofSeconds(10), n.system().scheduler()).toCompletableFuture().get();
                InJvmCluster.eventually(30_000, () -> n.services().routes().get(topic).orElseThrow().queues().get(0).inSync().size() == 2);
                String masterName = n.services().routes().get(topic).orElseThrow().queues().get(0).masterNode();
                FerryNode via = c.byName(masterName);
                byte[] body = new byte[1024];
                int N = 3000;
                long[] t = new long[N];
                for (int i = 0; i < N; i++) {
                    StoredMessage m = new StoredMessage("m" + i, body, List.of(), List.of(), Map.of(), System.currentTimeMillis());
                    long t0 = System.nanoTime();
                    Object reply = AskPattern.<QueueEntity.Command, QueueEntity.AppendReply>ask(
                            via.services().sharding().entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, 0)),
                            r -> new QueueEntity.Append(List.of(m), r), Duration.ofSeconds(10), via.system().scheduler()).toCompletableFuture().get();
                    t[i] = System.nanoTime() - t0;
                    if (!(reply instanceof QueueEntity.Appended)) throw new AssertionError(reply);
                }
                long[] s = Arrays.copyOfRange(t, 500, N);
                Arrays.sort(s);
                System.out.printf("LATENCY %s: median %d us, p90 %d us, p99 %d us%n", rep, s[s.length / 2] / 1000, s[s.length * 9 / 10] / 1000, s[s.length * 99 / 100] / 1000);
            }
        } finally {
            c.stop();
        }
    }
}
