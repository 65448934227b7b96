package dev.ferry.node;

import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;

/**
 * The node's Prometheus metrics (simpleclient 0.16, default registry), exposed as text on GET /metrics.
 * Registered once per JVM: several nodes in one JVM (tests) add up into the same series.
 */
public final class FerryMetrics {
    private FerryMetrics() {}

    public static final Counter MESSAGES_SENT = Counter.build("ferry_messages_sent_total", "Messages acknowledged to producers.")
            .labelNames("topic").register();
    public static final Counter BYTES_SENT = Counter.build("ferry_bytes_sent_total", "Payload bytes acknowledged to producers.")
            .labelNames("topic").register();
    public static final Counter SEND_FAILURES = Counter.build("ferry_send_failures_total", "Sends answered with an error.")
            .labelNames("reason").register();
    public static final Histogram SEND_LATENCY = Histogram.build("ferry_send_latency_seconds",
                    "Time from receiving a send request to acknowledging it (per request; batches count once).")
            .buckets(0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5).register();
    public static final Counter MESSAGES_READ = Counter.build("ferry_messages_read_total", "Messages returned to consumers.")
            .labelNames("topic").register();
    public static final Counter RECOVERIES = Counter.build("ferry_queue_recoveries_total",
            "Queue master copies that recovered their log from the journal (starts, failovers, restarts).").register();
    public static final Gauge COPIES = Gauge.build("ferry_copies", "Queue copies running on this node.")
            .labelNames("role").register();
    public static final Counter ALLOCATIONS_THROTTLED = Counter.build("ferry_allocation_throttled_total",
            "Copy placements the allocation strategy deferred for a recovery limit (THROTTLE), by entity type.").labelNames("type").register();
    public static final Counter BAD_REQUESTS = Counter.build("ferry_http_client_errors_total", "Requests answered with a 4xx status.")
            .labelNames("error").register();
    public static final Gauge CONSUME_STREAMS = Gauge.build("ferry_consume_streams", "Consume streams (queue or group) open on this node.")
            .labelNames("kind").register();
    public static final Counter CONSUME_STREAM_READS = Counter.build("ferry_consume_stream_reads_total",
            "Reads (queue reads or group pulls) issued by consume streams; one is issued only when the client took the previous one's messages.")
            .labelNames("kind").register();
}
