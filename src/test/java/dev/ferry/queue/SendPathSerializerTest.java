package dev.ferry.queue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ferry.node.FerryNode;
import dev.ferry.replica.Replica;
import dev.ferry.replica.ShippedRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Round trips through Akka's serialization, with the node's own bindings (ferry-akka.conf), as remote messages take them. */
class SendPathSerializerTest {

    static ActorTestKit kit;
    static Serialization serialization;

    @BeforeAll
    static void start() {
        Config node = FerryNode.loadConfig(Optional.empty());
        Config bindings = node.withOnlyPath("akka.actor.serializers").withFallback(node.withOnlyPath("akka.actor.serialization-bindings"));
        kit = ActorTestKit.create("send-path", bindings.withFallback(ConfigFactory.parseString("akka.actor.allow-java-serialization = off")));
        serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T message) throws NotSerializableException {
        var serializer = serialization.findSerializerFor(message);
        assertInstanceOf(SendPathSerializer.class, serializer, "bound to the send-path serializer, not Jackson");
        byte[] bytes = serialization.serialize(message).get();
        return (T) serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message)).get();
    }

    private static void assertSameMessage(StoredMessage expected, StoredMessage actual) {
        assertEquals(expected.id(), actual.id());
        assertArrayEquals(expected.body(), actual.body());
        assertEquals(expected.tags(), actual.tags());
        assertEquals(expected.keys(), actual.keys());
        assertEquals(expected.properties(), actual.properties());
        assertEquals(expected.bornAt(), actual.bornAt());
    }

    @Test
    void anAppendKeepsEveryMessageInOrderAndItsReplyRefStillAnswers() throws Exception {
        TestProbe<QueueEntity.AppendReply> producer = kit.createTestProbe();
        Map<String, String> props = new HashMap<>();
        props.put("k", "v ü");
        props.put("nothing", null);
        List<StoredMessage> messages = List.of(
                new StoredMessage("m1", "héllo".getBytes(StandardCharsets.UTF_8), List.of("TagA"), List.of("order-1"), props, 17),
                new StoredMessage("m2", new byte[1024], List.of(), List.of(), Map.of(), 18),
                new StoredMessage("m3", new byte[0], List.of("a", "b"), List.of(), Map.of(), 19));
        QueueEntity.Append back = roundTrip(new QueueEntity.Append(messages, producer.ref()));
        assertEquals(3, back.messages().size());
        for (int i = 0; i < 3; i++) assertSameMessage(messages.get(i), back.messages().get(i));
        back.replyTo().tell(new QueueEntity.Appended(2, 40));
        assertEquals(new QueueEntity.Appended(2, 40), producer.receiveMessage());
    }

    @Test
    void aShipmentKeepsItsRecordsByteForByteAndItsMasterRefStillAnswers() throws Exception {
        TestProbe<QueueEntity.Command> master = kit.createTestProbe();
        List<ShippedRecord> records = List.of(new ShippedRecord(41, 7, new byte[]{1, 2, 3}), new ShippedRecord(42, -1, new byte[1100]));
        Replica.Ship ship = new Replica.Ship(5, 30, 40, records, true, 39, master.ref());
        Replica.Ship back = roundTrip(ship);
        assertEquals(List.of(5L, 30L, 40L, 39L), List.of(back.term(), back.termStartSeq(), back.prevSeq(), back.committedSeq()));
        assertEquals(true, back.syncFlush());
        assertEquals(2, back.records().size());
        for (int i = 0; i < 2; i++) {
            assertEquals(records.get(i).sequenceNr(), back.records().get(i).sequenceNr());
            assertEquals(records.get(i).tagHash(), back.records().get(i).tagHash());
            assertArrayEquals(records.get(i).payload(), back.records().get(i).payload());
        }
        assertEquals(master.ref(), back.master());
        back.master().tell(new QueueEntity.ReplicaRefused(1, 6));
        assertEquals(new QueueEntity.ReplicaRefused(1, 6), master.receiveMessage());
    }

    @Test
    void aMastersRefIsResolvedOnceForAllItsShipments() throws Exception {
        TestProbe<QueueEntity.Command> master = kit.createTestProbe();
        Replica.Ship probe = new Replica.Ship(1, 0, 0, List.of(), false, 0, master.ref());
        assertSame(roundTrip(probe).master(), roundTrip(probe).master());
    }

    @Test
    void repliesAndAcknowledgementsSurviveTheRoundTrip() throws Exception {
        assertEquals(new QueueEntity.Appended(3, 1_000_000_000_000L), roundTrip(new QueueEntity.Appended(3, 1_000_000_000_000L)));
        assertEquals(new QueueEntity.AppendRejected(503, "not_master", "retry ü"), roundTrip(new QueueEntity.AppendRejected(503, "not_master", "retry ü")));
        assertEquals(new QueueEntity.AppendRejected(404, "topic_not_found", null), roundTrip(new QueueEntity.AppendRejected(404, "topic_not_found", null)));
        assertEquals(new QueueEntity.ReplicaAck(2, 7, 99, 100, true, "node-2"), roundTrip(new QueueEntity.ReplicaAck(2, 7, 99, 100, true, "node-2")));
        assertEquals(new QueueEntity.ReplicaAck(1, 1, -1, 0, false, null), roundTrip(new QueueEntity.ReplicaAck(1, 1, -1, 0, false, null)));
    }

    @Test
    void aTruncatedShipmentIsRefusedNotMisread() throws Exception {
        TestProbe<QueueEntity.Command> master = kit.createTestProbe();
        Replica.Ship ship = new Replica.Ship(1, 0, 0, List.of(new ShippedRecord(1, 0, new byte[100])), false, 0, master.ref());
        var serializer = (SendPathSerializer) serialization.findSerializerFor(ship);
        byte[] bytes = serializer.toBinary(ship);
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 10);
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(cut, serializer.manifest(ship)));
        byte[] headerOnly = java.util.Arrays.copyOf(bytes, 20);
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(headerOnly, serializer.manifest(ship)));
    }

    @Test
    void anUnknownManifestIsRefused() {
        var serializer = (SendPathSerializer) serialization.findSerializerFor(new QueueEntity.Appended(0, 0));
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[12], "Z"));
    }
}
