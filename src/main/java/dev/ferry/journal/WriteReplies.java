package dev.ferry.journal;

import akka.actor.ActorRef;
import akka.actor.Cancellable;
import akka.actor.Scheduler;
import akka.event.LoggingAdapter;
import akka.persistence.AtomicWrite;
import akka.persistence.JournalProtocol;
import akka.persistence.NonPersistentRepr;
import akka.persistence.PersistentEnvelope;
import akka.persistence.PersistentRepr;
import scala.jdk.javaapi.CollectionConverters;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Answers the journal protocol's {@code WriteMessages} in the order the plugin actor received them, as Akka's
 * {@code AsyncWriteJournal} does, without its detour: there every write, even one already complete, passed a circuit
 * breaker (a scheduler task per write), two future callbacks on the dispatcher and a resequencer actor before its
 * replies left — four thread hand-offs that cost more than the append itself on a small machine. Here a write whose
 * append is already complete (async flush) is answered at once on the plugin actor's thread when nothing before it
 * is still waiting; any other write is answered from the completion of its append, chained behind the previous
 * write's replies so the order holds.
 *
 * <p>The circuit breaker's {@code call-timeout} is kept for writes that wait (a force that hangs): such a write fails
 * with a {@link TimeoutException} after it, as Akka's breaker would fail it. Opening the circuit after repeated
 * failures is not reproduced: a failed force stops the store, and from then on every write fails at once anyway.
 *
 * <p>Confined to the plugin actor: {@link #send} is called on its thread only; the callbacks it chains only
 * {@code tell}, which any thread may.
 */
final class WriteReplies {

    private final ActorRef journal;
    private final Scheduler scheduler;
    /** Runs a timeout when one fires (rarely: a force that hangs). */
    private final scala.concurrent.ExecutionContext timeouts;
    private final Duration callTimeout;
    private final LoggingAdapter log;
    /** Completes once every reply of the writes received so far has been sent. */
    private CompletableFuture<Void> sent = CompletableFuture.completedFuture(null);

    WriteReplies(ActorRef journal, Scheduler scheduler, scala.concurrent.ExecutionContext timeouts, Duration callTimeout,
                 LoggingAdapter log) {
        this.journal = journal;
        this.scheduler = scheduler;
        this.timeouts = timeouts;
        this.callTimeout = callTimeout;
        this.log = log;
    }

    /**
     * @param write      the protocol message
     * @param rejections one entry per {@link AtomicWrite} in {@code write}, in order: empty = written, else why it was
     *                   rejected (not written); {@code null} = all written
     * @param written    completes when the accepted writes are confirmed (readable, or forced for sync flush)
     */
    void send(JournalProtocol.WriteMessages write, List<Optional<Exception>> rejections, CompletableFuture<Void> written) {
        if (sent.isDone() && written.isDone()) {
            reply(write, rejections, failure(written));
            return;
        }
        CompletableFuture<Throwable> outcome = withTimeout(written).handle((ok, e) -> e == null ? null : unwrap(e));
        sent = sent.thenCombine(outcome, (previousSent, failure) -> {
            reply(write, rejections, failure);
            return null;
        });
    }

    private CompletableFuture<Void> withTimeout(CompletableFuture<Void> written) {
        if (written.isDone()) return written;
        CompletableFuture<Void> timed = new CompletableFuture<>();
        Cancellable timeout = scheduler.scheduleOnce(callTimeout, () -> timed.completeExceptionally(new TimeoutException(
                "journal write not confirmed within circuit-breaker.call-timeout (" + callTimeout.toMillis() + " ms)")),
                timeouts);
        written.whenComplete((ok, e) -> {
            timeout.cancel();
            if (e == null) timed.complete(null);
            else timed.completeExceptionally(e);
        });
        return timed;
    }

    private static Throwable failure(CompletableFuture<Void> done) {
        if (!done.isCompletedExceptionally()) return null;
        try {
            done.join();
            return null;
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return unwrap(e);
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** The replies AsyncWriteJournal sends, in its order: the batch's outcome first, then one per message. */
    private void reply(JournalProtocol.WriteMessages write, List<Optional<Exception>> rejections, Throwable failure) {
        try {
            ActorRef to = write.persistentActor();
            int instance = write.actorInstanceId();
            List<PersistentEnvelope> messages = CollectionConverters.asJava(write.messages());
            if (failure == null) {
                to.tell(JournalProtocol.WriteMessagesSuccessful$.MODULE$, journal);
            } else {
                int atomicWrites = (int) messages.stream().filter(m -> m instanceof AtomicWrite).count();
                to.tell(new JournalProtocol.WriteMessagesFailed(failure, atomicWrites), journal);
            }
            Iterator<Optional<Exception>> results = rejections == null ? null : rejections.iterator();
            for (PersistentEnvelope message : messages) {
                if (message instanceof AtomicWrite atomic) {
                    Optional<Exception> rejected = results == null ? Optional.empty() : results.next();
                    for (PersistentRepr p : CollectionConverters.asJava(atomic.payload())) {
                        Object answer = failure != null ? new JournalProtocol.WriteMessageFailure(p, failure, instance)
                                : rejected.isPresent() ? new JournalProtocol.WriteMessageRejected(p, rejected.get(), instance)
                                : new JournalProtocol.WriteMessageSuccess(p, instance);
                        to.tell(answer, p.sender());
                    }
                } else if (message instanceof NonPersistentRepr deferred) {
                    to.tell(new JournalProtocol.LoopMessageSuccess(deferred.payload(), instance), deferred.sender());
                }
            }
        } catch (RuntimeException e) {
            // Never let a reply break the chain: the writes after this one must still be answered.
            log.error(e, "answering a journal write to {} failed", write.persistentActor());
        }
    }
}
