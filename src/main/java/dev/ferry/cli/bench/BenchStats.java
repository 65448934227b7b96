package dev.ferry.cli.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts and latencies of one bench run, shared by all its workers. Workers record; one reporter thread
 * prints an interval line every {@code reportEvery} and, after the warm-up, folds each interval's latencies
 * into the run's histogram. Latencies are kept in microseconds, up to one minute, 3 significant digits.
 */
final class BenchStats {

    private final Recorder recorder = new Recorder(TimeUnit.MINUTES.toMicros(1), 3);
    private final Histogram measured = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    private final LongAdder messages = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder redelivered = new LongAdder();
    private volatile String firstError;
    private volatile long lastMessageNanos;

    private long measureStartNanos;
    private long measureStartMessages;
    private long measureStartBytes;
    private long measureStartErrors;
    private boolean measuring;

    private long lastReportNanos;
    private long lastReportMessages;
    private long lastReportBytes;

    /** One or more messages acknowledged together after {@code latencyNanos}. */
    void acknowledged(int count, long payloadBytes, long latencyNanos) {
        lastMessageNanos = System.nanoTime();
        messages.add(count);
        bytes.add(payloadBytes);
        if (latencyNanos >= 0) {
            long micros = Math.max(1, Math.min(latencyNanos / 1_000, TimeUnit.MINUTES.toMicros(1)));
            recorder.recordValueWithCount(micros, count);
        }
    }

    /** Messages that were consumed (no latency to record). */
    void received(int count, long payloadBytes) {
        lastMessageNanos = System.nanoTime();
        messages.add(count);
        bytes.add(payloadBytes);
    }

    /** Messages delivered again that were already counted (a consumer group's redeliveries); not progress. */
    void redelivered(int count) {
        redelivered.add(count);
    }

    long redelivered() {
        return redelivered.sum();
    }

    void failed(int count, String description) {
        errors.add(count);
        if (firstError == null) {
            firstError = description;
        }
    }

    /** Whether the node refused a send (a 4xx answer: the request itself is wrong, it will not pass on a retry). */
    boolean refused() {
        String first = firstError;
        return first != null && first.startsWith("HTTP 4");
    }

    long messages() {
        return messages.sum();
    }

    /** When the last message was acknowledged or received (System.nanoTime()), 0 if none was. */
    long lastMessageNanos() {
        return lastMessageNanos;
    }

    long errors() {
        return errors.sum();
    }

    String firstError() {
        return firstError;
    }

    /**
     * Ends a run: says on {@code err} how many messages failed and the first error, if any did.
     *
     * @return the run's exit code, 1 if any message failed, else 0
     */
    int exitCode(PrintWriter err) {
        long failed = errors();
        if (failed == 0) {
            return 0;
        }
        err.println("bench: " + failed + " messages failed; first error: " + firstError);
        return 1;
    }

    /** @return whether the warm-up has ended */
    synchronized boolean measuring() {
        return measuring;
    }

    synchronized void start(long nowNanos) {
        lastReportNanos = nowNanos;
    }

    /** Ends the warm-up: what was counted so far stays out of the summary. */
    synchronized void startMeasuring(long nowNanos) {
        recorder.getIntervalHistogram(); // discard warm-up latencies
        measured.reset();
        measureStartNanos = nowNanos;
        measureStartMessages = messages.sum();
        measureStartBytes = bytes.sum();
        measureStartErrors = errors.sum();
        measuring = true;
    }

    synchronized void report(long nowNanos, PrintWriter out, boolean latencies) {
        Histogram interval = recorder.getIntervalHistogram();
        if (measuring) {
            measured.add(interval);
        }
        long m = messages.sum();
        long b = bytes.sum();
        double secs = (nowNanos - lastReportNanos) / 1e9;
        String line = String.format(Locale.ROOT, "%,12d msgs  %,10.0f msgs/s  %8.2f MB/s",
                m, (m - lastReportMessages) / secs, (b - lastReportBytes) / secs / 1e6);
        if (latencies && interval.getTotalCount() > 0) {
            line += String.format(Locale.ROOT, "  latency ms p50 %.2f p99 %.2f max %.2f",
                    interval.getValueAtPercentile(50) / 1e3, interval.getValueAtPercentile(99) / 1e3, interval.getMaxValue() / 1e3);
        }
        if (!measuring) {
            line += "  (warm-up)";
        }
        long e = errors.sum();
        if (e > 0) {
            line += "  errors " + e;
        }
        out.println(line);
        lastReportNanos = nowNanos;
        lastReportMessages = m;
        lastReportBytes = b;
    }

    synchronized Summary summary(long nowNanos) {
        measured.add(recorder.getIntervalHistogram());
        if (!measuring) {
            throw new IllegalStateException("the run ended before its warm-up did; run longer or shorten --warmup");
        }
        double secs = (nowNanos - measureStartNanos) / 1e9;
        long m = messages.sum() - measureStartMessages;
        long b = bytes.sum() - measureStartBytes;
        Histogram h = measured.copy();
        return new Summary(m, b, errors.sum() - measureStartErrors, secs, h);
    }

    /** The measured part of a run. Latency fields are in milliseconds and NaN when nothing was timed. */
    record Summary(long messages, long bytes, long errors, double seconds, Histogram latencyMicros) {
        double msgsPerSecond() {
            return messages / seconds;
        }

        double megabytesPerSecond() {
            return bytes / seconds / 1e6;
        }

        double percentileMillis(double p) {
            return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(p) / 1e3;
        }

        double maxMillis() {
            return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1e3;
        }
    }
}
