package dev.ferry.http;

import akka.http.javadsl.model.HttpResponse;
import dev.ferry.node.Services;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Allocation explain and the validation of dynamic allocation settings, answered by the allocation core. */
final class AllocationApi {
    private final Services services;

    AllocationApi(Services services) {
        this.services = services;
    }

    CompletionStage<HttpResponse> explain(Map<String, String> params) {
        return CompletableFuture.completedFuture(Responses.error(503, "unavailable", "allocation explain needs the allocation core"));
    }

    Map<String, String> defaults() {
        Map<String, String> out = new TreeMap<>();
        if (services.system().settings().config().hasPath("ferry.allocation"))
            services.system().settings().config().getConfig("ferry.allocation").entrySet()
                    .forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue().unwrapped())));
        return out;
    }

    void validate(Map<String, String> settings) {
    }
}
