package dev.ferry.allocation;

import java.util.Locale;

/** Values of {@code ferry.allocation.allow-rebalance}: how settled the cluster must be before balancing moves start. */
public enum AllowRebalance {
    ALWAYS("always"), MASTERS_ACTIVE("indices_primaries_active"), ALL_ACTIVE("indices_all_active");

    private final String word;

    AllowRebalance(String word) {
        this.word = word;
    }

    /** @return the setting word as written in Elasticsearch */
    public String word() {
        return word;
    }

    static AllowRebalance parse(String key, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "always" -> ALWAYS;
            case "indices_primaries_active", "masters_active", "primaries_active" -> MASTERS_ACTIVE;
            case "indices_all_active", "all_active" -> ALL_ACTIVE;
            default -> throw new InvalidSettingException(key, "setting [" + key + "] must be one of [always, indices_primaries_active "
                    + "(masters_active), indices_all_active (all_active)], was [" + v + "]");
        };
    }
}
