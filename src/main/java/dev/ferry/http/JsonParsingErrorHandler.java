package dev.ferry.http;

import akka.event.LoggingAdapter;
import akka.http.ParsingErrorHandler;
import akka.http.javadsl.model.HttpResponse;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.StatusCode;
import akka.http.scaladsl.settings.ServerSettings;

/**
 * Requests so malformed that no route sees them (a URI over {@code max-uri-length}, too many or too long headers, a
 * broken request line) get the API's {@code {"error","detail"}} body too, instead of Akka's plain text
 * ({@code akka.http.server.parsing.error-handler} in ferry-akka.conf).
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        int code = status.intValue();
        String error = switch (code) {
            case 414 -> "uri_too_long";
            case 413 -> "request_too_large";
            case 431 -> "headers_too_large";
            case 505 -> "http_version_not_supported";
            default -> "bad_request";
        };
        String hint = switch (code) {
            case 414 -> ": put long values (e.g. a long tags expression) in fewer characters; the limit is akka.http.server.parsing.max-uri-length";
            case 431 -> ": send fewer or shorter headers (akka.http.server.parsing.max-header-count / max-header-value-length)";
            default -> "";
        };
        return Responses.error(code, error, info.formatPretty() + hint);
    }
}
