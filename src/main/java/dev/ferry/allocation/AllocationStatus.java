package dev.ferry.allocation;

import java.util.Locale;

/** Why an unassigned copy stayed unassigned in a round (ES's {@code last_allocation_status}). */
public enum AllocationStatus {
    /** Every node said NO (or a node-independent decider did). */
    DECIDERS_NO,
    /** The best node said THROTTLE: the copy waits for a recovery slot there. */
    DECIDERS_THROTTLED,
    /** Not tried this round (an identical copy of the same queue already failed). */
    NO_ATTEMPT;

    /** @return the lower-case JSON word, e.g. {@code deciders_no} */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
