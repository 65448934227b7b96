package dev.ferry.queue;

import dev.ferry.cluster.CborSerializable;

import java.util.List;
import java.util.Map;

/**
 * One message as a queue stores it: the journal event of its queue's persistence id. Its offset is not stored —
 * it is the event's sequence number minus one (offsets start at 0, like RocketMQ's consume queue).
 *
 * @param id          message id (RocketMQ UNIQ_KEY / msgId), assigned when the node accepted it
 * @param body        the payload, as sent
 * @param tags        tags for broker-side filtering ({@code tags=A||B})
 * @param keys        business keys (RocketMQ KEYS)
 * @param properties  user properties
 * @param bornAt      epoch millis when the node accepted it
 */
public record StoredMessage(String id, byte[] body, List<String> tags, List<String> keys,
                            Map<String, String> properties, long bornAt) implements CborSerializable {

    public StoredMessage {
        tags = tags == null ? List.of() : tags;
        keys = keys == null ? List.of() : keys;
        properties = properties == null ? Map.of() : properties;
    }

    /** Bytes this message holds in memory, roughly; used to bound read caches. */
    public long weight() {
        return body.length + 64L + id.length();
    }
}
