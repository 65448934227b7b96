package dev.ferry.http;

/**
 * An expected failure of a request: answered with {@code status} and {@code {"error": error, "detail": detail}}.
 * Thrown inside route code and request parsing; never logged as an error.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String error;

    public ApiException(int status, String error, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return getMessage();
    }

    public static ApiException badRequest(String error, String detail) {
        return new ApiException(400, error, detail);
    }

    public static ApiException topicNotFound(String topic) {
        return new ApiException(404, "topic_not_found", "topic " + topic + " does not exist; create it with PUT /topics/" + topic);
    }

    public static ApiException unavailable(String detail) {
        return new ApiException(503, "unavailable", detail);
    }
}
