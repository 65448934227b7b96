package dev.ferry.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;

import static dev.ferry.store.StoreTesting.smallConfig;

/** The fixture of the store's contract tests: one store with small segments in a fresh directory, closed after each test. */
abstract class OneStoreTest {

    @TempDir
    Path dir;
    MessageStore store;

    @BeforeEach
    void open() throws Exception {
        store = MessageStore.open(smallConfig(dir), Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }
}
