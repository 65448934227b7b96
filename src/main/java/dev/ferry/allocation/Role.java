package dev.ferry.allocation;

/** The role of a queue copy. Copy number 0 of a queue is its master (the Queue entity), copies 1..n its replicas. */
public enum Role {
    MASTER, REPLICA;

    /** @return the role of copy number {@code copy}: 0 is the master, anything else a replica */
    public static Role ofCopy(int copy) {
        return copy == 0 ? MASTER : REPLICA;
    }

    /** @return the lower-case word used in JSON and explanations ({@code master}, {@code replica}) */
    public String word() {
        return this == MASTER ? "master" : "replica";
    }
}
