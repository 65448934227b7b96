package dev.ferry.journal;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.EventRejectedException;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The test entity: persists whatever it is told to (one {@code persist} = one AtomicWrite) and answers with its
 * state, the {@code toString} of every event it has, in order. Restarted on a rejected event, as a Ferry entity is.
 */
final class Notebook extends EventSourcedBehavior<Notebook.Command, Object, Notebook.Notes> {

    sealed interface Command {
    }

    /** Persist these events atomically; the reply is the sequence nr of the last one. */
    record Write(List<Object> events, ActorRef<Long> replyTo) implements Command {
    }

    /** Reply with every event so far. */
    record Read(ActorRef<Notes> replyTo) implements Command {
    }

    /** The state: every event's text, in order (bound to jackson-json by the test config, so it can be snapshotted). */
    record Notes(List<String> lines) {
        Notes add(String line) {
            List<String> next = new ArrayList<>(lines);
            next.add(line);
            return new Notes(List.copyOf(next));
        }
    }

    /** An event no serializer is bound to (Java serialization is off): the journal must reject it. */
    record Unserializable(String text) {
    }

    /** An event tagged for the store's tag index (Akka wraps it in {@code Tagged} on the way to the journal); jackson-json. */
    record Tagged(String tag, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private final ActorContext<Command> ctx;
    private final String journalPluginId;
    private final int snapshotEvery;

    private Notebook(ActorContext<Command> ctx, String persistenceId, String journalPluginId, int snapshotEvery) {
        super(PersistenceId.ofUniqueId(persistenceId));
        this.ctx = ctx;
        this.journalPluginId = journalPluginId;
        this.snapshotEvery = snapshotEvery;
    }

    static Behavior<Command> create(String persistenceId, String journalPluginId) {
        return create(persistenceId, journalPluginId, 0);
    }

    /** @param snapshotEvery 0 for no snapshots */
    static Behavior<Command> create(String persistenceId, String journalPluginId, int snapshotEvery) {
        return Behaviors.supervise(Behaviors.<Command>setup(ctx -> new Notebook(ctx, persistenceId, journalPluginId, snapshotEvery)))
                .onFailure(EventRejectedException.class, SupervisorStrategy.restart());
    }

    @Override
    public String journalPluginId() {
        return journalPluginId;
    }

    @Override
    public String snapshotPluginId() {
        return "ferry.snapshot-store";
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return snapshotEvery > 0 ? RetentionCriteria.snapshotEvery(snapshotEvery, 2) : RetentionCriteria.disabled();
    }

    @Override
    public Set<String> tagsFor(Object event) {
        return event instanceof Tagged tagged ? Set.of(tagged.tag(), "all") : Set.of();
    }

    @Override
    public Notes emptyState() {
        return new Notes(List.of());
    }

    @Override
    public CommandHandler<Command, Object, Notes> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Write.class, (state, write) -> Effect().persist(write.events())
                        .thenReply(write.replyTo(), after -> lastSequenceNumber(ctx)))
                .onCommand(Read.class, (state, read) -> Effect().reply(read.replyTo(), state))
                .build();
    }

    @Override
    public EventHandler<Notes, Object> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state.add(event.toString()));
    }
}
