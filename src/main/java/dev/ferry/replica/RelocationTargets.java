package dev.ferry.replica;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import dev.ferry.cluster.CborSerializable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One node's relocation targets (a system actor, {@link #NAME}). Before a replica that is in sync moves to this node,
 * the allocation strategy asks here for a copy of its queue's log ({@link Prepare}); the replica moves only once the
 * copy is done, so the copy on the old node keeps serving and stays in the in-sync set while the bulk of the log
 * streams — as Elasticsearch keeps a relocating shard's source started until its target has recovered. Each copy is
 * made by a {@link RelocationCopy} child; a second Prepare for a copy already being made (a coordinator that moved
 * asks again) waits for the same one.
 *
 * <p>The same actor takes the answers for the strategy of its own node: a {@link Report} that arrives here is passed
 * to {@code reports} (the node's allocation inputs).
 */
public final class RelocationTargets {

    /** The actor's name under /system on every node. */
    public static final String NAME = "ferry-relocation-targets";

    public sealed interface Command extends CborSerializable {}

    /** Copy {@code topic}/{@code queue}'s log here for replica {@code copy}, then answer {@code replyTo}. */
    public record Prepare(String topic, int queue, int copy, ActorRef<Report> replyTo) implements Command {}

    /** How a {@link Prepare} ended on {@code node}. */
    public sealed interface Report extends Command {
        String topic();
        int queue();
        int copy();
        String node();
    }

    /** The log is on {@code node} up to {@code highestSeq}: the replica may move there now. */
    public record Prepared(String topic, int queue, int copy, String node, long highestSeq) implements Report {}

    /** No copy was made ({@code reason}); the strategy may try again in a later round. */
    public record NotPrepared(String topic, int queue, int copy, String node, String reason) implements Report {}

    record Finished(String key, Report report) implements Command {}

    private RelocationTargets() {}

    public static Behavior<Command> create(String nodeName, Consumer<Report> reports) {
        return Behaviors.setup(ctx -> {
            Map<String, List<ActorRef<Report>>> waiting = new HashMap<>();
            return Behaviors.receive(Command.class)
                    .onMessage(Prepare.class, p -> {
                        String key = p.topic() + "/" + p.queue() + "/" + p.copy();
                        List<ActorRef<Report>> replyTo = waiting.get(key);
                        if (replyTo == null) {
                            replyTo = new ArrayList<>();
                            waiting.put(key, replyTo);
                            var child = ctx.spawnAnonymous(RelocationCopy.create(p.topic(), p.queue(), p.copy(), nodeName, key, ctx.getSelf()));
                            // A copy that failed with an exception still answers (one that finished already did: no-op).
                            ctx.watchWith(child, new Finished(key, new NotPrepared(p.topic(), p.queue(), p.copy(), nodeName, "the copy failed")));
                        }
                        replyTo.add(p.replyTo());
                        return Behaviors.same();
                    })
                    .onMessage(Finished.class, f -> {
                        List<ActorRef<Report>> replyTo = waiting.remove(f.key());
                        if (replyTo != null) replyTo.forEach(r -> r.tell(f.report()));
                        return Behaviors.same();
                    })
                    .onMessage(Report.class, r -> {
                        reports.accept(r);
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
