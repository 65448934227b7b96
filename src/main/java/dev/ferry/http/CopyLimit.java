package dev.ferry.http;

import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import dev.ferry.broker.TopicSettings;
import dev.ferry.node.Services;

import java.util.ArrayList;
import java.util.List;

/**
 * ES's {@code cluster.max_shards_per_node} on the request path: creating a topic (by PUT or by auto-create) or raising
 * its queues or replicas is refused with 400 when the cluster would hold more than {@code ferry.max-queue-copies-per-node}
 * times its Up nodes' queue copies. Checked before the Broker is asked, as ES checks before it creates an index.
 */
final class CopyLimit {

    private CopyLimit() {}

    static void check(Services services, String topic, TopicSettings after) {
        List<Member> up = new ArrayList<>();
        for (Member m : Cluster.get(services.system()).state().getMembers()) if (m.status() == MemberStatus.up()) up.add(m);
        services.allocation().copyLimitRefusal(up, topic, after).ifPresent(refusal -> {
            throw ApiException.badRequest("copy_limit_exceeded", refusal);
        });
    }
}
