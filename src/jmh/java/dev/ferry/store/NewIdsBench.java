package dev.ferry.store;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a brand-new persistence id costs the writer (a topic created with many queues, many fresh entities): one
 * 1 KiB record for each of N new ids, then one more for each of the same ids, ASYNC flush, timed per round.
 *
 * <pre>java -cp target/benchmarks.jar dev.ferry.store.NewIdsBench [ids] [rounds]</pre>
 */
public final class NewIdsBench {

    public static void main(String[] args) throws Exception {
        int ids = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        byte[] payload = new byte[1024];
        for (int r = 0; r < rounds; r++) {
            Path dir = BenchStores.freshDir("new-ids");
            try (MessageStore store = MessageStore.open(StoreConfig.defaults(dir), Clock.systemUTC())) {
                for (int pass = 1; pass <= 2; pass++) {
                    long t0 = System.nanoTime();
                    List<CompletableFuture<Void>> written = new ArrayList<>(ids);
                    for (int i = 0; i < ids; i++)
                        written.add(store.append(List.of(new AppendRecord("queue-" + i, pass, 0, payload)), FlushMode.ASYNC));
                    for (CompletableFuture<Void> w : written) w.get();
                    double ms = (System.nanoTime() - t0) / 1e6;
                    System.out.printf("round %d, %s ids: %d records in %.1f ms = %.3f ms per id%n", r + 1,
                            pass == 1 ? "new" : "existing", ids, ms, ms / ids);
                }
            } finally {
                BenchStores.delete(dir);
            }
        }
    }
}
