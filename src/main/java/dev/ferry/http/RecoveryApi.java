package dev.ferry.http;

import akka.http.javadsl.model.HttpResponse;
import dev.ferry.node.Services;
import dev.ferry.recovery.RecoverySlots;
import dev.ferry.replica.NodeRecoveries;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /cluster/recoveries}: this node's peer recoveries (ES {@code _cat/recovery}, per node): live slots against
 * their limits, the byte-rate cap and what it has counted, the recoveries under way (bytes so far; {@code type}
 * "relocation" for a copy made before a replica moves), the last finished recoveries and divergent-tail cuts
 * (docs/http-api.md, "Cluster"; docs/replication.md, "Peer recovery").
 */
final class RecoveryApi {

    private final Services services;

    RecoveryApi(Services services) {
        this.services = services;
    }

    CompletionStage<HttpResponse> recoveries() {
        NodeRecoveries r = NodeRecoveries.get(services.system());
        List<Object> records = new ArrayList<>();
        for (NodeRecoveries.Record x : r.records())
            records.add(Responses.map("persistenceId", x.persistenceId(), "copy", x.copy(), "direction", x.direction(),
                    "fromSeq", x.fromSeq(), "toSeq", x.toSeq(), "bytes", x.bytes(), "startedAt", x.startedMillis(),
                    "tookMs", x.endedMillis() - x.startedMillis(), "outcome", x.outcome()));
        long now = System.currentTimeMillis();
        List<Object> live = new ArrayList<>();
        for (NodeRecoveries.Active a : r.active())
            live.add(Responses.map("persistenceId", a.persistenceId(), "copy", a.copy(), "direction", a.direction(),
                    "fromSeq", a.fromSeq(), "bytes", a.bytes().get(), "startedAt", a.startedMillis(), "runningMs", now - a.startedMillis(),
                    "type", a.relocation() ? "relocation" : "peer"));
        List<Object> cuts = new ArrayList<>();
        for (NodeRecoveries.Truncation t : r.truncations())
            cuts.add(Responses.map("persistenceId", t.persistenceId(), "copy", t.copy(), "highestSeq", t.highestSeq(),
                    "keptSeq", t.keptSeq(), "at", t.atMillis()));
        return CompletableFuture.completedFuture(Responses.json(200, Responses.map(
                "node", services.settings().node().name(),
                "maxBytesPerSec", r.bucket().bytesPerSecond(),
                "chunkSize", r.settings().chunkSize(),
                "bytes", r.bucket().grantedBytes(),
                "throttledMs", r.bucket().throttledNanos() / 1_000_000,
                "incoming", slots(r.incoming()),
                "outgoing", slots(r.outgoing()),
                "active", live,
                "recoveries", records,
                "truncations", cuts)));
    }

    private static Map<String, Object> slots(RecoverySlots s) {
        return Responses.map("active", s.inUse(), "limit", s.limit(), "maxActive", s.maxInUse(), "started", s.acquired(),
                "refused", s.refused());
    }
}
