package dev.ferry.queue;

import dev.ferry.cluster.CborSerializable;

import java.util.Arrays;
import java.util.List;

/**
 * RocketMQ's subscription expression: {@code *} (or empty) matches everything, {@code A||B} matches messages carrying
 * tag A or tag B.
 */
public record TagFilter(List<String> anyOf) implements CborSerializable {

    public static final TagFilter ALL = new TagFilter(List.of());

    public TagFilter {
        anyOf = List.copyOf(anyOf);
    }

    public static TagFilter parse(String expression) {
        if (expression == null || expression.isBlank() || expression.trim().equals("*")) return ALL;
        return new TagFilter(Arrays.stream(expression.split("\\|\\|")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    public boolean matches(StoredMessage m) {
        if (anyOf.isEmpty()) return true;
        for (String t : m.tags()) if (anyOf.contains(t)) return true;
        return false;
    }

    public boolean matchesAll() {
        return anyOf.isEmpty();
    }
}
