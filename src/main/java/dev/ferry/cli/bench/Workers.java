package dev.ferry.cli.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;

/**
 * The worker threads of one bench run, and the command's thread watching them. Workers are daemon threads, so a
 * run that gives up on them (or is stopped with Ctrl-C) still exits.
 */
final class Workers {
    /** How often the watching thread wakes up to report or give up. */
    private static final long WAKE_UP_MS = 50;

    private final List<Thread> threads = new ArrayList<>();

    void start(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
        threads.add(t);
    }

    /**
     * Waits until every worker has finished, printing a progress line to {@code err} every {@code reportEvery}
     * seconds from {@code startNanos}. On each wake-up {@code beforeReport} runs first and {@code giveUp} last.
     *
     * @return true when {@code giveUp} ended the wait with workers still running
     */
    boolean await(BenchStats stats, PrintWriter err, boolean latencies, long startNanos, int reportEvery,
                  LongConsumer beforeReport, LongPredicate giveUp) throws InterruptedException {
        long nextReport = startNanos + TimeUnit.SECONDS.toNanos(reportEvery);
        while (threads.stream().anyMatch(Thread::isAlive)) {
            long now = System.nanoTime();
            beforeReport.accept(now);
            if (now - nextReport >= 0) {
                stats.report(now, err, latencies);
                nextReport += TimeUnit.SECONDS.toNanos(reportEvery);
            }
            if (giveUp.test(now)) {
                return true;
            }
            threads.get(0).join(WAKE_UP_MS);
        }
        return false;
    }
}
