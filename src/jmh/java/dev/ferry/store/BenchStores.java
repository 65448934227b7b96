package dev.ferry.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/** Opening and removing benchmark stores under target/bench-data (or -Dferry.bench.dir). */
final class BenchStores {

    private BenchStores() {
    }

    static Path freshDir(String name) throws IOException {
        Path root = Path.of(System.getProperty("ferry.bench.dir", "target/bench-data"));
        Files.createDirectories(root);
        return Files.createTempDirectory(root, name + "-");
    }

    /**
     * 1 GiB segments like production; retention keeps at most {@code keepBytes} of commit log (the benchmark calls
     * runRetention between iterations; the disk reading is the commit log's own size against a virtual disk),
     * so long runs do not fill the machine's disk.
     */
    static MessageStore open(Path dir, long keepBytes) throws IOException {
        Path log = dir.resolve("commitlog");
        DiskUsage usage = () -> {
            long used = 0;
            if (Files.exists(log)) {
                try (Stream<Path> files = Files.list(log)) {
                    used = files.mapToLong(p -> p.toFile().length()).sum();
                }
            }
            return new DiskUsage.Space(keepBytes * 100 / 75, used);
        };
        StoreConfig config = StoreConfig.defaults(dir).withDiskUsage(usage)
                .withRetention(Duration.ofHours(72), "04", 75, Duration.ZERO);
        return MessageStore.open(config, Clock.systemUTC());
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
