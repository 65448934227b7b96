package dev.ferry.baselines;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts and latencies of one run, as Ferry's {@code ferry bench} keeps them (dev.ferry.cli.bench.BenchStats):
 * latencies from send to acknowledgement in microseconds up to one minute, 3 significant digits; msgs/s over the
 * timed part only (what was acknowledged after the warm-up ended, divided by the time since it ended).
 */
final class Stats {

    private final Recorder recorder = new Recorder(TimeUnit.MINUTES.toMicros(1), 3);
    private final Histogram measured = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    private final LongAdder messages = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private volatile String firstError;
    private volatile long lastMessageNanos;

    private long measureStartNanos;
    private long measureStartMessages;
    private long measureStartBytes;
    private long measureStartErrors;
    private volatile boolean measuring;

    private long lastReportNanos;
    private long lastReportMessages;

    void acknowledged(int count, long payloadBytes, long latencyNanos) {
        lastMessageNanos = System.nanoTime();
        messages.add(count);
        bytes.add(payloadBytes);
        if (latencyNanos >= 0) {
            long micros = Math.max(1, Math.min(latencyNanos / 1_000, TimeUnit.MINUTES.toMicros(1)));
            recorder.recordValueWithCount(micros, count);
        }
    }

    void received(int count, long payloadBytes) {
        lastMessageNanos = System.nanoTime();
        messages.add(count);
        bytes.add(payloadBytes);
    }

    void failed(String description) {
        errors.increment();
        if (firstError == null) {
            firstError = description;
        }
    }

    long messages() {
        return messages.sum();
    }

    long errors() {
        return errors.sum();
    }

    String firstError() {
        return firstError;
    }

    long lastMessageNanos() {
        return lastMessageNanos;
    }

    boolean measuring() {
        return measuring;
    }

    synchronized void start(long nowNanos) {
        lastReportNanos = nowNanos;
    }

    /** Ends the warm-up: what was counted so far stays out of the summary. */
    synchronized void startMeasuring(long nowNanos) {
        recorder.getIntervalHistogram();
        measured.reset();
        measureStartNanos = nowNanos;
        measureStartMessages = messages.sum();
        measureStartBytes = bytes.sum();
        measureStartErrors = errors.sum();
        measuring = true;
    }

    /** One progress line (to stderr). */
    synchronized String report(long nowNanos) {
        Histogram interval = recorder.getIntervalHistogram();
        if (measuring) {
            measured.add(interval);
        }
        long m = messages.sum();
        double secs = (nowNanos - lastReportNanos) / 1e9;
        String line = String.format(Locale.ROOT, "%,12d msgs  %,10.0f msgs/s", m, (m - lastReportMessages) / secs);
        if (interval.getTotalCount() > 0) {
            line += String.format(Locale.ROOT, "  latency ms p50 %.2f p99 %.2f max %.2f",
                    interval.getValueAtPercentile(50) / 1e3, interval.getValueAtPercentile(99) / 1e3, interval.getMaxValue() / 1e3);
        }
        if (!measuring) {
            line += "  (warm-up)";
        }
        long e = errors.sum();
        if (e > 0) {
            line += "  errors " + e + " (first: " + firstError + ")";
        }
        lastReportNanos = nowNanos;
        lastReportMessages = m;
        return line;
    }

    /** The measured part, as one JSON object with the keys of {@code ferry bench produce --json}. */
    synchronized String summaryJson(long endNanos, String extraFields) {
        measured.add(recorder.getIntervalHistogram());
        double secs = (endNanos - measureStartNanos) / 1e9;
        long m = messages.sum() - measureStartMessages;
        long b = bytes.sum() - measureStartBytes;
        long e = errors.sum() - measureStartErrors;
        StringBuilder s = new StringBuilder("{").append(extraFields);
        s.append(String.format(Locale.ROOT, "\"messages\":%d,\"seconds\":%.3f,\"msgsPerSec\":%d,\"mbPerSec\":%.3f", m, secs, Math.round(m / secs), b / secs / 1e6));
        if (measured.getTotalCount() > 0) {
            s.append(String.format(Locale.ROOT, ",\"p50ms\":%.3f,\"p99ms\":%.3f,\"p999ms\":%.3f,\"maxMs\":%.3f",
                    measured.getValueAtPercentile(50) / 1e3, measured.getValueAtPercentile(99) / 1e3,
                    measured.getValueAtPercentile(99.9) / 1e3, measured.getMaxValue() / 1e3));
        }
        s.append(",\"errors\":").append(e);
        if (e > 0) {
            s.append(",\"firstError\":\"").append(String.valueOf(firstError).replace("\\", "\\\\").replace("\"", "'")).append('"');
        }
        return s.append('}').toString();
    }
}
