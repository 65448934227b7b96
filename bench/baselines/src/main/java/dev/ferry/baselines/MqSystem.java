package dev.ferry.baselines;

import java.util.function.Consumer;

/** What the load tool needs of a reference system: a topic, producers, and a drain of the topic's backlog. */
interface MqSystem {

    /**
     * Creates the topic with {@code queues} queues (partitions) unless it exists, and waits until producers can
     * reach every queue; with {@code probe}, until a send of one small message to it succeeds (for a RocketMQ
     * SYNC_MASTER: until its slave has connected). Without, the topic stays empty (the drain's backlog is exact).
     */
    void createTopic(String topic, int queues, boolean probe) throws Exception;

    /** A new producer client; {@code id} tells clients apart (each is its own client instance and connection). */
    Producer producer(String id) throws Exception;

    /**
     * Reads every queue of the topic from its first offset up to its last offset as it stands when the drain starts,
     * with {@code consumers} consumers (queue q is read by consumer q mod consumers), counting into {@code stats};
     * returns once all is read or nothing arrived for 30 s.
     */
    void drain(String topic, int consumers, Stats stats) throws Exception;

    interface Producer extends AutoCloseable {
        /** Sends one message and waits for its acknowledgement; throws if it failed. */
        void send(String topic, byte[] payload) throws Exception;

        /** Sends one message; {@code done} gets null once it is acknowledged, or what went wrong. */
        void sendAsync(String topic, byte[] payload, Consumer<String> done);

        @Override
        void close();
    }
}
