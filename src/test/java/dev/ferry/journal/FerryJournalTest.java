package dev.ferry.journal;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.AtomicWrite;
import akka.persistence.JournalProtocol;
import akka.persistence.PersistentEnvelope;
import akka.persistence.PersistentRepr;
import dev.ferry.store.MessageStore;
import dev.ferry.store.ReadResult;
import dev.ferry.store.StoredRecord;
import dev.ferry.store.TagFilter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FerryJournal through Akka: real EventSourcedBehaviors and Akka's journal protocol over a store in a temp dir. */
class FerryJournalTest {

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    private final List<ActorTestKit> kits = new ArrayList<>();

    @AfterEach
    void shutDown() {
        kits.forEach(ActorTestKit::shutdownTestKit);
    }

    /** A node on {@link #dataDir}; stopping it ({@link ActorTestKit#shutdownTestKit()}) closes the store. */
    private ActorTestKit startNode() {
        ActorTestKit kit = ActorTestKit.create("node" + IDS.incrementAndGet(), JournalTestConfig.forDataDir(dataDir));
        kits.add(kit);
        return kit;
    }

    private static void stopNode(ActorTestKit kit) {
        kit.shutdownTestKit();
    }

    private static String newId() {
        return "notebook-" + IDS.incrementAndGet();
    }

    private static long write(ActorTestKit kit, ActorRef<Notebook.Command> notebook, Object... events) {
        TestProbe<Long> reply = kit.createTestProbe();
        notebook.tell(new Notebook.Write(List.of(events), reply.ref()));
        return reply.expectMessageClass(Long.class, WAIT);
    }

    private static List<String> read(ActorTestKit kit, ActorRef<Notebook.Command> notebook) {
        TestProbe<Notebook.Notes> reply = kit.createTestProbe();
        notebook.tell(new Notebook.Read(reply.ref()));
        return reply.expectMessageClass(Notebook.Notes.class, WAIT).lines();
    }

    @Test
    void anEntityRecoversItsEventsAfterItsActorSystemIsRestartedOnTheSameDirectory() {
        String id = newId();
        ActorTestKit first = startNode();
        ActorRef<Notebook.Command> notebook = first.spawn(Notebook.create(id, "ferry.journal"));
        write(first, notebook, "a");
        assertEquals(3L, write(first, notebook, "b", "c"));
        stopNode(first);

        ActorTestKit second = startNode();
        ActorRef<Notebook.Command> recovered = second.spawn(Notebook.create(id, "ferry.journal"));
        assertEquals(List.of("a", "b", "c"), read(second, recovered));
        assertEquals(4L, write(second, recovered, "d"));
    }

    @Test
    void bothPluginIdsWriteIntoOneSharedStoreAndBothRecover() {
        String asyncId = newId();
        String syncId = newId();
        ActorTestKit first = startNode();
        ActorRef<Notebook.Command> viaAsync = first.spawn(Notebook.create(asyncId, "ferry.journal"));
        ActorRef<Notebook.Command> viaSync = first.spawn(Notebook.create(syncId, "ferry.journal-sync"));
        write(first, viaAsync, "async-1", "async-2");
        write(first, viaSync, "sync-1");

        MessageStore shared = FerryJournalStores.forDirectory(dataDir.resolve("journal")).orElseThrow();
        assertEquals(2L, shared.highestSequence(asyncId));
        assertEquals(1L, shared.highestSequence(syncId));
        stopNode(first);
        assertTrue(FerryJournalStores.forDirectory(dataDir.resolve("journal")).isEmpty(), "the last plugin to stop closes the store");

        ActorTestKit second = startNode();
        assertEquals(List.of("async-1", "async-2"), read(second, second.spawn(Notebook.create(asyncId, "ferry.journal"))));
        assertEquals(List.of("sync-1"), read(second, second.spawn(Notebook.create(syncId, "ferry.journal-sync"))));
    }

    @Test
    void aStoreLeaseSharesTheOpenStoreOfThePlugin() {
        ActorTestKit node = startNode();
        write(node, node.spawn(Notebook.create(newId(), "ferry.journal")), "x");
        try (FerryJournalStores.Lease lease = FerryJournalStores.acquire(node.system().settings().config().getConfig("ferry.journal"))) {
            assertSame(FerryJournalStores.forDirectory(dataDir.resolve("journal")).orElseThrow(), lease.store());
        }
        assertTrue(FerryJournalStores.forDirectory(dataDir.resolve("journal")).isPresent(), "the plugin still holds its lease");
    }

    @Test
    void aNonSerializableEventIsRejectedAloneWhileTheRestOfTheBatchIsWritten() {
        Exception cause = rejectedAloneInABatch(new Notebook.Unserializable("two"));
        assertInstanceOf(java.io.NotSerializableException.class, cause);
    }

    @Test
    void anEventAboveTheStoresMaxMessageSizeIsRejectedAloneWhileTheRestOfTheBatchIsWritten() {
        Exception cause = rejectedAloneInABatch("x".repeat(17 * 1024 * 1024)); // above the store's max-message-size of 16 MiB
        assertTrue(cause.getMessage().contains("max-message-size"), cause.getMessage());
    }

    /**
     * Writes events 1, 2 = {@code bad}, 3 of one id in one batch, checks that 2 alone is rejected and that 1 and 3 are
     * stored and replayed, and returns why 2 was rejected.
     */
    private Exception rejectedAloneInABatch(Object bad) {
        ActorTestKit node = startNode();
        String id = newId();
        TestProbe<Object> probe = node.createTestProbe();
        akka.actor.ActorRef journal = FerryJournal.pluginActor(node.system(), "ferry.journal");
        List<PersistentEnvelope> batch = List.of(atomicWrite(id, 1, "one"), atomicWrite(id, 2, bad), atomicWrite(id, 3, "three"));
        journal.tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(batch).toList(), Adapter.toClassic(probe.ref()), 1),
                akka.actor.ActorRef.noSender());

        probe.expectMessageClass(JournalProtocol.WriteMessagesSuccessful$.class, WAIT);
        assertEquals(1L, probe.expectMessageClass(JournalProtocol.WriteMessageSuccess.class, WAIT).persistent().sequenceNr());
        JournalProtocol.WriteMessageRejected rejected = probe.expectMessageClass(JournalProtocol.WriteMessageRejected.class, WAIT);
        assertEquals(2L, rejected.message().sequenceNr());
        assertEquals(3L, probe.expectMessageClass(JournalProtocol.WriteMessageSuccess.class, WAIT).persistent().sequenceNr());
        assertEquals(List.of(1L, 3L), replay(node, journal, id, 1, Long.MAX_VALUE, Long.MAX_VALUE));
        return (Exception) rejected.cause();
    }

    @Test
    void writesAreAnsweredInTheOrderTheyArrivedWithDeferredHandlersBetweenThemOnBothFlushModes() {
        ActorTestKit node = startNode();
        for (String plugin : List.of("ferry.journal-sync", "ferry.journal")) {
            String id = newId();
            TestProbe<Object> probe = node.createTestProbe();
            akka.actor.ActorRef journal = FerryJournal.pluginActor(node.system(), plugin);
            int writes = 200;
            for (int seq = 1; seq <= writes; seq++) {
                // A sync-flush write waits for a force; the deferred handler after it must still come after its reply.
                List<PersistentEnvelope> batch = List.of(atomicWrite(id, seq, "event " + seq),
                        new akka.persistence.NonPersistentRepr("deferred " + seq, akka.actor.ActorRef.noSender()));
                journal.tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(batch).toList(),
                        Adapter.toClassic(probe.ref()), 1), akka.actor.ActorRef.noSender());
            }
            for (int seq = 1; seq <= writes; seq++) {
                probe.expectMessageClass(JournalProtocol.WriteMessagesSuccessful$.class, WAIT);
                assertEquals(seq, probe.expectMessageClass(JournalProtocol.WriteMessageSuccess.class, WAIT).persistent().sequenceNr(), plugin);
                assertEquals("deferred " + seq, probe.expectMessageClass(JournalProtocol.LoopMessageSuccess.class, WAIT).message(), plugin);
            }
        }
    }

    @Test
    void anEntityKeepsServingAfterItsEventIsRejected() {
        ActorTestKit node = startNode();
        ActorRef<Notebook.Command> notebook = node.spawn(Notebook.create(newId(), "ferry.journal"));
        write(node, notebook, "kept");
        TestProbe<Long> noReply = node.createTestProbe();
        notebook.tell(new Notebook.Write(List.of("lost with it", new Notebook.Unserializable("no binding")), noReply.ref()));
        noReply.expectNoMessage(Duration.ofMillis(300));

        assertEquals(List.of("kept"), read(node, notebook));
        assertEquals(2L, write(node, notebook, "after"));
    }

    @Test
    void replayHonoursFromToAndMax() {
        ActorTestKit node = startNode();
        String id = newId();
        ActorRef<Notebook.Command> notebook = node.spawn(Notebook.create(id, "ferry.journal"));
        for (int i = 1; i <= 6; i++) {
            write(node, notebook, "e" + i);
        }
        akka.actor.ActorRef journal = FerryJournal.pluginActor(node.system(), "ferry.journal");
        assertEquals(List.of(2L, 3L, 4L, 5L), replay(node, journal, id, 2, 5, Long.MAX_VALUE));
        assertEquals(List.of(3L, 4L), replay(node, journal, id, 3, 6, 2));
        assertEquals(List.of(), replay(node, journal, id, 7, Long.MAX_VALUE, Long.MAX_VALUE));
    }

    @Test
    void deleteToRemovesTheHeadButKeepsTheHighestSequenceNr() {
        ActorTestKit node = startNode();
        String id = newId();
        ActorRef<Notebook.Command> notebook = node.spawn(Notebook.create(id, "ferry.journal"));
        write(node, notebook, "e1", "e2", "e3");
        akka.actor.ActorRef journal = FerryJournal.pluginActor(node.system(), "ferry.journal");
        TestProbe<Object> probe = node.createTestProbe();

        journal.tell(new JournalProtocol.DeleteMessagesTo(id, 2, Adapter.toClassic(probe.ref())), akka.actor.ActorRef.noSender());
        probe.expectMessageClass(akka.persistence.DeleteMessagesSuccess.class, WAIT);
        assertEquals(List.of(3L), replay(node, journal, id, 1, Long.MAX_VALUE, Long.MAX_VALUE));

        journal.tell(new JournalProtocol.DeleteMessagesTo(id, Long.MAX_VALUE, Adapter.toClassic(probe.ref())), akka.actor.ActorRef.noSender());
        probe.expectMessageClass(akka.persistence.DeleteMessagesSuccess.class, WAIT);
        assertEquals(List.of(), replay(node, journal, id, 1, Long.MAX_VALUE, Long.MAX_VALUE));
        assertEquals(3L, highestAfterReplay(node, journal, id));
    }

    @Test
    void truncateAfterCutsTheTailAndTheEntityRecoversWithoutIt() {
        String id = newId();
        ActorTestKit node = startNode();
        ActorRef<Notebook.Command> notebook = node.spawn(Notebook.create(id, "ferry.journal"));
        write(node, notebook, "e1", "e2");
        write(node, notebook, "e3", "e4", "e5");
        node.stop(notebook);

        TestProbe<TruncateAfter.Reply> reply = node.createTestProbe();
        FerryJournal.pluginActor(node.system(), "ferry.journal").tell(new TruncateAfter(id, 3, reply.ref()), akka.actor.ActorRef.noSender());
        assertEquals(new TruncateAfter.Truncated(id, 3, 3), reply.expectMessageClass(TruncateAfter.Truncated.class, WAIT));

        ActorRef<Notebook.Command> recovered = node.spawn(Notebook.create(id, "ferry.journal"));
        assertEquals(List.of("e1", "e2", "e3"), read(node, recovered));
        assertEquals(4L, write(node, recovered, "new-e4"));
        assertEquals(List.of("e1", "e2", "e3", "new-e4"), read(node, recovered));
    }

    @Test
    void taggedEventsCanBeReadStraightFromTheStoreByTag() throws Exception {
        ActorTestKit node = startNode();
        String id = newId();
        ActorRef<Notebook.Command> notebook = node.spawn(Notebook.create(id, "ferry.journal"));
        write(node, notebook, new Notebook.Tagged("red", "r1"), "untagged", new Notebook.Tagged("blue", "b1"));
        write(node, notebook, new Notebook.Tagged("red", "r2"));

        MessageStore store = FerryJournalStores.forDirectory(dataDir.resolve("journal")).orElseThrow();
        // Tags "all" and "red": the alphabetically first ("all") is the indexed one.
        ReadResult byTag = store.read(id, 1, Long.MAX_VALUE, 100, TagFilter.anyOf("all"));
        List<StoredRecord> records = assertInstanceOf(ReadResult.Records.class, byTag).records();
        assertEquals(List.of(1L, 3L, 4L), records.stream().map(StoredRecord::sequenceNr).toList());
        assertEquals(List.of("all", "blue"), PersistentReprCodec.tags(records.get(1).payload()));
        assertEquals(List.of("r1", "untagged", "b1", "r2"), read(node, notebook));
    }

    @Test
    void snapshotsGoToTheLocalSnapshotStoreAndRecoveryStartsFromThem() throws Exception {
        String id = newId();
        ActorTestKit first = startNode();
        ActorRef<Notebook.Command> notebook = first.spawn(Notebook.create(id, "ferry.journal", 2));
        write(first, notebook, "e1");
        write(first, notebook, "e2");
        write(first, notebook, "e3");
        stopNode(first);
        try (Stream<Path> files = Files.list(dataDir.resolve("snapshots"))) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("snapshot-")), "a snapshot file was written");
        }

        ActorTestKit second = startNode();
        assertEquals(List.of("e1", "e2", "e3"), read(second, second.spawn(Notebook.create(id, "ferry.journal", 2))));
    }

    private static PersistentEnvelope atomicWrite(String id, long seqNr, Object event) {
        return AtomicWrite.apply(PersistentRepr.apply(event, seqNr, id, "", false, akka.actor.ActorRef.noSender(), "writer-1"));
    }

    /** Replays through Akka's protocol and returns the sequence numbers replayed. */
    private static List<Long> replay(ActorTestKit kit, akka.actor.ActorRef journal, String id, long from, long to, long max) {
        TestProbe<Object> probe = kit.createTestProbe();
        journal.tell(new JournalProtocol.ReplayMessages(from, to, max, id, Adapter.toClassic(probe.ref())), akka.actor.ActorRef.noSender());
        List<Long> replayed = new ArrayList<>();
        while (true) {
            Object message = probe.receiveMessage(WAIT);
            if (message instanceof JournalProtocol.ReplayedMessage m) {
                replayed.add(m.persistent().sequenceNr());
            } else {
                assertInstanceOf(JournalProtocol.RecoverySuccess.class, message);
                return replayed;
            }
        }
    }

    private static long highestAfterReplay(ActorTestKit kit, akka.actor.ActorRef journal, String id) {
        TestProbe<Object> probe = kit.createTestProbe();
        journal.tell(new JournalProtocol.ReplayMessages(1, Long.MAX_VALUE, Long.MAX_VALUE, id, Adapter.toClassic(probe.ref())),
                akka.actor.ActorRef.noSender());
        return assertInstanceOf(JournalProtocol.RecoverySuccess.class, probe.receiveMessage(WAIT)).highestSequenceNr();
    }
}
