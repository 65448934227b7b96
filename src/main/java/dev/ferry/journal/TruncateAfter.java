package dev.ferry.journal;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;

import java.util.function.Function;

/**
 * Asks a Ferry journal plugin actor to cut a persistence id's tail: every event after {@code lastKeptSeq} is removed
 * and the id's highest sequence number becomes {@code lastKeptSeq}, so the next write is {@code lastKeptSeq + 1}.
 * Akka's journal API only deletes from the front; a former master uses this to drop the entries the new master
 * never had, then recovers (DESIGN.md, "terms fence stale masters").
 *
 * <p>The entity must have no write in flight for the id (it sends this before it recovers or while stopped); send it
 * to {@link FerryJournal#pluginActor}.
 *
 * @param replyTo gets {@link Truncated} or {@link Failed}
 */
public record TruncateAfter(String persistenceId, long lastKeptSeq, ActorRef<Reply> replyTo) {

    public TruncateAfter {
        if (persistenceId == null || persistenceId.isEmpty()) {
            throw new IllegalArgumentException("persistenceId must be a non-empty string");
        }
        if (lastKeptSeq < 0) {
            throw new IllegalArgumentException("lastKeptSeq must be >= 0 (0 removes every event), was " + lastKeptSeq);
        }
    }

    /**
     * Sends a cut of {@code persistenceId} after {@code lastKeptSeq} to the plugin {@code pluginId} of {@code context}'s
     * system; the answer comes back to {@code context}'s actor as {@code toCommand.apply(reply)}.
     */
    public static <T> void send(ActorContext<T> context, String pluginId, String persistenceId, long lastKeptSeq,
                                Function<Reply, T> toCommand) {
        ActorRef<Reply> replyTo = context.messageAdapter(Reply.class, toCommand::apply);
        FerryJournal.pluginActor(context.getSystem(), pluginId)
                .tell(new TruncateAfter(persistenceId, lastKeptSeq, replyTo), akka.actor.ActorRef.noSender());
    }

    /** The answer to a {@link TruncateAfter}. */
    public sealed interface Reply {
        String persistenceId();
    }

    /** The tail is gone; {@code highestSequenceNr} is what the id's next recovery sees. */
    public record Truncated(String persistenceId, long lastKeptSeq, long highestSequenceNr) implements Reply {
    }

    /** The store refused or failed; nothing may be assumed about the tail. */
    public record Failed(String persistenceId, long lastKeptSeq, String error) implements Reply {
    }
}
