package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;

/** A node answered with a non-2xx status; carries its {@code {"error", "detail"}} body for the operator. */
public final class FerryHttpException extends RuntimeException {

    private final int status;
    private final String error;
    private final String detail;

    FerryHttpException(String request, int status, String error, String detail) {
        super(request + " -> HTTP " + status + ": " + error + (detail.isEmpty() ? "" : " (" + detail + ")"));
        this.status = status;
        this.error = error;
        this.detail = detail;
    }

    static FerryHttpException from(String request, int status, JsonNode body, byte[] raw) {
        if (body.isObject() && body.hasNonNull("error")) {
            return new FerryHttpException(request, status, body.get("error").asText(), body.path("detail").asText(""));
        }
        String text = new String(raw, StandardCharsets.UTF_8).strip();
        return new FerryHttpException(request, status, text.isEmpty() ? "no body" : text, "");
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return detail;
    }
}
