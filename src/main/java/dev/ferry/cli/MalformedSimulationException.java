package dev.ferry.cli;

/** A simulation file that cannot be read; the message starts with the JSON path of the offending field. */
public final class MalformedSimulationException extends Exception {
    private final String field;

    public MalformedSimulationException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** @return the JSON path of the offending field, e.g. {@code nodes[2].disk.totalBytes} */
    public String field() {
        return field;
    }
}
