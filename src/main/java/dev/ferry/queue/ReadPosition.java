package dev.ferry.queue;

/**
 * Where a read of a queue starts, and what the reader is told about its offset (RocketMQ's
 * DefaultMessageStore.getMessage statuses). An offset past the end must not come back as the next offset: a consumer
 * following it would silently skip every message stored below it later. Pure.
 *
 * @param status what the requested offset was, relative to the queue
 * @param start  the offset the read serves from
 */
public record ReadPosition(Status status, long start) {

    public enum Status {
        /** Inside the queue: messages are served from it. */
        FOUND("found"),
        /** At the end: nothing yet; the read may wait there for new messages (RocketMQ OFFSET_OVERFLOW_ONE). */
        OFFSET_OVERFLOW_ONE("offset_overflow_one"),
        /** Beyond anything the queue holds: nothing served; continue from maxOffset (RocketMQ OFFSET_OVERFLOW_BADLY). */
        OFFSET_OVERFLOW_BADLY("offset_overflow_badly"),
        /** Below minOffset (retention removed those messages): served from minOffset on (RocketMQ OFFSET_TOO_SMALL). */
        OFFSET_TOO_SMALL("offset_too_small");

        private final String json;

        Status(String json) {
            this.json = json;
        }

        /** The value of a read answer's {@code status} field. */
        public String json() {
            return json;
        }
    }

    /**
     * The requested offset meaning "the end of the queue": where a consumer group with nothing committed starts under
     * {@code ferry.consumer.consume-from-where = last-offset} (RocketMQ CONSUME_FROM_LAST_OFFSET).
     */
    public static final long END = -1;

    /**
     * @param requested  the offset the reader asked for ({@link #END}: the end)
     * @param minOffset  the lowest offset still stored
     * @param readableEnd the end of what consumers may read (maxOffset: the committed offset)
     * @param storedEnd  the end of what this copy knows exists (at least {@code readableEnd}): an offset between the
     *                   two is a message stored but not yet committed, so the reader waits there rather than being
     *                   sent back
     */
    public static ReadPosition of(long requested, long minOffset, long readableEnd, long storedEnd) {
        if (requested == END) return new ReadPosition(Status.OFFSET_OVERFLOW_ONE, readableEnd);
        if (requested > Math.max(readableEnd, storedEnd)) return new ReadPosition(Status.OFFSET_OVERFLOW_BADLY, readableEnd);
        if (requested < minOffset) return new ReadPosition(Status.OFFSET_TOO_SMALL, minOffset);
        if (requested >= readableEnd) return new ReadPosition(Status.OFFSET_OVERFLOW_ONE, requested);
        return new ReadPosition(Status.FOUND, requested);
    }

    /** Whether there is nothing to serve now at {@code start}, so the read answers empty (or waits). */
    public boolean atEnd(long readableEnd) {
        return status == Status.OFFSET_OVERFLOW_BADLY || start >= readableEnd;
    }
}
