package dev.ferry.replica;

import com.typesafe.config.Config;

import java.time.Duration;

/**
 * ferry.replication.* (replication section of application.conf).
 *
 * @param inSyncTimeout      a replica that has not caught up with the master's end for this long leaves the in-sync set
 *                           (Kafka replica.lag.time.max.ms; RocketMQ 5 haMaxTimeSlaveNotCatchup)
 * @param maxShipmentRecords most records one shipment (or catch-up chunk) carries (RocketMQ haTransferBatchSize)
 * @param maxShipmentBytes   most encoded bytes one shipment carries (past its first record): a shipment is one remote
 *                           message, which must fit in Artery's maximum-frame-size (Kafka replica.fetch.max.bytes)
 * @param maxUnackedRecords  records shipped to one replica and not yet acknowledged before the master waits (flow control)
 * @param maxUnackedBytes    bytes shipped to one replica and not yet acknowledged before the master waits (flow control)
 * @param probeInterval      how often the master checks lag and re-probes replicas that are silent
 * @param silentProbeMaxInterval the longest wait between probes to a replica that does not answer (backing off from probeInterval)
 * @param recovery           peer recovery (ferry.replication.recovery.*)
 * @param slaveReadEnable    cold reads (below the master's read cache) go to an in-sync replica (RocketMQ slaveReadEnable)
 */
public record ReplicationSettings(Duration inSyncTimeout, int maxShipmentRecords, long maxShipmentBytes, int maxUnackedRecords,
                                  long maxUnackedBytes, Duration probeInterval,
                                  Duration silentProbeMaxInterval, Recovery recovery, boolean slaveReadEnable) {

    /**
     * How long the master waits before probing a replica again after {@code unanswered} probes in a row: the probe
     * interval, doubled per unanswered probe up to {@code silent-probe-max-interval}. A probe to a replica that has no
     * node (it cannot be placed, or its node is gone) waits in the sharding region's buffer until it gets one, so one
     * such probe is enough: probing on at full rate only piled up buffered probes.
     */
    public long probeDelayMillis(int unanswered) {
        long base = probeInterval.toMillis();
        long max = Math.max(base, silentProbeMaxInterval.toMillis());
        return unanswered >= 62 ? max : Math.min(max, base << Math.min(unanswered, 30));
    }

    /**
     * @param maxBytesPerSec node-wide cap on recovery bytes, in and out (ES indices.recovery.max_bytes_per_sec); <= 0 = none;
     *                       dynamic ({@link RecoverySettings})
     * @param chunkSize      bytes per stream element (ES indices.recovery.chunk_size); also the throttle's burst; dynamic
     * @param minLagRecords  a replica further behind its master than this catches up by peer recovery, nearer by shipments
     * @param retryDelay     wait before trying again after a refused or failed recovery (ES indices.recovery.retry_delay_network)
     */
    public record Recovery(long maxBytesPerSec, int chunkSize, long minLagRecords, Duration retryDelay) {}

    public static ReplicationSettings fromConfig(Config root) {
        Config c = root.getConfig("ferry.replication");
        Config r = c.getConfig("recovery");
        // The same parser as PUT /cluster/settings, so the file and the API accept the same values ("-1", "40mb").
        Recovery recovery = new Recovery(RecoverySettings.maxBytesPerSec(r.getValue("max-bytes-per-sec").unwrapped()),
                // No frame-size bound here (single-node configs run on Akka's 256 KiB default); PUT checks it.
                RecoverySettings.chunkSize(r.getValue("chunk-size").unwrapped(), Integer.MAX_VALUE),
                r.getLong("min-lag-records"), r.getDuration("retry-delay"));
        long shipmentBytes = c.getBytes("max-shipment-bytes");
        if (shipmentBytes < 1)
            throw new com.typesafe.config.ConfigException.BadValue("ferry.replication.max-shipment-bytes", "must be above 0, was " + shipmentBytes);
        // A shipment is one remote message: never more than half a frame, whatever the file says (a config with
        // Akka's 256 KiB default frames gets 128 KiB shipments rather than messages Artery drops).
        String frame = "akka.remote.artery.advanced.maximum-frame-size";
        if (root.hasPath(frame)) shipmentBytes = Math.min(shipmentBytes, root.getBytes(frame) / 2);
        return new ReplicationSettings(c.getDuration("in-sync-timeout"), c.getInt("max-shipment-records"), shipmentBytes,
                c.getInt("max-unacked-records"), c.getBytes("max-unacked-bytes"), c.getDuration("probe-interval"),
                c.getDuration("silent-probe-max-interval"), recovery, c.getBoolean("slave-read-enable"));
    }
}
