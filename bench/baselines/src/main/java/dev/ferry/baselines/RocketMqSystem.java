package dev.ferry.baselines;

import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * RocketMQ through the official remoting client (rocketmq-client, DefaultMQProducer / DefaultLitePullConsumer).
 * A send counts as acknowledged only with SendStatus.SEND_OK: under SYNC_FLUSH a FLUSH_DISK_TIMEOUT, and under a
 * SYNC_MASTER a FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE, is a send that did not get the promised durability and is
 * counted as an error. The send timeout is raised from 3 s to 10 s so CPU starvation on the shared 2 cores shows as
 * latency rather than as failed sends (the client would otherwise retry them on its own).
 */
final class RocketMqSystem implements MqSystem {

    private final String namesrv;
    private final String broker;

    /** @param broker the master's address, where topics are created (as mqadmin updateTopic -b does) */
    RocketMqSystem(String namesrv, String broker) {
        this.namesrv = namesrv;
        this.broker = broker;
    }

    @Override
    public void createTopic(String topic, int queues, boolean probe) throws Exception {
        DefaultMQProducer admin = new DefaultMQProducer("bench-admin");
        admin.setNamesrvAddr(namesrv);
        admin.setInstanceName("bench-admin");
        admin.start();
        try {
            TopicConfig tc = new TopicConfig(topic, queues, queues);
            admin.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl().createTopic(broker, "TBW102", tc, 10_000);
            // The route reaches the name server with the broker's registration; a SYNC_MASTER answers
            // SLAVE_NOT_AVAILABLE until its slave has connected: with probe, wait until a send is SEND_OK.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            String last = "";
            while (System.nanoTime() < until) {
                try {
                    List<MessageQueue> route = admin.fetchPublishMessageQueues(topic);
                    if (route.size() < queues) {
                        last = "route has " + route.size() + " queues";
                        Thread.sleep(500);
                        continue;
                    }
                    if (!probe) return;
                    SendResult r = admin.send(new Message(topic, new byte[1]));
                    if (r.getSendStatus() == SendStatus.SEND_OK) return;
                    last = r.getSendStatus().toString();
                } catch (Exception e) {
                    last = e.toString();
                }
                Thread.sleep(1000);
            }
            throw new IllegalStateException("topic " + topic + " not writable after 120 s: " + last);
        } finally {
            admin.shutdown();
        }
    }

    @Override
    public Producer producer(String id) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("bench-producer");
        p.setNamesrvAddr(namesrv);
        p.setInstanceName("bench-" + id); // a client instance (and connection) of its own
        p.setSendMsgTimeout(10_000);
        p.start();
        return new Producer() {
            @Override
            public void send(String topic, byte[] payload) throws Exception {
                SendResult r = p.send(new Message(topic, payload));
                if (r.getSendStatus() != SendStatus.SEND_OK) throw new IllegalStateException(r.getSendStatus().toString());
            }

            @Override
            public void sendAsync(String topic, byte[] payload, Consumer<String> done) {
                try {
                    p.send(new Message(topic, payload), new SendCallback() {
                        @Override
                        public void onSuccess(SendResult r) {
                            done.accept(r.getSendStatus() == SendStatus.SEND_OK ? null : r.getSendStatus().toString());
                        }

                        @Override
                        public void onException(Throwable e) {
                            done.accept(e.toString());
                        }
                    });
                } catch (Exception e) {
                    done.accept(e.toString());
                }
            }

            @Override
            public void close() {
                p.shutdown();
            }
        };
    }

    @Override
    public void drain(String topic, int consumers, Stats stats) throws Exception {
        List<MessageQueue> queues;
        Map<MessageQueue, Long> end = new HashMap<>();
        DefaultMQProducer admin = new DefaultMQProducer("bench-admin");
        admin.setNamesrvAddr(namesrv);
        admin.setInstanceName("bench-admin");
        admin.start();
        try {
            queues = admin.fetchPublishMessageQueues(topic);
            for (MessageQueue mq : queues) end.put(mq, admin.maxOffset(mq));
        } finally {
            admin.shutdown();
        }
        long backlog = end.values().stream().mapToLong(Long::longValue).sum();
        System.err.printf("drain: rocketmq topic %s, %d queues, backlog %,d, %d consumers%n", topic, queues.size(), backlog, consumers);
        long start = System.nanoTime();
        stats.start(start);
        stats.startMeasuring(start);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            List<MessageQueue> mine = new ArrayList<>();
            for (int q = i; q < queues.size(); q += consumers) mine.add(queues.get(q));
            int k = i;
            Thread t = new Thread(() -> {
                // One lite pull consumer (its own client instance and connection) per reader, assigned its queues and
                // reading them from offset 0. pullBatchSize 32 = the broker's default cap per pull
                // (maxTransferCountOnMessageInMemory); the client's default is 10.
                DefaultLitePullConsumer c = new DefaultLitePullConsumer("bench-drain-" + k);
                c.setNamesrvAddr(namesrv);
                c.setInstanceName("bench-drain-" + k);
                c.setAutoCommit(false);
                c.setPullBatchSize(32);
                c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
                try {
                    c.start();
                    c.assign(mine);
                    for (MessageQueue mq : mine) c.seek(mq, 0);
                    Map<Integer, Long> next = new HashMap<>();
                    List<MessageQueue> open = new ArrayList<>(mine);
                    open.removeIf(mq -> end.get(mq) == 0);
                    long lastProgress = System.nanoTime();
                    while (!open.isEmpty() && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(30)) {
                        List<MessageExt> msgs = c.poll(500);
                        if (msgs.isEmpty()) continue;
                        lastProgress = System.nanoTime();
                        long bytes = 0;
                        int n = 0;
                        for (MessageExt m : msgs) {
                            MessageQueue mq = new MessageQueue(m.getTopic(), m.getBrokerName(), m.getQueueId());
                            Long limit = end.get(mq);
                            if (limit != null && m.getQueueOffset() < limit) {
                                n++;
                                bytes += m.getBody().length;
                                next.merge(m.getQueueId(), m.getQueueOffset() + 1, Math::max);
                            }
                        }
                        stats.received(n, bytes);
                        open.removeIf(mq -> next.getOrDefault(mq.getQueueId(), 0L) >= end.get(mq));
                    }
                    if (!open.isEmpty()) stats.failed("no message for 30 s on " + open);
                } catch (Exception e) {
                    stats.failed(e.toString());
                } finally {
                    c.shutdown();
                }
            }, "drain-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) t.join();
    }
}
