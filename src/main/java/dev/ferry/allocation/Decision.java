package dev.ferry.allocation;

import java.util.Collection;

/**
 * One decider's answer, with the decider's label and a human explanation that quotes the numbers in
 * {@code [brackets]} and names the setting that would change it.
 *
 * @param type        YES, THROTTLE or NO
 * @param decider     the decider's label (e.g. {@code disk_threshold}); empty for the combiner's default
 * @param explanation why, for operators
 */
public record Decision(Type type, String decider, String explanation) {

    /** Ordered from most to least negative, so that {@link #worst} can compare ordinals. */
    public enum Type {
        NO, THROTTLE, YES;

        /** @return lower-case word for JSON ({@code no}, {@code throttle}, {@code yes}) */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The answer of a decider that has no opinion on a question. */
    public static final Decision ALWAYS = new Decision(Type.YES, "", "");

    public Decision {
        if (type == null || decider == null || explanation == null) {
            throw new IllegalArgumentException("decision fields must not be null");
        }
    }

    /** @return a YES of {@code decider} */
    public static Decision yes(String decider, String explanation) {
        return new Decision(Type.YES, decider, explanation);
    }

    /** @return a NO of {@code decider} */
    public static Decision no(String decider, String explanation) {
        return new Decision(Type.NO, decider, explanation);
    }

    /** @return a THROTTLE of {@code decider} */
    public static Decision throttle(String decider, String explanation) {
        return new Decision(Type.THROTTLE, decider, explanation);
    }

    /** @return whether this is a YES */
    public boolean isYes() {
        return type == Type.YES;
    }

    /** @return whether this is a NO */
    public boolean isNo() {
        return type == Type.NO;
    }

    /** @return the most negative type among {@code decisions} (YES when empty) */
    public static Type worst(Collection<Decision> decisions) {
        Type worst = Type.YES;
        for (Decision d : decisions) {
            if (d.type.ordinal() < worst.ordinal()) {
                worst = d.type;
            }
        }
        return worst;
    }

    @Override
    public String toString() {
        return type + "(" + decider + "): " + explanation;
    }
}
