/**
 * A Ferry node: {@link dev.ferry.node.FerryNode} (configuration loading, start-up, shutdown, main),
 * {@link dev.ferry.node.FerrySettings} (every ferry.* node setting read once into records),
 * {@link dev.ferry.node.Services} (wiring of the shard regions, route table and cluster info) and the Prometheus
 * metrics. Threading: start-up runs on the caller's thread; everything it starts runs on Akka dispatchers.
 */
package dev.ferry.node;
