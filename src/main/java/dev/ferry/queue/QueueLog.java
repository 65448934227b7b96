package dev.ferry.queue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.SignalHandler;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The persistent half of a queue's master copy: an EventSourcedBehavior whose events are the queue's messages, one
 * event per message, so a message's offset is its sequence number minus one. It takes whole batches from its
 * parent {@link QueueEntity} and persists each as one {@code persistAll} (one journal write, one AtomicWrite).
 * Recovery replays no events: the only state the log needs is the highest sequence number, which Akka reads from
 * the journal even with recovery disabled, so a queue of millions of messages starts (and fails over) at once; the
 * parent fills its read cache straight from the store. Its journal plugin is the topic's flush mode:
 * ferry.journal (async) or ferry.journal-sync.
 */
final class QueueLog extends EventSourcedBehavior<QueueLog.Command, StoredMessage, QueueLog.State> {

    sealed interface Command {}

    record PersistBatch(List<StoredMessage> messages) implements Command {}

    /** Replies to the parent. */
    sealed interface Event {}

    record Ready(long nextOffset) implements Event {}

    record Stored(long firstOffset, List<StoredMessage> messages) implements Event {}

    /** Nothing: offsets are sequence numbers, which Akka keeps. */
    static final class State {
        static final State INSTANCE = new State();
    }

    private final ActorRef<Event> parent;
    private final String pluginId;

    static Behavior<Command> create(String persistenceId, String journalPluginId, ActorRef<Event> parent) {
        return Behaviors.setup(ctx -> new QueueLog(ctx, PersistenceId.ofUniqueId(persistenceId), journalPluginId, parent));
    }

    private final ActorContext<Command> ctx;

    private QueueLog(ActorContext<Command> ctx, PersistenceId pid, String pluginId, ActorRef<Event> parent) {
        super(pid);
        this.ctx = ctx;
        this.parent = parent;
        this.pluginId = pluginId;
    }

    @Override public String journalPluginId() {
        return pluginId;
    }

    @Override public State emptyState() {
        return State.INSTANCE;
    }

    @Override public akka.persistence.typed.javadsl.Recovery recovery() {
        return akka.persistence.typed.javadsl.Recovery.disabled();
    }

    @Override public Set<String> tagsFor(StoredMessage event) {
        // The journal stores tags (RocketMQ keeps the tag hash in its consume queue) so filtered reads can skip payloads.
        return event.tags().isEmpty() ? Set.of() : new HashSet<>(event.tags());
    }

    @Override public CommandHandler<Command, StoredMessage, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(PersistBatch.class, (state, cmd) -> {
                    // The sequence number survives deletions from the front (retention), a count of replayed events would not.
                    long first = lastSequenceNumber(ctx);
                    return Effect().persist(cmd.messages()).thenRun(s -> parent.tell(new Stored(first, cmd.messages())));
                })
                .build();
    }

    @Override public EventHandler<State, StoredMessage> eventHandler() {
        return (state, event) -> state;
    }

    @Override public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    parent.tell(new Ready(lastSequenceNumber(ctx)));
                })
                .build();
    }
}
