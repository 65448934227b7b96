package dev.ferry.bench;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.JsonFraming;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline for `ferry bench produce`: what Akka HTTP 10.2.10 alone does on this machine with routes of
 * the same shape as a node's send routes, answering at once without storing anything. Not shipped; run with
 * {@code java -Xmx512m -cp target/benchmarks.jar dev.ferry.bench.BareHttpBaseline 28090}.
 */
public final class BareHttpBaseline extends AllDirectives {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicLong offset = new AtomicLong();

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 28090;
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "baseline", ConfigFactory.parseString(
                "akka.http.server.max-connections = 4096\nakka.loglevel = WARNING").withFallback(ConfigFactory.load()));
        Http.get(system).newServerAt("127.0.0.1", port).bind(new BareHttpBaseline().routes())
                .thenAccept(b -> System.out.println("baseline listening on " + b.localAddress()));
    }

    private String ack() {
        long o = offset.getAndIncrement();
        return "{\"messageId\":\"m" + o + "\",\"queue\":" + (o & 3) + ",\"offset\":" + o + "}";
    }

    /** JSON batch: parse the request, one ack per message. */
    private Route batch() {
        return entity(Unmarshaller.entityToByteString(), body -> {
            try {
                JsonNode req = JSON.readTree(body.toArray());
                StringBuilder acks = new StringBuilder("{\"results\":[");
                for (int i = 0; i < req.path("messages").size(); i++) {
                    acks.append(i == 0 ? "" : ",").append(ack());
                }
                return complete(HttpResponse.create().withStatus(StatusCodes.CREATED)
                        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, acks.append("]}").toString())));
            } catch (Exception e) {
                return complete(StatusCodes.BAD_REQUEST, "{\"error\":\"invalid_json\"}");
            }
        });
    }

    /** NDJSON stream: one ack line per message line, streamed back while the request is still arriving. */
    private Route stream(akka.http.javadsl.model.HttpEntity entity) {
        Source<ByteString, ?> acks = entity.getDataBytes()
                .via(JsonFraming.objectScanner(1 << 20))
                .map(line -> ByteString.fromString(ack() + "\n"));
        return complete(HttpResponse.create().withEntity(HttpEntities.createChunked(
                ContentTypes.create(MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8)), acks)));
    }

    Route routes() {
        return pathPrefix("topics", () -> pathPrefix(topic -> concat(
                pathEnd(() -> get(() -> complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                        "{\"name\":\"" + topic + "\",\"queues\":[{\"queue\":0,\"minOffset\":0,\"maxOffset\":0}]}"))))),
                path("messages", () -> post(() -> entity(Unmarshaller.entityToByteString(), body ->
                        complete(HttpResponse.create().withStatus(StatusCodes.CREATED)
                                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, ack())))))),
                path("messages:batch", () -> post(() -> withoutSizeLimit(() -> extractRequestEntity(entity ->
                        entity.getContentType().mediaType().subType().equals("x-ndjson") ? stream(entity) : batch()))))
        )));
    }
}
