package dev.ferry.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** Persistence ids come from users; whatever they contain, they map to safe, distinct index directories. */
class IndexNamesTest {

    static final List<String> HOSTILE = List.of("../x", "../../etc/passwd", "/", "/abs", ".", "..", "a/b\\c", "nul\u0000byte", "\u0000",
            "x".repeat(10_000), "日本語のトピック", "emoji 🚀 topic", "Topic", "topic", "TOPIC", " ", "con", "a:b*c?d\"e<f>g|h",
            "%2e%2e%2f", "\t\n\r");

    @TempDir
    Path root;
    Path dir;
    MessageStore store;

    @BeforeEach
    void open() throws Exception {
        dir = root.resolve("store"); // the store's siblings inside root show any escape
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    /** Every hostile id is stored and read back as itself, each in its own directory, nothing outside the store. */
    @Test
    void hostileIdsStayInsideTheStoreAndApart() throws Exception {
        for (String id : HOSTILE) {
            appendSync(store, record(id, 1, ""), record(id, 2, ""));
        }
        store.close();
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
        for (String id : HOSTILE) {
            List<StoredRecord> records = readAll(store, id);
            assertEquals(List.of(1L, 2L), seqs(records), id);
            assertEquals(id, records.get(0).persistenceId());
            assertArrayEquals(payload(id, 2, ""), records.get(1).payload());
        }
        try (Stream<Path> indexDirs = Files.list(dir.resolve("index"))) {
            List<String> names = indexDirs.map(p -> p.getFileName().toString()).toList();
            assertEquals(HOSTILE.size(), names.size());
            for (String name : names) {
                assertTrue(name.matches("[A-Za-z0-9_-]{0,32}-[0-9a-f]{32}"), name);
            }
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.forEach(p -> assertTrue(p.normalize().startsWith(dir)));
        }
        try (Stream<Path> siblings = Files.list(root)) {
            assertEquals(List.of(dir), siblings.toList());
        }
    }

    /** Ids whose UTF-8 form would be ambiguous (unpaired surrogates) are refused with a clear message. */
    @Test
    void malformedUnicodeIdIsRefused() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> store.append(List.of(new AppendRecord("bad\uD800", 1, 0, new byte[1])), FlushMode.ASYNC).get());
        assertEquals("persistenceId must be well-formed Unicode (it has an unpaired surrogate): U+0062 U+0061 U+0064 U+D800 ",
                e.getCause().getMessage());
    }

    /** If another id already owns a directory name (a hash clash), the new id gets the next name; neither is merged. */
    @Test
    void nameClashGetsItsOwnDirectory() throws Exception {
        String id = "clash";
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        Path taken = dir.resolve("index").resolve(IndexNames.directoryName(id, bytes, 0));
        Files.createDirectories(taken);
        Files.write(taken.resolve(QueueIndex.ID_FILE), "someone else".getBytes(StandardCharsets.UTF_8));
        appendSync(store, record(id, 1, ""));
        assertEquals(dir.resolve("index").resolve(IndexNames.directoryName(id, bytes, 1)), store.indexesForTesting().get(id).dir());
        assertEquals(1, readAll(store, id).size());
    }

    /** Names are deterministic, bounded and differ for ids that differ only in case. */
    @Test
    void directoryNamesAreBoundedAndCaseDistinct() {
        String longId = "é".repeat(5000);
        String name = IndexNames.directoryName(longId, IndexNames.encode(longId), 0);
        assertEquals(IndexNames.PREFIX_LENGTH + 1 + 32, name.length());
        assertNotEquals(IndexNames.directoryName("Topic", IndexNames.encode("Topic"), 0).toLowerCase(),
                IndexNames.directoryName("topic", IndexNames.encode("topic"), 0).toLowerCase());
        assertEquals("a_b-" , IndexNames.directoryName("a/b", IndexNames.encode("a/b"), 0).substring(0, 4));
    }
}
