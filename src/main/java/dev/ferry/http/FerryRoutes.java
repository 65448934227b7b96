package dev.ferry.http;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.headers.Allow;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.MethodRejection;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.http.javadsl.server.MalformedRequestContentRejection;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import dev.ferry.node.Services;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;

import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** The HTTP API's route tree (docs/http-api.md); handlers live in the *Api classes, errors become {"error","detail"}. */
public final class FerryRoutes extends AllDirectives {

    /** Prometheus' text exposition format, version included, as its scrapers negotiate it. */
    private static final ContentType PROMETHEUS_TEXT = ContentTypes.parse(TextFormat.CONTENT_TYPE_004);

    private final Services services;
    private final TopicApi topics;
    private final MessageApi messages;
    private final GroupApi groups;
    private final ClusterApi cluster;
    private final RecoveryApi recoveries;
    private final ConsumeStreams streams;
    private final OffsetApi offsets;

    public FerryRoutes(Services services) {
        this.services = services;
        Sender sender = new Sender(services);
        Placement placement = new Placement(services);
        this.topics = new TopicApi(services, sender, placement);
        this.messages = new MessageApi(services, sender);
        this.groups = new GroupApi(services, sender);
        this.offsets = new OffsetApi(services, sender);
        this.streams = new ConsumeStreams(services, sender, groups);
        this.cluster = new ClusterApi(services, placement, new AllocationApi(services, sender, placement));
        this.recoveries = new RecoveryApi(services);
    }

    public Route route() {
        return handleExceptions(exceptions(), () -> handleRejections(rejections(), () ->
                optionalHeaderValueByName("Raw-Request-URI", raw -> {
                    String problem = raw.map(FerryRoutes::dotSegmentName).orElse(null);
                    return problem != null ? complete(Responses.error(400, problem.startsWith("groups") ? "invalid_group_name" : "invalid_topic_name",
                            problem.substring(problem.indexOf(':') + 1))) : routes();
                })));
    }

    /**
     * Akka normalizes "." and ".." path segments away before routing, so "/topics/../x" would otherwise reach "/x" as a
     * 404; the raw request line (akka.http.server.raw-request-uri-header = on) lets us answer it as the bad name it is.
     */
    static String dotSegmentName(String rawUri) {
        String path = rawUri;
        int q = path.indexOf('?');
        if (q >= 0) path = path.substring(0, q);
        String[] seg = path.split("/", -1);
        if (seg.length < 3 || !(seg[1].equals("topics") || seg[1].equals("groups"))) return null;
        String name = decode(seg[2]);
        for (int i = 2; i < seg.length; i++) {
            String d = decode(seg[i]);
            if (d.equals(".") || d.equals(".."))
                return seg[1] + ":" + (seg[1].equals("topics") ? "topic" : "group") + " name \"" + name
                        + "\" may only contain letters, digits, '%', '|', '_' and '-' (no path segments like \"..\")";
        }
        return null;
    }

    private static String decode(String segment) {
        try {
            return java.net.URLDecoder.decode(segment.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return segment; // Akka rejects malformed escapes itself; not a dot segment either way
        }
    }

    private Route routes() {
        return concat(
                path("health", () -> get(this::health)),
                path("metrics", () -> get(this::metrics)),
                pathPrefix("topics", this::topicRoutes),
                pathPrefix("groups", () -> concat(
                        pathEndOrSingleSlash(() -> get(() -> async(groups::list))),
                        pathPrefix(PathMatchers.segment(), this::groupRoutes))),
                pathPrefix("cluster", this::clusterRoutes));
    }

    private Route topicRoutes() {
        return concat(
                pathEnd(() -> get(() -> async(topics::list))),
                pathSingleSlash(() -> concat(
                        get(() -> async(topics::list)),
                        async(() -> { throw ApiException.badRequest("invalid_topic_name", "topic name is empty"); }))),
                pathPrefix(PathMatchers.segment(), this::oneTopic));
    }

    private Route oneTopic(String topic) {
        return concat(
                pathEnd(() -> concat(
                        put(() -> body(b -> async(() -> topics.create(topic, b)))),
                        get(() -> async(() -> topics.describe(topic))),
                        delete(() -> async(() -> topics.delete(topic))))),
                path("settings", () -> patch(() -> body(b -> async(() -> topics.patch(topic, b))))),
                path("offsets", () -> get(() -> parameterMap(params -> async(() -> offsets.topic(topic, params))))),
                path("messages", () -> post(() -> extractRequest(req ->
                        entity(Unmarshaller.entityToByteString(), bytes -> async(() -> messages.sendOne(topic, req, bytes)))))),
                path("messages:batch", () -> post(() -> extractRequest(req -> isNdjson(req)
                        ? withoutSizeLimit(() -> sync(() -> messages.stream(topic, req)))
                        : body(b -> async(() -> messages.sendBatch(topic, b)))))),
                pathPrefix("queues", () -> concat(
                        path(PathMatchers.segment().slash("offset"), q ->
                                get(() -> parameterMap(params -> async(() -> offsets.queue(topic, q, params))))),
                        path(PathMatchers.segment().slash("messages"), q ->
                                get(() -> parameterMap(params -> async(() -> messages.read(topic, q, params))))),
                        path(PathMatchers.segment().slash("messages:stream"), q ->
                                get(() -> hangUp(hungUp -> parameterMap(params -> async(() -> streams.queue(topic, q, params, hungUp)))))))));
    }

    private Route groupRoutes(String group) {
        return concat(
                pathEnd(() -> concat(
                        get(() -> async(() -> groups.describe(group))),
                        delete(() -> async(() -> groups.delete(group))))),
                path("pull", () -> post(() -> body(b -> async(() -> groups.pull(group, b))))),
                path("commit", () -> post(() -> body(b -> async(() -> groups.commit(group, b))))),
                path("leave", () -> post(() -> body(b -> async(() -> groups.leave(group, b))))),
                path("reset", () -> post(() -> body(b -> async(() -> groups.reset(group, b))))),
                path("stream", () -> get(() -> hangUp(hungUp -> parameterMap(params -> async(() -> streams.group(group, params, hungUp)))))));
    }

    /** When the client of this request hangs up, if that can be told (see {@link ClientHangUps}). */
    private Route hangUp(java.util.function.Function<java.util.Optional<ClientHangUps.Signal>, Route> inner) {
        return optionalAttribute(ClientHangUps.HUNG_UP, inner);
    }

    private Route clusterRoutes() {
        return concat(
                path("nodes", () -> get(() -> async(cluster::nodes))),
                path("placement", () -> get(() -> async(cluster::placement))),
                path("recoveries", () -> get(() -> async(recoveries::recoveries))),
                path(PathMatchers.segment("allocation").slash("explain"), () -> get(() -> parameterMap(p -> async(() -> cluster.explain(p))))),
                path("settings", () -> concat(
                        get(() -> async(cluster::getSettings)),
                        put(() -> body(b -> async(() -> cluster.putSettings(b)))))));
    }

    private static boolean isNdjson(HttpRequest req) {
        return req.entity().getContentType().mediaType().toString().startsWith("application/x-ndjson");
    }

    private Route body(java.util.function.Function<byte[], Route> inner) {
        return entity(Unmarshaller.entityToByteString(), bs -> inner.apply(bs.toArray()));
    }

    /** Runs a handler; synchronous ApiExceptions and failed futures both become error responses. */
    private Route async(Supplier<CompletionStage<HttpResponse>> handler) {
        CompletionStage<HttpResponse> stage;
        try {
            stage = handler.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return completeWithFuture(stage.exceptionally(Responses.recover()));
    }

    private Route sync(Supplier<HttpResponse> handler) {
        try {
            return complete(handler.get());
        } catch (RuntimeException e) {
            return complete(Responses.recover().apply(e));
        }
    }

    private Route health() {
        var self = Cluster.get(services.system()).selfMember();
        var state = Cluster.get(services.system()).state();
        boolean up = self.status() == MemberStatus.up();
        return complete(Responses.json(up ? 200 : 503, Responses.map(
                "status", up ? "ok" : "unavailable",
                "node", services.settings().node().name(),
                "cluster", self.status().toString(),
                "pid", ProcessHandle.current().pid(),
                "address", self.address().toString(),
                "members", countMembers(),
                "unreachable", state.getUnreachable().size())));
    }

    private int countMembers() {
        int n = 0;
        for (var ignored : Cluster.get(services.system()).state().getMembers()) n++;
        return n;
    }

    private Route metrics() {
        StringWriter w = new StringWriter();
        try {
            TextFormat.write004(w, CollectorRegistry.defaultRegistry.metricFamilySamples());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return complete(HttpResponse.create().withEntity(PROMETHEUS_TEXT, w.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private ExceptionHandler exceptions() {
        return ExceptionHandler.newBuilder()
                .match(ApiException.class, e -> complete(Responses.error(e)))
                .match(EntityStreamSizeException.class, e -> complete(tooLarge(e)))
                .matchAny(e -> complete(Responses.recover().apply(e)))
                .build();
    }

    /**
     * Akka's default rejection answers (404, 405, 413, ...) with their text moved into the JSON error body; a 405
     * also carries the Allow header HTTP requires (RFC 9110 15.5.6), which Akka's default answer leaves out.
     */
    private static HttpResponse tooLarge(EntityStreamSizeException e) {
        return Responses.error(413, "request_too_large",
                "the request body is larger than " + e.limit() + " bytes (akka.http.server.parsing.max-content-length)");
    }

    private RejectionHandler rejections() {
        RejectionHandler wrongMethod = RejectionHandler.newBuilder()
                // A body over max-content-length, found while a route reads it: Akka's own text would be "The request
                // content was malformed: EntityStreamSizeException(...)".
                .handle(MalformedRequestContentRejection.class, rejected -> rejected.getCause() instanceof EntityStreamSizeException e
                        ? complete(tooLarge(e))
                        : complete(Responses.error(400, "bad_request", "the request body could not be read: " + rejected.message())))
                .handleAll(MethodRejection.class, rejected -> {
                    HttpMethod[] allowed = rejected.stream().map(MethodRejection::supported).distinct().toArray(HttpMethod[]::new);
                    String names = java.util.Arrays.stream(allowed).map(HttpMethod::name).collect(java.util.stream.Collectors.joining(", "));
                    return complete(Responses.error(405, "method_not_allowed", "HTTP method not allowed here; supported methods: " + names)
                            .addHeader(Allow.create(allowed)));
                })
                .build();
        return wrongMethod.withFallback(RejectionHandler.defaultHandler()).mapRejectionResponse(resp -> {
            if (resp.entity().getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) return resp;
            String text = resp.entity() instanceof akka.http.javadsl.model.HttpEntity.Strict s ? s.getData().utf8String() : resp.status().reason();
            int status = resp.status().intValue();
            String code = switch (status) {
                case 404 -> "not_found";
                case 405 -> "method_not_allowed";
                case 413 -> "request_too_large";
                case 415 -> "unsupported_media_type";
                case 400 -> "bad_request";
                default -> "request_rejected";
            };
            return Responses.error(status, code, text);
        });
    }
}
