/**
 * {@code ferry bench}: the load tool. {@link dev.ferry.cli.bench.ProduceBench} drives producers in three send
 * modes over a lean HTTP/1.1 client of its own ({@link dev.ferry.cli.bench.HttpConnection} for streams and reads,
 * {@code RequestLoop} for request/response producers on one selector thread), records latencies in HdrHistogram
 * and prints kafka-producer-perf-test style lines; {@link dev.ferry.cli.bench.ConsumeBench} drains a backlog.
 *
 * <p>Threading: a run's workers share {@code Budget} (how much may still be sent), {@code Pacer} (the rate
 * schedule) and {@code BenchStats} (LongAdders and an HdrHistogram Recorder), all thread-safe; each connection
 * is used by one worker thread, except an NDJSON stream whose response is read by a second thread.
 */
package dev.ferry.cli.bench;
