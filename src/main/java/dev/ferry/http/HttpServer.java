package dev.ferry.http;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import dev.ferry.node.FerrySettings;
import dev.ferry.node.Services;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** Binds the API to ferry.http.host:port and unbinds gracefully (draining requests) on CoordinatedShutdown. */
public final class HttpServer {
    private HttpServer() {}

    public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, FerrySettings settings, Services services) {
        return Http.get(system).newServerAt(settings.http().host(), settings.http().port())
                .bindFlow(ClientHangUps.watching(new FerryRoutes(services).route().flow(system)))
                .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system));
    }
}
