package dev.ferry.allocation.decider;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Copy;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.UnassignedInfo;

class MaxRetryAllocationDeciderTest {

    private static ClusterView failed(int attempts, String... topicSettings) {
        return cluster().node(node("n1")).topic(topic("t", 1, 0, topicSettings))
                .copy(Copy.unassigned(id("t", 0, 0), new UnassignedInfo(UnassignedInfo.Reason.TOPIC_CREATED, attempts, "disk full"), 0)).build();
    }

    @Test
    void aCopyThatFailedFiveTimesIsNoLongerTried() {
        ClusterView view = settle(failed(5));
        assertEquals(1, unassigned(view).size());
        Decision d = canAllocate(view, id("t", 0, 0), "n1");
        assertEquals("max_retry", d.decider());
        assertEquals("copy has exceeded the maximum number of retries [5] on failed allocation attempts - manually reset the counter with "
                + "[POST /cluster/allocation/retry-failed] or raise [topic.allocation.max-retries], failed attempts [5], last failure [disk full]",
                d.explanation());
    }

    @Test
    void fewerFailuresThanTheLimitAreRetried() {
        assertEquals(0, unassigned(settle(failed(4))).size());
    }

    @Test
    void raisingMaxRetriesAllowsMoreAttempts() {
        assertEquals(0, unassigned(settle(failed(5, "topic.allocation.max-retries", "6"))).size());
    }
}
