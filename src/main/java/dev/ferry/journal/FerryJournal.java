package dev.ferry.journal;

import akka.actor.ActorRef;
import akka.actor.ClassicActorSystemProvider;
import akka.dispatch.Futures;
import akka.event.Logging;
import akka.event.LoggingAdapter;
import akka.japi.pf.ReceiveBuilder;
import akka.persistence.AtomicWrite;
import akka.persistence.JournalProtocol;
import akka.persistence.Persistence;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.japi.AsyncWriteJournal;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ferry.store.AppendRecord;
import dev.ferry.store.MessageStore;
import dev.ferry.store.ReadResult;
import dev.ferry.store.StoredRecord;
import dev.ferry.store.TagFilter;
import scala.PartialFunction;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Akka Persistence journal plugin over the node's commit log ({@link MessageStore}). Plugin ids:
 * {@code ferry.journal} (flush = async by default) and {@code ferry.journal-sync} (the same store, flush = sync);
 * every plugin id whose {@code dir} is the same shares one open store through {@link FerryJournalStores}, so writes of
 * both flush modes land in the one commit log and are group-committed together.
 *
 * <p>Each {@link AtomicWrite} becomes one atomic store group; an AtomicWrite whose events cannot be serialized, or
 * that the store refuses before writing (an event above {@code max-message-size}), is rejected on its own while the
 * rest of the batch is written. A write is answered when the store's future completes
 * (readable, and forced when flush = sync), so the plugin actor never waits for a force; an async-flush write is
 * answered at once, by the plugin actor itself ({@link WriteReplies}: AsyncWriteJournal's own write path costs four
 * thread hand-offs per write). Replays read on the replay dispatcher. Besides Akka's protocol the actor answers {@link TruncateAfter}.
 *
 * <p>An IO or force failure stops the store: the writes waiting on it and every later write fail (their entities get
 * {@code onPersistFailure}), nothing is swallowed. The plugin does not reopen a stopped store; restarting the node
 * does (the store recovers on open).
 */
public final class FerryJournal extends AsyncWriteJournal {

    /** Events read per store call during a replay. */
    private static final long REPLAY_CHUNK = 1024;

    private final FerryJournalSettings settings;
    private final FerryJournalStores.Lease lease;
    private final MessageStore store;
    private final PersistentReprCodec codec;
    private final ExecutionContext replayDispatcher;
    private final LoggingAdapter log;
    private final WriteReplies replies;

    public FerryJournal(Config config, String configPath) {
        this.settings = FerryJournalSettings.fromConfig(config);
        this.log = Logging.getLogger(context().system(), this);
        this.lease = FerryJournalStores.acquire(settings.store());
        this.store = lease.store();
        this.codec = new PersistentReprCodec(context().system());
        this.replayDispatcher = context().system().dispatchers().lookup(config.getString("replay-dispatcher"));
        this.replies = new WriteReplies(self(), context().system().scheduler(), context().dispatcher(),
                config.getDuration("circuit-breaker.call-timeout"), log);
        log.info("{}: store {} with flush = {}", configPath, lease.dir(), settings.flush());
    }

    /**
     * The plugin actor of a Ferry journal plugin id (started if it is not yet), to send {@link TruncateAfter} to.
     * Akka 2.6 marks {@code Persistence.journalFor} internal, but it is the only way to reach a plugin actor and 2.6.21
     * is the last Apache-2.0 release, so it will not change under us.
     */
    public static ActorRef pluginActor(ClassicActorSystemProvider system, String pluginId) {
        return Persistence.get(system.classicSystem()).journalFor(pluginId, ConfigFactory.empty());
    }

    /**
     * Writes take {@link WriteReplies}' short path instead of AsyncWriteJournal's; everything else (replays, deletes,
     * {@link TruncateAfter}) goes the usual way.
     */
    @Override
    public void aroundReceive(PartialFunction<Object, BoxedUnit> receive, Object message) {
        if (message instanceof JournalProtocol.WriteMessages write) {
            write(write);
        } else {
            super.aroundReceive(receive, message);
        }
    }

    private void write(JournalProtocol.WriteMessages write) {
        Appended appended;
        try {
            // Akka's preparation: event adapters applied, senders not stored.
            appended = append(CollectionConverters.asJava(preparePersistentBatch(write.messages())));
        } catch (Exception e) {
            // As AsyncWriteJournal: a batch that cannot be prepared is rejected as a whole, nothing is written.
            List<Optional<Exception>> rejected = new ArrayList<>();
            for (Object m : CollectionConverters.asJava(write.messages())) {
                if (m instanceof AtomicWrite) rejected.add(Optional.of(e));
            }
            appended = new Appended(rejected, CompletableFuture.completedFuture(null));
        }
        replies.send(write, appended.rejections(), appended.written());
    }

    /**
     * Akka's entry point for writes, which only AsyncWriteJournal's own write path calls: {@link #aroundReceive} takes
     * every {@code WriteMessages} before that path sees it.
     */
    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
        return Futures.failed(new IllegalStateException("FerryJournal writes through WriteReplies, not AsyncWriteJournal's path"));
    }

    /**
     * @param rejections one entry per AtomicWrite (empty = written, else why not), or {@code null} when all were
     *                   written (the common case allocates no list)
     * @param written    completes when the written ones are confirmed per the flush mode
     */
    private record Appended(List<Optional<Exception>> rejections, CompletableFuture<Void> written) {}

    /** Each AtomicWrite becomes one atomic store group; one whose events cannot be serialized is rejected alone. */
    private Appended append(Iterable<AtomicWrite> messages) {
        List<Optional<Exception>> results = null;
        CompletableFuture<Void> written = null;
        int count = 0;
        for (AtomicWrite write : messages) {
            count++;
            Optional<Exception> result = Optional.empty();
            List<AppendRecord> group = null;
            try {
                group = encode(write);
            } catch (Exception notSerializable) {
                result = Optional.of(notSerializable);
            }
            if (group != null) {
                CompletableFuture<Void> appended = store.append(group, settings.flush());
                Exception refused = refusal(appended);
                if (refused != null) {
                    result = Optional.of(refused);
                } else {
                    written = written == null ? appended : CompletableFuture.allOf(written, appended);
                }
            }
            if (results == null && result.isEmpty()) {
                continue; // all written so far: no list until a rejection
            }
            if (results == null) {
                results = new ArrayList<>();
                for (int i = 1; i < count; i++) {
                    results.add(Optional.empty());
                }
            }
            results.add(result);
        }
        return new Appended(results, written != null ? written : CompletableFuture.completedFuture(null));
    }

    /**
     * Why the store refused a group before writing any of it (an event above {@code max-message-size}, a group larger
     * than a segment, a sequence number not above the highest), or null. A refusal is a rejection of that AtomicWrite
     * alone (Akka: rejected = not stored, the entity goes on), not a failure of the batch: a failure would stop the
     * entity while later AtomicWrites of the same batch are stored.
     */
    private static Exception refusal(CompletableFuture<Void> appended) {
        if (!appended.isCompletedExceptionally()) {
            return null;
        }
        try {
            appended.getNow(null);
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() instanceof IllegalArgumentException refused ? refused : null;
        } catch (java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    private List<AppendRecord> encode(AtomicWrite write) throws Exception {
        scala.collection.immutable.Seq<PersistentRepr> reprs = write.payload();
        if (reprs.size() == 1) {
            return List.of(codec.encode(reprs.head()));
        }
        List<AppendRecord> group = new ArrayList<>(reprs.size());
        for (PersistentRepr repr : CollectionConverters.asJava(reprs)) {
            group.add(codec.encode(repr));
        }
        return group;
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
                                              Consumer<PersistentRepr> replayCallback) {
        return Futures.future(() -> {
            replay(persistenceId, fromSequenceNr, toSequenceNr, max, replayCallback);
            return null;
        }, replayDispatcher);
    }

    private void replay(String persistenceId, long from, long to, long max, Consumer<PersistentRepr> callback) throws Exception {
        long next = Math.max(1, from);
        long remaining = max;
        while (remaining > 0 && next <= to) {
            ReadResult result = store.read(persistenceId, next, to, Math.min(remaining, REPLAY_CHUNK), TagFilter.ALL);
            if (result instanceof ReadResult.BelowRetention below) {
                // Retention removed the start of the range: replay what is left, as after a delete.
                if (below.firstRetainedSequence() <= next) {
                    throw new IllegalStateException("store reported " + persistenceId + " below retention at " + next
                            + " but its first retained sequence nr is " + below.firstRetainedSequence());
                }
                next = below.firstRetainedSequence();
                continue;
            }
            List<StoredRecord> records = ((ReadResult.Records) result).records();
            if (records.isEmpty()) {
                return;
            }
            for (StoredRecord record : records) {
                callback.accept(codec.decode(record));
                next = record.sequenceNr() + 1;
                remaining--;
            }
        }
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        try {
            return Futures.successful(store.highestSequence(persistenceId));
        } catch (Exception e) {
            return Futures.failed(e);
        }
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        try {
            // Akka may ask to delete past the end (e.g. Long.MaxValue); the store deletes what exists.
            long to = Math.min(toSequenceNr, store.highestSequence(persistenceId));
            if (to > 0) {
                store.deleteTo(persistenceId, to);
            }
            return Futures.successful(null);
        } catch (Exception e) {
            return Futures.failed(e);
        }
    }

    @Override
    public PartialFunction<Object, BoxedUnit> receivePluginInternal() {
        return ReceiveBuilder.create().match(TruncateAfter.class, this::truncate).build().onMessage();
    }

    private void truncate(TruncateAfter request) {
        TruncateAfter.Reply reply;
        try {
            store.truncateAfter(request.persistenceId(), request.lastKeptSeq());
            reply = new TruncateAfter.Truncated(request.persistenceId(), request.lastKeptSeq(),
                    store.highestSequence(request.persistenceId()));
        } catch (Exception e) {
            log.error(e, "truncating {} after {} failed", request.persistenceId(), request.lastKeptSeq());
            reply = new TruncateAfter.Failed(request.persistenceId(), request.lastKeptSeq(), e.toString());
        }
        request.replyTo().tell(reply);
    }

    @Override
    public void postStop() throws Exception {
        lease.close();
        super.postStop();
    }
}
