package dev.ferry.allocation;

/** A setting value that cannot be used; the message names the key, the value and what would be accepted. */
public final class InvalidSettingException extends IllegalArgumentException {
    private final String key;

    public InvalidSettingException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** @return the offending setting key */
    public String key() {
        return key;
    }
}
