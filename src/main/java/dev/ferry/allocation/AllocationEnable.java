package dev.ferry.allocation;

import java.util.Locale;

/** Values of {@code ferry.allocation.enable} / {@code topic.allocation.enable}: which copies may be placed. */
public enum AllocationEnable {
    ALL("all"), MASTERS("primaries"), NEW_MASTERS("new_primaries"), NONE("none");

    private final String word;

    AllocationEnable(String word) {
        this.word = word;
    }

    /** @return the setting word as written in Elasticsearch ({@code all}, {@code primaries}, ...) */
    public String word() {
        return word;
    }

    static AllocationEnable parse(String key, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "all" -> ALL;
            case "primaries", "masters" -> MASTERS;
            case "new_primaries", "new_masters", "new-primaries", "new-masters" -> NEW_MASTERS;
            case "none" -> NONE;
            default -> throw new InvalidSettingException(key, "setting [" + key + "] must be one of [all, primaries (masters), "
                    + "new_primaries (new_masters), none], was [" + v + "]");
        };
    }
}
