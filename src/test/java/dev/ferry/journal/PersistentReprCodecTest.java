package dev.ferry.journal;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.Tagged;
import dev.ferry.store.AppendRecord;
import dev.ferry.store.StoredRecord;
import dev.ferry.store.TagFilter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

import java.io.NotSerializableException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The payload layout of a persisted event: what Akka needs to rebuild a PersistentRepr survives the round trip. */
class PersistentReprCodecTest {

    @TempDir
    static Path dataDir;
    private static ActorTestKit kit;
    private static PersistentReprCodec codec;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("codec", JournalTestConfig.forDataDir(dataDir));
        codec = new PersistentReprCodec(Adapter.toClassic(kit.system()));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static StoredRecord stored(AppendRecord record) {
        return new StoredRecord(record.persistenceId(), record.sequenceNr(), 1234L, record.tagHash(), record.payload());
    }

    @Test
    void aReprSurvivesTheRoundTripWithWriterManifestAndTimestamp() throws Exception {
        PersistentRepr repr = PersistentRepr.apply("hello", 7, "topic/0", "evt-v2", false, null, "writer-uuid").withTimestamp(99L);
        AppendRecord record = codec.encode(repr);
        assertEquals("topic/0", record.persistenceId());
        assertEquals(7L, record.sequenceNr());
        assertEquals(0, record.tagHash(), "untagged events carry no tag hash");

        PersistentRepr back = codec.decode(stored(record));
        assertEquals("hello", back.payload());
        assertEquals(7L, back.sequenceNr());
        assertEquals("topic/0", back.persistenceId());
        assertEquals("evt-v2", back.manifest());
        assertEquals("writer-uuid", back.writerUuid());
        assertEquals(99L, back.timestamp());
        assertEquals(false, back.deleted());
    }

    @Test
    void aTaggedEventIsUnwrappedAndIndexedByItsAlphabeticallyFirstTag() throws Exception {
        Tagged tagged = Tagged.apply(new byte[]{1, 2, 3}, CollectionConverters.asScala(Set.of("zeta", "alpha", "mid")).toSet());
        AppendRecord record = codec.encode(PersistentRepr.apply(tagged, 1, "t/1", "", false, null, "w"));
        assertEquals(TagFilter.hash("alpha"), record.tagHash());
        assertEquals(List.of("alpha", "mid", "zeta"), PersistentReprCodec.tags(record.payload()));
        assertArrayEquals(new byte[]{1, 2, 3}, (byte[]) codec.decode(stored(record)).payload(), "replay sees the event, not the Tagged wrapper");
    }

    @Test
    void anEventWithoutSerializerIsRefusedWithNotSerializableException() {
        PersistentRepr repr = PersistentRepr.apply(new Notebook.Unserializable("x"), 1, "p", "", false, null, "w");
        assertThrows(NotSerializableException.class, () -> codec.encode(repr));
    }

    @Test
    void aPayloadOfAnotherFormatIsRefusedNamingTheFormat() {
        StoredRecord foreign = new StoredRecord("p", 1, 0, 0, new byte[]{9, 0, 0, 0, 0});
        NotSerializableException e = assertThrows(NotSerializableException.class, () -> codec.decode(foreign));
        assertTrue(e.getMessage().contains("unknown journal payload format 9"), e.getMessage());
    }

    @Test
    void aTruncatedPayloadIsRefusedAsCorrupt() throws Exception {
        byte[] payload = codec.encode(PersistentRepr.apply("hello", 1, "p", "", false, null, "w")).payload();
        StoredRecord cut = new StoredRecord("p", 1, 0, 0, java.util.Arrays.copyOf(payload, 8));
        NotSerializableException e = assertThrows(NotSerializableException.class, () -> codec.decode(cut));
        assertTrue(e.getMessage().startsWith("corrupt journal payload"), e.getMessage());
    }
}
