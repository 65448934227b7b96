package dev.ferry.replica;

import com.typesafe.config.Config;

import java.time.Duration;

/**
 * ferry.replication.* (node section of application.conf).
 *
 * @param inSyncTimeout      a replica that has not caught up with the master's end for this long leaves the in-sync set
 *                           (Kafka replica.lag.time.max.ms; RocketMQ 5 haMaxTimeSlaveNotCatchup)
 * @param maxShipmentRecords most records one shipment (or catch-up chunk) carries (RocketMQ haTransferBatchSize)
 * @param maxUnackedRecords  records shipped to one replica and not yet acknowledged before the master waits (flow control)
 * @param probeInterval      how often the master checks lag and re-probes replicas that are silent
 */
public record ReplicationSettings(Duration inSyncTimeout, int maxShipmentRecords, int maxUnackedRecords, Duration probeInterval) {

    public static ReplicationSettings fromConfig(Config root) {
        Config c = root.getConfig("ferry.replication");
        return new ReplicationSettings(c.getDuration("in-sync-timeout"), c.getInt("max-shipment-records"),
                c.getInt("max-unacked-records"), c.getDuration("probe-interval"));
    }
}
