package dev.ferry.baselines;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Kafka through the official client (kafka-clients). Producers use acks=1: with one broker and replication factor 1
 * the leader is the whole in-sync replica set, so acks=all would wait for exactly the same write; acks=1 is stated
 * so idempotence (on by default only with acks=all) does not add its sequence bookkeeping. Everything else is the
 * client's default (linger.ms=0, batch.size=16 KiB, max.in.flight=5, no compression): how an application gets it.
 */
final class KafkaSystem implements MqSystem {

    private final String servers;
    private final Map<String, String> topicConfigs;

    KafkaSystem(String servers, Map<String, String> topicConfigs) {
        this.servers = servers;
        this.topicConfigs = topicConfigs;
    }

    @Override
    public void createTopic(String topic, int queues, boolean probe) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        try (Admin admin = Admin.create(p)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, queues, (short) 1).configs(topicConfigs))).all().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps("ready"))) {
            while (c.partitionsFor(topic).size() < queues || c.partitionsFor(topic).stream().anyMatch(pi -> pi.leader() == null)) {
                if (System.nanoTime() > until) throw new IllegalStateException("topic " + topic + " has no leaders after 60 s");
                Thread.sleep(500);
            }
        }
        if (probe) {
            try (Producer p0 = producer("ready")) {
                while (true) {
                    try {
                        p0.send(topic, new byte[0]);
                        return;
                    } catch (Exception e) {
                        if (System.nanoTime() > until) throw e;
                        Thread.sleep(500);
                    }
                }
            }
        }
    }

    @Override
    public Producer producer(String id) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-" + id);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        KafkaProducer<byte[], byte[]> kp = new KafkaProducer<>(p);
        return new Producer() {
            @Override
            public void send(String topic, byte[] payload) throws Exception {
                kp.send(new ProducerRecord<>(topic, payload)).get();
            }

            @Override
            public void sendAsync(String topic, byte[] payload, Consumer<String> done) {
                try {
                    kp.send(new ProducerRecord<>(topic, payload), (md, e) -> done.accept(e == null ? null : e.toString()));
                } catch (RuntimeException e) {
                    done.accept(e.toString());
                }
            }

            @Override
            public void close() {
                kp.close(Duration.ofSeconds(10));
            }
        };
    }

    private Properties consumerProps(String id) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-" + id);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    @Override
    public void drain(String topic, int consumers, Stats stats) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        Map<TopicPartition, Long> begin;
        Map<TopicPartition, Long> end;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps("offsets"))) {
            c.partitionsFor(topic).forEach(pi -> partitions.add(new TopicPartition(topic, pi.partition())));
            begin = c.beginningOffsets(partitions);
            end = c.endOffsets(partitions);
        }
        long backlog = partitions.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum();
        System.err.printf("drain: kafka topic %s, %d partitions, backlog %,d, %d consumers%n", topic, partitions.size(), backlog, consumers);
        long start = System.nanoTime();
        stats.start(start);
        stats.startMeasuring(start);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            List<TopicPartition> mine = new ArrayList<>();
            for (int q = i; q < partitions.size(); q += consumers) mine.add(partitions.get(q));
            int k = i;
            Thread t = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps("drain-" + k))) {
                    c.assign(mine);
                    mine.forEach(tp -> c.seek(tp, begin.get(tp)));
                    List<TopicPartition> open = new ArrayList<>(mine);
                    open.removeIf(tp -> begin.get(tp) >= end.get(tp));
                    long lastProgress = System.nanoTime();
                    while (!open.isEmpty() && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(30)) {
                        ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
                        if (records.isEmpty()) continue;
                        lastProgress = System.nanoTime();
                        long bytes = 0;
                        int n = 0;
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                                n++;
                                bytes += r.serializedValueSize();
                            }
                        }
                        stats.received(n, bytes);
                        open.removeIf(tp -> c.position(tp) >= end.get(tp));
                    }
                    if (!open.isEmpty()) stats.failed("no message for 30 s on " + open);
                } catch (RuntimeException e) {
                    stats.failed(e.toString());
                }
            }, "drain-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) t.join();
    }
}
