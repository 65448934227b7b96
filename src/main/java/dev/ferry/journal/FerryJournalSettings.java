package dev.ferry.journal;

import com.typesafe.config.Config;
import dev.ferry.store.FlushMode;
import dev.ferry.store.StoreConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * One journal plugin's settings, read once from its config block ({@code ferry.journal} or {@code ferry.journal-sync}).
 *
 * @param dir       the store's directory; plugin ids with the same directory share one store
 * @param flush     when a write is confirmed: after the force ({@code sync}) or once readable ({@code async})
 * @param store     the store's own settings (segment size, flush interval, retention, ...)
 */
public record FerryJournalSettings(Path dir, FlushMode flush, StoreConfig store) {

    /**
     * @param plugin the plugin's config block, e.g. {@code system.settings().config().getConfig("ferry.journal")}
     * @throws IllegalArgumentException naming the key when a value is out of range
     */
    public static FerryJournalSettings fromConfig(Config plugin) {
        Path dir = Path.of(plugin.getString("dir")).toAbsolutePath().normalize();
        FlushMode flush = switch (plugin.getString("flush").toLowerCase(Locale.ROOT)) {
            case "sync" -> FlushMode.SYNC;
            case "async" -> FlushMode.ASYNC;
            default -> throw new IllegalArgumentException("flush = \"" + plugin.getString("flush")
                    + "\" is not a flush mode; use sync (confirm after the force) or async (confirm once readable)");
        };
        return new FerryJournalSettings(dir, flush, storeConfig(dir, plugin));
    }

    static StoreConfig storeConfig(Path dir, Config plugin) {
        return StoreConfig.defaults(dir)
                .withSegmentSize(plugin.getBytes("segment-size"))
                .withIndexEntriesPerFile(plugin.getInt("index-entries-per-file"))
                .withMaxMessageSize(Math.toIntExact(plugin.getBytes("max-message-size")))
                .withFlush(plugin.getDuration("flush-interval"), plugin.getInt("flush-least-pages"),
                        plugin.getDuration("flush-thorough-interval"))
                .withCheckpointInterval(plugin.getDuration("checkpoint-interval"))
                .withRetention(plugin.getDuration("file-reserved-time"), plugin.getString("delete-when"),
                        plugin.getInt("disk-max-used-space-ratio"), plugin.getDuration("retention-check-interval"));
    }
}
