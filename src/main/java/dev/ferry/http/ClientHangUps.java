package dev.ferry.http;

import akka.Done;
import akka.NotUsed;
import akka.http.javadsl.model.AttributeKey;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpProtocols;
import akka.http.javadsl.model.HttpResponse;
import akka.stream.javadsl.Flow;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Tells a request's long-lived response when its client has hung up. Akka HTTP (up to 10.2 at least, akka-http#1977)
 * does not cancel a streaming response entity when the client closes the connection: it notices only when a later
 * write fails, a keep-alive or two later, so a stream would keep reading (and a group stream keep its consumer in the
 * group) for tens of seconds. What it does do at once is complete the connection's stream of requests, so this wraps
 * the handler per connection and hands every request a completion stage that completes with that stream.
 *
 * <p>The stream of requests also ends when a client half-closes after its request (rare; taken as a hang-up), and
 * may end after a request that asks to close the connection once answered ({@code Connection: close}, HTTP/1.0: the
 * parser stops reading after it). Such a request is told by its headers and gets no signal, so its stream is never
 * cut short; its hang-up is noticed the old way, when a write fails.
 */
final class ClientHangUps {
    private ClientHangUps() {}

    @SuppressWarnings("unchecked")
    static final AttributeKey<CompletionStage<Done>> HUNG_UP =
            AttributeKey.create("ferry-client-hung-up", (Class<CompletionStage<Done>>) (Class<?>) CompletionStage.class);

    /**
     * {@code handler}, materialized once per connection, with {@link #HUNG_UP} on each request of the connection
     * (none on a request that asks to close the connection, nor on one that did not come through here).
     */
    static Flow<HttpRequest, HttpResponse, NotUsed> watching(Flow<HttpRequest, HttpResponse, NotUsed> handler) {
        return Flow.<HttpRequest, HttpResponse, NotUsed>fromMaterializer((mat, attributes) -> {
            CompletableFuture<Done> hungUp = new CompletableFuture<>();
            return Flow.of(HttpRequest.class)
                    .watchTermination((m, requestsEnded) -> {
                        requestsEnded.whenComplete((done, failure) -> hungUp.complete(Done.done()));
                        return m;
                    })
                    .map(request -> closesAfterAnswer(request) ? request : (HttpRequest) request.addAttribute(HUNG_UP, hungUp))
                    .via(handler);
        }).mapMaterializedValue(m -> NotUsed.getInstance());
    }

    private static boolean closesAfterAnswer(HttpRequest request) {
        return !request.protocol().equals(HttpProtocols.HTTP_1_1) || request.getHeader("Connection")
                .map(h -> h.value().toLowerCase(java.util.Locale.ROOT).contains("close")).orElse(false);
    }
}
