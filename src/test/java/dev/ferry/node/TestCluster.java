package dev.ferry.node;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;

import java.time.Duration;

/** An ActorTestKit whose system is a one-node Ferry cluster (the node's real config and wiring, no HTTP). */
public final class TestCluster {
    private TestCluster() {}

    public record Node(ActorTestKit kit, Services services) {
        public void stop() {
            kit.shutdownTestKit();
        }
    }

    public static Node start(Config config) {
        FerrySettings settings = FerrySettings.from(config);
        Config withRoles = config.withValue("akka.cluster.roles", com.typesafe.config.ConfigValueFactory.fromIterable(settings.node().roles()));
        ActorTestKit kit = ActorTestKit.create(FerryNode.SYSTEM_NAME, withRoles);
        Cluster cluster = Cluster.get(kit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        Services services = Services.start(kit.system(), settings);
        kit.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
            if (cluster.selfMember().status() != MemberStatus.up()) throw new AssertionError("not up yet");
            return null;
        });
        return new Node(kit, services);
    }
}
