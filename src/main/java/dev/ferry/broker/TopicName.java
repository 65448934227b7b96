package dev.ferry.broker;

import java.util.regex.Pattern;

/** RocketMQ's topic name rule: {@code ^[%|a-zA-Z0-9_-]+$}, at most 127 characters. Names become file and key names, so the rule is strict. */
public final class TopicName {
    public static final int MAX_LENGTH = 127;
    private static final Pattern VALID = Pattern.compile("^[%|a-zA-Z0-9_-]+$");

    private TopicName() {}

    /** Returns why {@code name} is not a valid topic name, or null when it is. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) return "topic name is empty";
        if (name.length() > MAX_LENGTH) return "topic name is " + name.length() + " characters long, at most " + MAX_LENGTH + " are allowed";
        if (!VALID.matcher(name).matches()) return "topic name \"" + printable(name) + "\" may only contain letters, digits, '%', '|', '_' and '-'";
        return null;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(MAX_LENGTH + 1).forEach(c -> {
            if (c < 0x20 || c == '"' || c == '\\') b.append(String.format("\\u%04x", c)); else b.appendCodePoint(c);
        });
        return b.toString();
    }
}
