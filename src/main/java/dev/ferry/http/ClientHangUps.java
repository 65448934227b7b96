package dev.ferry.http;

import akka.NotUsed;
import akka.http.javadsl.model.AttributeKey;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpProtocols;
import akka.http.javadsl.model.HttpResponse;
import akka.stream.javadsl.Flow;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    static final AttributeKey<Signal> HUNG_UP = AttributeKey.create("ferry-client-hung-up", Signal.class);

    /**
     * One connection's hang-up. A response registers what to stop and forgets it when it ends first, so a connection
     * kept alive for many streaming requests holds nothing of the finished ones. Thread-safe.
     */
    static final class Signal {
        private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();
        private volatile boolean hungUp;

        /** Runs {@code stop} when the client hangs up (at once if it has); the answer forgets it again. */
        Runnable onHangUp(Runnable stop) {
            listeners.add(stop);
            if (hungUp && listeners.remove(stop)) stop.run();
            return () -> listeners.remove(stop);
        }

        void fire() {
            hungUp = true;
            for (Runnable stop : listeners) if (listeners.remove(stop)) stop.run();
        }
    }

    /**
     * {@code handler}, materialized once per connection, with {@link #HUNG_UP} on each request of the connection
     * (none on a request that asks to close the connection, nor on one that did not come through here).
     */
    static Flow<HttpRequest, HttpResponse, NotUsed> watching(Flow<HttpRequest, HttpResponse, NotUsed> handler) {
        return Flow.<HttpRequest, HttpResponse, NotUsed>fromMaterializer((mat, attributes) -> {
            Signal hungUp = new Signal();
            return Flow.of(HttpRequest.class)
                    .watchTermination((m, requestsEnded) -> {
                        requestsEnded.whenComplete((done, failure) -> hungUp.fire());
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
