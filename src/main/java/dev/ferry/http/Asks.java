package dev.ferry.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Akka's Java ask returns scala-java8-compat's {@code CF}, which turns every plain {@code thenApply} / {@code whenComplete}
 * into its {@code ...Async} form on {@code ForkJoinPool.commonPool()}. With 2 cores the common pool has parallelism 1,
 * and then CompletableFuture runs each async callback on a NEW THREAD (ThreadPerTaskExecutor): one thread started and
 * torn down per Append reply, the largest single cost of the send path (BENCHMARKS.md "Session 4"). Every ask here goes
 * through {@link #inline}, whose result completes on the thread that completed the ask (the replying actor's), as a
 * Scala future's parasitic callbacks would, or, when what follows is heavy (rendering a read of up to a thousand
 * messages), through {@link #on} an Akka dispatcher, so the queue's actor is not held while its reply is rendered.
 */
final class Asks {

    /** Runs a callback on the completing thread: the callbacks chained on asks are short and never block. */
    private static final Executor DIRECT = Runnable::run;

    private Asks() {}

    /** A plain CompletableFuture with the ask's outcome, so the stages chained on it run inline, not on a new thread. */
    static <T> CompletableFuture<T> inline(CompletionStage<T> ask) {
        return on(DIRECT, ask);
    }

    /** Like {@link #inline}, but the chained stages run as one task on {@code executor} (an Akka dispatcher). */
    static <T> CompletableFuture<T> on(Executor executor, CompletionStage<T> ask) {
        CompletableFuture<T> plain = new CompletableFuture<>();
        ask.whenCompleteAsync((value, failure) -> {
            if (failure != null) plain.completeExceptionally(failure);
            else plain.complete(value);
        }, executor);
        return plain;
    }
}
