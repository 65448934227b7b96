package dev.ferry.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.UniqueAddress;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import com.typesafe.config.Config;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Downs an unreachable member whose host refuses connections to its cluster port (see {@link PortRefusals}): a killed
 * or crashed node leaves the cluster as soon as the failure detector gives up on it, without the split-brain
 * resolver's stable-after on top, so its queues fail over sooner. Every node probes every Up member with a
 * plain TCP connect that it aborts at once (an RST, so no probe leaves a TIME-WAIT port behind); the probes run on
 * the blocking dispatcher.
 */
public final class CrashDetector {
    private CrashDetector() {}

    /** ferry.cluster.down-on-refused-connection and its probe settings; a probe's connect timeout is the interval. */
    public record Settings(boolean enabled, Duration interval, int refusalsToDown) {
        public static Settings fromConfig(Config config) {
            Config c = config.getConfig("ferry.cluster");
            return new Settings(c.getBoolean("down-on-refused-connection"), c.getDuration("refused-connection-probe-interval"),
                    c.getInt("refused-connections-to-down"));
        }
    }

    /** Private protocol: probe ticks and their answers. */
    public interface Command {}

    private record Tick() implements Command {}

    private record Probed(UniqueAddress member, PortRefusals.Probe probe) implements Command {}

    public static Behavior<Command> create(Settings settings) {
        if (!settings.enabled()) return Behaviors.empty();
        return Behaviors.<Command>setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(new Tick(), settings.interval());
            return new CrashDetector.Running(ctx, settings).behavior();
        }));
    }

    private static final class Running {
        private final ActorContext<Command> ctx;
        private final Settings settings;
        private final Cluster cluster;
        private final Executor blocking;
        private final PortRefusals<UniqueAddress> refusals;
        private final Set<UniqueAddress> probing = new HashSet<>();

        Running(ActorContext<Command> ctx, Settings settings) {
            this.ctx = ctx;
            this.settings = settings;
            this.cluster = Cluster.get(ctx.getSystem());
            this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
            this.refusals = new PortRefusals<>(settings.refusalsToDown());
        }

        Behavior<Command> behavior() {
            return Behaviors.receive(Command.class)
                    .onMessage(Tick.class, t -> onTick())
                    .onMessage(Probed.class, this::onProbed)
                    .build();
        }

        private Behavior<Command> onTick() {
            Set<UniqueAddress> members = new HashSet<>();
            UniqueAddress self = cluster.selfMember().uniqueAddress();
            if (!probed(cluster.selfMember())) return Behaviors.same(); // not a full member (yet, or any more)
            for (Member m : cluster.state().getMembers()) {
                if (m.uniqueAddress().equals(self) || !probed(m)) continue;
                members.add(m.uniqueAddress());
                if (!probing.add(m.uniqueAddress())) continue; // the last probe of it has not answered yet
                String host = m.address().getHost().orElse(null);
                Integer port = m.address().getPort().orElse(null);
                if (host == null || port == null) continue;
                int timeout = (int) settings.interval().toMillis();
                ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> probe(host, port, timeout), blocking),
                        (p, failure) -> new Probed(m.uniqueAddress(), p != null ? p : PortRefusals.Probe.NO_ANSWER));
            }
            refusals.retainOnly(members);
            probing.retainAll(members);
            return Behaviors.same();
        }

        private Behavior<Command> onProbed(Probed p) {
            probing.remove(p.member());
            if (!refusals.record(p.member(), p.probe())) return Behaviors.same();
            for (Member m : cluster.state().getMembers()) {
                if (!m.uniqueAddress().equals(p.member()) || !probed(m)) continue;
                // Akka removes a downed member only once the failure detector finds it unreachable, so downing it
                // earlier gains nothing; waiting for that keeps a member from being Down while it still looks alive.
                if (!cluster.state().getUnreachable().contains(m)) continue;
                ctx.getLog().warn("cluster member {} refused {} connections in a row on its cluster port: its process is gone; downing it",
                        m.address(), settings.refusalsToDown());
                cluster.manager().tell(new Down(m.address()));
            }
            return Behaviors.same();
        }

        /** Only full members: joining ones may not listen yet, leaving ones close their port on the way out. */
        private static boolean probed(Member m) {
            return m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp();
        }
    }

    /** One TCP connect to the member's cluster port, closed at once (aborted: see {@link #probeSocket}). */
    static PortRefusals.Probe probe(String host, int port, int timeoutMillis) {
        try (Socket s = probeSocket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            return PortRefusals.Probe.ACCEPTED;
        } catch (ConnectException e) {
            // "Connection refused" only: "Network is unreachable" and the like say nothing about the process
            return e.getMessage() != null && e.getMessage().contains("refused") ? PortRefusals.Probe.REFUSED : PortRefusals.Probe.NO_ANSWER;
        } catch (IOException | RuntimeException e) {
            return PortRefusals.Probe.NO_ANSWER;
        }
    }

    /**
     * A socket whose close aborts the connection (SO_LINGER 0: an RST instead of a FIN). The side that closes a TCP
     * connection normally keeps its local port in TIME-WAIT for a minute (Linux); with every node probing every member
     * four times a second, thousands of such ports piled up and a restarting node could find its own cluster port
     * taken by one ("Address already in use"). A probe sends no data, so aborting it loses nothing.
     */
    static Socket probeSocket() throws IOException {
        Socket s = new Socket();
        s.setSoLinger(true, 0);
        return s;
    }
}
