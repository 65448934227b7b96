package dev.ferry.allocation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for setting values given as strings (every failure names the key), and how a change applies to raw settings. Package-private helper of the settings records. */
final class SettingValues {
    private static final Pattern BYTES = Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib|p|pb|pib)\\s*");
    private static final Pattern DURATION = Pattern.compile("(?i)\\s*(\\d+)\\s*(ms|s|m|h|d)?\\s*");

    private SettingValues() {}

    /** @return a new map: {@code base} with {@code changes} applied, where a null value removes the key */
    static Map<String, String> changed(Map<String, String> base, Map<String, String> changes) {
        Map<String, String> next = new HashMap<>(base);
        changes.forEach((k, v) -> {
            if (v == null) {
                next.remove(k);
            } else {
                next.put(k, v);
            }
        });
        return next;
    }

    static String get(Map<String, String> map, String key) {
        String value = map.get(key);
        if (value == null) {
            return null;
        }
        value = value.trim();
        return value.isEmpty() ? null : value;
    }

    static int intValue(Map<String, String> map, String key, int dflt, int min) {
        String v = get(map, key);
        if (v == null) {
            return dflt;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "setting [" + key + "] must be an integer, was [" + v + "]");
        }
        if (parsed < min) {
            throw new InvalidSettingException(key, "setting [" + key + "] must be >= " + min + ", was [" + v + "]");
        }
        return parsed;
    }

    static double doubleValue(Map<String, String> map, String key, double dflt, double min) {
        String v = get(map, key);
        if (v == null) {
            return dflt;
        }
        double parsed;
        try {
            parsed = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "setting [" + key + "] must be a number, was [" + v + "]");
        }
        if (!(parsed >= min) || Double.isInfinite(parsed)) {
            throw new InvalidSettingException(key, "setting [" + key + "] must be a finite number >= " + min + ", was [" + v + "]");
        }
        return parsed;
    }

    static boolean boolValue(Map<String, String> map, String key, boolean dflt) {
        String v = get(map, key);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new InvalidSettingException(key, "setting [" + key + "] must be true or false, was [" + v + "]");
        };
    }

    /** Comma-separated list, optionally in HOCON list brackets ({@code [a, b]}); empty entries dropped. */
    static List<String> list(Map<String, String> map, String key) {
        String v = get(map, key);
        if (v == null) {
            return List.of();
        }
        if (v.startsWith("[") && v.endsWith("]")) {
            v = v.substring(1, v.length() - 1);
        }
        List<String> out = new ArrayList<>();
        for (String part : v.split(",")) {
            String p = part.trim();
            if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
                p = p.substring(1, p.length() - 1);
            }
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    /** A byte size such as {@code 500mb}, {@code 200GB}, {@code 1024b} (1024-based, like ES). Returns -1 for absent. */
    static long bytes(Map<String, String> map, String key) {
        String v = get(map, key);
        if (v == null) {
            return -1;
        }
        long b = parseBytes(v);
        if (b < 0) {
            throw new InvalidSettingException(key, "setting [" + key + "] must be a byte size such as [500mb] or [200gb], was [" + v + "]");
        }
        return b;
    }

    /** @return the byte count, or -1 when {@code v} is not a byte size */
    static long parseBytes(String v) {
        Matcher m = BYTES.matcher(v);
        if (!m.matches()) {
            return -1;
        }
        double n = Double.parseDouble(m.group(1));
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT).charAt(0)) {
            case 'b' -> 1L;
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1L << 50;
        };
        return (long) (n * unit);
    }

    /** A duration such as {@code 60s}, {@code 1m}, {@code 500ms}; a bare number is seconds. Returns milliseconds. */
    static long durationMillis(Map<String, String> map, String key, long dfltMillis) {
        String v = get(map, key);
        if (v == null) {
            return dfltMillis;
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new InvalidSettingException(key, "setting [" + key + "] must be a duration such as [30s] or [1m], was [" + v + "]");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 86_400_000;
        };
    }
}
