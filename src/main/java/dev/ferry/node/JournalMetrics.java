package dev.ferry.node;

import dev.ferry.journal.FerryJournalStores;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The journal's figures at scrape time, read from the open store of each node's journal directory in this JVM:
 * {@code ferry_journal_flushes_total} (forces of the commit log; group commit = writes per force) and
 * {@code ferry_journal_bytes_total} (bytes appended to the commit log).
 */
final class JournalMetrics extends Collector {

    private static final JournalMetrics INSTANCE = new JournalMetrics().register();
    private final Set<Path> dirs = ConcurrentHashMap.newKeySet();

    static void watch(Path journalDir) {
        INSTANCE.dirs.add(journalDir.toAbsolutePath().normalize());
    }

    static void forget(Path journalDir) {
        INSTANCE.dirs.remove(journalDir.toAbsolutePath().normalize());
    }

    @Override
    public List<MetricFamilySamples> collect() {
        CounterMetricFamily flushes = new CounterMetricFamily("ferry_journal_flushes",
                "Forces (fsync of the mapped commit log) since the store opened.", List.of("dir"));
        CounterMetricFamily bytes = new CounterMetricFamily("ferry_journal_bytes",
                "Bytes appended to the commit log since it began.", List.of("dir"));
        for (Path dir : dirs) {
            FerryJournalStores.forDirectory(dir).ifPresent(store -> {
                flushes.addMetric(List.of(dir.toString()), store.forceCount());
                bytes.addMetric(List.of(dir.toString()), store.writeOffset());
            });
        }
        List<MetricFamilySamples> out = new ArrayList<>();
        out.add(flushes);
        out.add(bytes);
        return out;
    }
}
