package dev.ferry.allocation;

import java.util.Locale;

/** Values of {@code ferry.allocation.rebalance.enable} / {@code topic.allocation.rebalance.enable}: which copies balancing may move. */
public enum RebalanceEnable {
    ALL("all"), MASTERS("primaries"), REPLICAS("replicas"), NONE("none");

    private final String word;

    RebalanceEnable(String word) {
        this.word = word;
    }

    /** @return the setting word as written in Elasticsearch */
    public String word() {
        return word;
    }

    static RebalanceEnable parse(String key, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "all" -> ALL;
            case "primaries", "masters" -> MASTERS;
            case "replicas" -> REPLICAS;
            case "none" -> NONE;
            default -> throw new InvalidSettingException(key, "setting [" + key + "] must be one of [all, primaries (masters), replicas, none], was [" + v + "]");
        };
    }
}
