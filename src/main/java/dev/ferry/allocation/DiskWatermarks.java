package dev.ferry.allocation;

import java.util.Map;

/**
 * The low / high / flood-stage disk watermarks. Either all three are used-disk ratios ({@code 85%} or {@code 0.85})
 * or all three are free-bytes amounts ({@code 500mb} means "at least 500mb must stay free"); never mixed.
 * Ratio watermarks may carry a max headroom: the free space a watermark demands never exceeds it, so huge
 * disks are not kept mostly empty.
 *
 * @param ratios         true for used-ratio watermarks, false for free-bytes watermarks
 * @param low            used ratio (ratios) or free bytes of the low watermark
 * @param high           used ratio or free bytes of the high watermark
 * @param flood          used ratio or free bytes of the flood-stage watermark
 * @param lowHeadroom    max free bytes the low watermark demands, -1 for none
 * @param highHeadroom   max free bytes the high watermark demands, -1 for none
 * @param floodHeadroom  max free bytes the flood stage demands, -1 for none
 * @param lowText        the low setting as written (for explanations)
 * @param highText       the high setting as written
 * @param floodText      the flood-stage setting as written
 */
public record DiskWatermarks(boolean ratios, double low, double high, double flood,
                             long lowHeadroom, long highHeadroom, long floodHeadroom,
                             String lowText, String highText, String floodText) {

    public static final String LOW = "ferry.allocation.disk.watermark.low";
    public static final String HIGH = "ferry.allocation.disk.watermark.high";
    public static final String FLOOD = "ferry.allocation.disk.watermark.flood-stage";
    /** HOCON cannot hold both {@code watermark.low} and {@code watermark.low.max-headroom}, so the config file uses these keys. */
    public static final String LOW_HEADROOM = "ferry.allocation.disk.watermark.low-max-headroom";
    public static final String HIGH_HEADROOM = "ferry.allocation.disk.watermark.high-max-headroom";
    public static final String FLOOD_HEADROOM = "ferry.allocation.disk.watermark.flood-stage-max-headroom";

    private static final long GB = 1L << 30;

    /** Which watermark. */
    public enum Level { LOW, HIGH, FLOOD_STAGE }

    /**
     * Free bytes a node with {@code totalBytes} of disk must keep to stay under the given watermark.
     * Ratio: {@code min(total * (1 - ratio), headroom)} (no min with headroom -1); bytes: the configured amount.
     */
    public long freeBytesThreshold(Level level, long totalBytes) {
        double value = switch (level) {
            case LOW -> low;
            case HIGH -> high;
            case FLOOD_STAGE -> flood;
        };
        if (!ratios) {
            return (long) value;
        }
        long headroom = switch (level) {
            case LOW -> lowHeadroom;
            case HIGH -> highHeadroom;
            case FLOOD_STAGE -> floodHeadroom;
        };
        long byRatio = Math.round(totalBytes * (1.0 - value));
        return headroom >= 0 ? Math.min(byRatio, headroom) : byRatio;
    }

    /** @return the setting key of a level */
    public static String key(Level level) {
        return switch (level) {
            case LOW -> LOW;
            case HIGH -> HIGH;
            case FLOOD_STAGE -> FLOOD;
        };
    }

    /** @return the setting as written, e.g. {@code 85%} */
    public String text(Level level) {
        return switch (level) {
            case LOW -> lowText;
            case HIGH -> highText;
            case FLOOD_STAGE -> floodText;
        };
    }

    /** Parses and validates the watermark settings (ES rules: same kind, ordered, headroom only with ratios). */
    static DiskWatermarks parse(Map<String, String> m) {
        String lowText = orDefault(SettingValues.get(m, LOW), "85%");
        String highText = orDefault(SettingValues.get(m, HIGH), "90%");
        String floodText = orDefault(SettingValues.get(m, FLOOD), "95%");
        double lowRatio = ratio(lowText);
        double highRatio = ratio(highText);
        double floodRatio = ratio(floodText);
        long lowBytes = SettingValues.parseBytes(lowText);
        long highBytes = SettingValues.parseBytes(highText);
        long floodBytes = SettingValues.parseBytes(floodText);
        boolean allRatios = lowRatio >= 0 && highRatio >= 0 && floodRatio >= 0;
        boolean allBytes = lowBytes >= 0 && highBytes >= 0 && floodBytes >= 0;
        long lowHead = headroom(m, LOW_HEADROOM, "ferry.allocation.disk.watermark.low.max-headroom");
        long highHead = headroom(m, HIGH_HEADROOM, "ferry.allocation.disk.watermark.high.max-headroom");
        long floodHead = headroom(m, FLOOD_HEADROOM, "ferry.allocation.disk.watermark.flood-stage.max-headroom");
        if (!allRatios && !allBytes) {
            String bad = oddOneOut(new String[] {LOW, HIGH, FLOOD}, new double[] {lowRatio, highRatio, floodRatio},
                    new long[] {lowBytes, highBytes, floodBytes});
            throw new InvalidSettingException(bad, "unable to consistently parse [" + LOW + "=" + lowText + "], [" + HIGH + "=" + highText
                    + "], and [" + FLOOD + "=" + floodText + "] as percentage or bytes: use percentages (85%) or ratios (0.85) for all "
                    + "three, or free-space byte sizes (500mb) for all three");
        }
        if (allRatios) {
            if (lowRatio > highRatio) {
                throw new InvalidSettingException(LOW, "low disk watermark [" + lowText + "] more than high disk watermark [" + highText + "]");
            }
            if (highRatio > floodRatio) {
                throw new InvalidSettingException(HIGH, "high disk watermark [" + highText + "] more than flood stage disk watermark [" + floodText + "]");
            }
            boolean defaults = lowRatio == 0.85 && highRatio == 0.90 && floodRatio == 0.95;
            if (lowHead < 0 && highHead < 0 && floodHead < 0 && defaults) {
                // ES applies the default headrooms only while no watermark was changed from its default.
                lowHead = 200 * GB;
                highHead = 150 * GB;
                floodHead = 100 * GB;
            }
            if (lowHead >= 0 && highHead < 0) {
                throw new InvalidSettingException(HIGH_HEADROOM, "setting [" + HIGH_HEADROOM + "] must be set when [" + LOW_HEADROOM + "] is set");
            }
            if (highHead >= 0 && floodHead < 0) {
                throw new InvalidSettingException(FLOOD_HEADROOM, "setting [" + FLOOD_HEADROOM + "] must be set when [" + HIGH_HEADROOM + "] is set");
            }
            if (floodHead >= 0 && highHead >= 0 && floodHead > highHead) {
                throw new InvalidSettingException(FLOOD_HEADROOM, "flood stage max headroom [" + floodHead + "b] more than high max headroom [" + highHead + "b]");
            }
            if (highHead >= 0 && lowHead >= 0 && highHead > lowHead) {
                throw new InvalidSettingException(HIGH_HEADROOM, "high max headroom [" + highHead + "b] more than low max headroom [" + lowHead + "b]");
            }
            return new DiskWatermarks(true, lowRatio, highRatio, floodRatio, lowHead, highHead, floodHead, lowText, highText, floodText);
        }
        if (lowHead >= 0 || highHead >= 0 || floodHead >= 0) {
            String key = lowHead >= 0 ? LOW_HEADROOM : highHead >= 0 ? HIGH_HEADROOM : FLOOD_HEADROOM;
            throw new InvalidSettingException(key, "setting [" + key + "] may only be set when the disk watermarks are percentages, "
                    + "but they are byte sizes [" + lowText + ", " + highText + ", " + floodText + "]");
        }
        if (lowBytes < highBytes) {
            throw new InvalidSettingException(LOW, "low disk watermark [" + lowText + "] less than high disk watermark [" + highText
                    + "]: byte watermarks are free space, so low must be >= high >= flood stage");
        }
        if (highBytes < floodBytes) {
            throw new InvalidSettingException(HIGH, "high disk watermark [" + highText + "] less than flood stage disk watermark [" + floodText
                    + "]: byte watermarks are free space, so low must be >= high >= flood stage");
        }
        return new DiskWatermarks(false, lowBytes, highBytes, floodBytes, -1, -1, -1, lowText, highText, floodText);
    }

    /** @return the key to blame for mixed kinds: one that is neither kind, else the one in the minority kind */
    private static String oddOneOut(String[] keys, double[] ratios, long[] bytes) {
        int ratioCount = 0;
        for (int i = 0; i < keys.length; i++) {
            if (ratios[i] < 0 && bytes[i] < 0) {
                return keys[i];
            }
            if (ratios[i] >= 0) {
                ratioCount++;
            }
        }
        boolean minorityIsRatio = ratioCount < keys.length - ratioCount;
        for (int i = 0; i < keys.length; i++) {
            if ((ratios[i] >= 0) == minorityIsRatio) {
                return keys[i];
            }
        }
        return keys[0];
    }

    private static String orDefault(String v, String d) {
        return v == null ? d : v;
    }

    /** @return the used ratio for {@code 85%} or {@code 0.85}, -1 when not a ratio */
    private static double ratio(String v) {
        String s = v.trim();
        try {
            if (s.endsWith("%")) {
                double pct = Double.parseDouble(s.substring(0, s.length() - 1).trim());
                return pct >= 0 && pct <= 100 ? pct / 100.0 : -1;
            }
            if (s.matches("[0-9]*\\.?[0-9]+")) {
                double r = Double.parseDouble(s);
                return r >= 0 && r <= 1.0 ? r : -1;
            }
        } catch (NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static long headroom(Map<String, String> m, String key, String alias) {
        String k = SettingValues.get(m, key) != null ? key : alias;
        String v = SettingValues.get(m, k);
        if (v != null && v.equals("-1")) {
            throw new InvalidSettingException(k, "setting [" + k + "] cannot be set to [-1] explicitly; leave it empty for the default");
        }
        return SettingValues.bytes(m, k);
    }
}
