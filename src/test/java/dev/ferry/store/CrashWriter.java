package dev.ferry.store;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The writer process of {@link CrashTest}: opens the store, then {@value #WRITERS} threads append SYNC groups of 1 to
 * 3 records to their own persistence id forever, printing {@code ok <id> <first> <last>} once each group's append
 * completed. It never exits by itself: the test kills it with SIGKILL.
 */
public final class CrashWriter {

    static final int WRITERS = 4;

    private CrashWriter() {
    }

    /** The payload of a record: names its id, seq and group, so the checker can prove it intact and the group whole. */
    static byte[] payload(String id, long seq, long groupFirst, long groupLast) {
        String head = id + "#" + seq + " group " + groupFirst + "-" + groupLast + " ";
        StringBuilder sb = new StringBuilder(head);
        Random r = new Random(seq * 31 + id.hashCode());
        int pad = 50 + r.nextInt(2000);
        for (int i = 0; i < pad; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        MessageStore store = MessageStore.open(CrashTest.config(dir), Clock.systemUTC());
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        out.println("ready " + store.recoveryReport().truncation().map(Object::toString).orElse("-"));
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            String id = "crash-" + w;
            Thread t = new Thread(() -> {
                Random random = new Random();
                long next = store.highestSequence(id) + 1;
                try {
                    while (true) {
                        int n = 1 + random.nextInt(3);
                        List<AppendRecord> group = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            group.add(new AppendRecord(id, next + i, 0, payload(id, next + i, next, next + n - 1)));
                        }
                        store.append(group, FlushMode.SYNC).get();
                        synchronized (out) {
                            out.println("ok " + id + " " + next + " " + (next + n - 1));
                        }
                        next += n;
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    System.exit(3);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
