package dev.ferry.replica;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peer-recovery throttle settings that are dynamic cluster settings (ES {@code indices.recovery.max_bytes_per_sec}
 * and {@code indices.recovery.chunk_size}): one parser for the config file and {@code PUT /cluster/settings}, so both
 * accept exactly the same values, and the merge of a node's configured values with the cluster's.
 *
 * <p>Byte sizes are HOCON's ({@code 512k}, {@code 40m}, {@code 40MiB}, {@code 40MB} = 40,000,000, a plain number of
 * bytes) plus Elasticsearch's lower-case units {@code b kb mb gb tb pb}, which ES counts in powers of 1024
 * ({@code 40mb} = {@code 40m}) and HOCON refuses.
 */
public final class RecoverySettings {
    private RecoverySettings() {}

    public static final String MAX_BYTES_PER_SEC = "ferry.replication.recovery.max-bytes-per-sec";
    public static final String CHUNK_SIZE = "ferry.replication.recovery.chunk-size";
    /** The recovery settings PUT /cluster/settings accepts. */
    public static final Set<String> DYNAMIC = Set.of(MAX_BYTES_PER_SEC, CHUNK_SIZE);

    static final String SIZE_FORMAT = "a byte size such as 40mb, 512k, 1gb, 40MiB or a number of bytes";

    /** A value that is not valid for {@link #key}; the message names the setting and the accepted format. */
    public static final class InvalidValue extends IllegalArgumentException {
        private final String key;

        InvalidValue(String key, String message) {
            super(message);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    private static final List<String> ES_UNITS = List.of("b", "kb", "mb", "gb", "tb", "pb");
    private static final Pattern ES_SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|mb|gb|tb|pb)");

    /** {@code max-bytes-per-sec}: a byte size, 0 or -1 (both unthrottled, as in ES). */
    public static long maxBytesPerSec(Object value) {
        String text = value == null ? "null" : String.valueOf(value).trim();
        String expected = accepted(MAX_BYTES_PER_SEC, 0);
        if (value instanceof Boolean) throw invalid(MAX_BYTES_PER_SEC, expected, text);
        if (text.equals("-1")) return -1;
        return bytes(MAX_BYTES_PER_SEC, text, expected);
    }

    /**
     * {@code chunk-size}: a byte size above 0 and at most {@code max} (half of Artery's maximum frame size: a chunk
     * travels as one remote message, and a larger one would fail every recovery).
     */
    public static int chunkSize(Object value, long max) {
        String text = value == null ? "null" : String.valueOf(value).trim();
        String expected = accepted(CHUNK_SIZE, max);
        if (value instanceof Boolean) throw invalid(CHUNK_SIZE, expected, text);
        long bytes = bytes(CHUNK_SIZE, text, expected);
        if (bytes <= 0 || bytes > max) throw invalid(CHUNK_SIZE, expected, text);
        return (int) bytes;
    }

    /** What {@code key} accepts, as a sentence after the key ("must be ..."); {@code maxChunk} as for {@link #chunkSize}. */
    public static String accepted(String key, long maxChunk) {
        if (key.equals(MAX_BYTES_PER_SEC)) return "must be " + SIZE_FORMAT + ", or 0 or -1 for unthrottled";
        if (key.equals(CHUNK_SIZE))
            return "must be " + SIZE_FORMAT + ", above 0 and at most " + maxChunk + " bytes (half of akka.remote.artery.advanced.maximum-frame-size)";
        throw new IllegalArgumentException("not a dynamic recovery setting: " + key);
    }

    /** Checks one dynamic recovery setting's value. @throws InvalidValue naming the key and the accepted format */
    public static void validate(String key, Object value, long maxChunk) {
        if (key.equals(MAX_BYTES_PER_SEC)) maxBytesPerSec(value);
        else if (key.equals(CHUNK_SIZE)) chunkSize(value, maxChunk);
        else throw new IllegalArgumentException("not a dynamic recovery setting: " + key);
    }

    /** The largest chunk-size this node's remoting carries (see {@link #chunkSize}). */
    public static long maxChunkSize(Config root) {
        String frame = "akka.remote.artery.advanced.maximum-frame-size";
        long max = root.hasPath(frame) ? root.getBytes(frame) / 2 : Integer.MAX_VALUE;
        return Math.min(max, Integer.MAX_VALUE);
    }

    /**
     * The settings in effect: {@code configured} (the node's config file) overridden by the recovery keys of the
     * dynamic cluster settings {@code cluster} (other keys are ignored).
     *
     * @throws InvalidValue naming the first invalid key
     */
    public static ReplicationSettings.Recovery effective(ReplicationSettings.Recovery configured, Map<String, String> cluster, long maxChunk) {
        long rate = cluster.containsKey(MAX_BYTES_PER_SEC) ? maxBytesPerSec(cluster.get(MAX_BYTES_PER_SEC)) : configured.maxBytesPerSec();
        int chunk = cluster.containsKey(CHUNK_SIZE) ? chunkSize(cluster.get(CHUNK_SIZE), maxChunk) : configured.chunkSize();
        return new ReplicationSettings.Recovery(rate, chunk, configured.minLagRecords(), configured.retryDelay());
    }

    /** The node's configured values of the dynamic keys, as written in its config (for GET /cluster/settings). */
    public static Map<String, String> configured(Config root) {
        Map<String, String> out = new TreeMap<>();
        for (String key : DYNAMIC) if (root.hasPath(key)) out.put(key, String.valueOf(root.getValue(key).unwrapped()));
        return out;
    }

    private static long bytes(String key, String text, String expected) {
        Matcher es = ES_SIZE.matcher(text);
        if (es.matches()) {
            int power = ES_UNITS.indexOf(es.group(2));
            BigDecimal bytes = new BigDecimal(es.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
            if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw invalid(key, expected, text);
            return bytes.longValue();
        }
        try {
            return ConfigFactory.empty().withValue("v", ConfigValueFactory.fromAnyRef(text)).getBytes("v");
        } catch (ConfigException e) {
            throw invalid(key, expected, text);
        }
    }

    private static InvalidValue invalid(String key, String expected, String text) {
        return new InvalidValue(key, "setting [" + key + "] " + expected + "; was [" + text + "]");
    }
}
