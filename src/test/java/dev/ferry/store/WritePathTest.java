package dev.ferry.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.ferry.store.StoreTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * SYNC groups go to the segment file through the writer's staging buffer with {@code pwrite}, in pieces of at most
 * 1 MiB; ASYNC groups through the writer's 1 MiB window of the segment ({@link WriterWindow}), remapped as the writer
 * moves on. Whatever the sizes, a group reads back whole, before and after a restart.
 */
class WritePathTest {

    @TempDir
    Path dir;

    private static MessageStore open(Path dir) throws Exception {
        return MessageStore.open(smallConfig(dir).withSegmentSize(8 << 20).withMaxMessageSize(2 << 20), Clock.systemUTC());
    }

    private static AppendRecord sized(String id, long seq, int size) {
        byte[] payload = new byte[size];
        new Random(seq).nextBytes(payload);
        return new AppendRecord(id, seq, 0, payload);
    }

    private static void assertReadsBack(MessageStore store, List<AppendRecord> written) throws Exception {
        List<StoredRecord> read = readAll(store, "a");
        assertEquals(written.size(), read.size());
        for (int i = 0; i < written.size(); i++) {
            assertEquals(written.get(i).sequenceNr(), read.get(i).sequenceNr());
            assertArrayEquals(written.get(i).payload(), read.get(i).payload(), "record " + written.get(i).sequenceNr());
        }
    }

    /** Checks the store, closes it, checks the reopened store and closes that too. */
    private void assertReadsBackBeforeAndAfterARestart(MessageStore store, List<AppendRecord> written) throws Exception {
        assertReadsBack(store, written);
        store.close();
        MessageStore reopened = open(dir);
        try {
            assertReadsBack(reopened, written);
        } finally {
            reopened.close();
        }
    }

    @Test
    void aSyncGroupLargerThanOneStagingPieceIsWrittenWhole() throws Exception {
        List<AppendRecord> group = new ArrayList<>();
        for (long s = 1; s <= 5; s++) {
            group.add(sized("a", s, 700_000)); // 3.5 MB: several pieces of at most 1 MiB
        }
        MessageStore store = open(dir);
        store.append(group, FlushMode.SYNC).get();
        assertReadsBackBeforeAndAfterARestart(store, group);
    }

    @Test
    void syncAndAsyncGroupsOfEverySizeFollowEachOtherInTheLog() throws Exception {
        List<AppendRecord> written = new ArrayList<>();
        MessageStore store = open(dir);
        int[] sizes = {1, 100, 70_000, 1_500_000, 10, 300_000};
        long seq = 1;
        for (int round = 0; round < 4; round++) {
            for (int size : sizes) {
                FlushMode mode = (seq % 3 == 0) ? FlushMode.ASYNC : FlushMode.SYNC;
                List<AppendRecord> group = List.of(sized("a", seq, size), sized("a", seq + 1, size / 2 + 1));
                store.append(group, mode).get();
                written.addAll(group);
                seq += 2;
            }
        }
        assertReadsBackBeforeAndAfterARestart(store, written);
    }

    @Test
    void asyncRecordsAcrossManyWindowsAndSegmentRollsReadBack() throws Exception {
        List<AppendRecord> written = new ArrayList<>();
        MessageStore store = open(dir);
        for (long s = 1; s <= 400; s++) { // 28 MB of 70 KB records: 3 rolls of 8 MiB segments, ~28 windows
            AppendRecord r = sized("a", s, 70_000);
            store.append(List.of(r), FlushMode.ASYNC).get();
            written.add(r);
        }
        assertReadsBackBeforeAndAfterARestart(store, written);
    }
}
