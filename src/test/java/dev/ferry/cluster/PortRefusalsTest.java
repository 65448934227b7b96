package dev.ferry.cluster;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static dev.ferry.cluster.PortRefusals.Probe.ACCEPTED;
import static dev.ferry.cluster.PortRefusals.Probe.NO_ANSWER;
import static dev.ferry.cluster.PortRefusals.Probe.REFUSED;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortRefusalsTest {

    @Test
    void aMemberIsCrashedAfterTheConfiguredRunOfRefusals() {
        PortRefusals<String> r = new PortRefusals<>(2);
        assertFalse(r.record("b", REFUSED));
        assertTrue(r.record("b", REFUSED));
    }

    @Test
    void aCrashIsReportedAgainOnEveryLaterRefusal() {
        // the detector downs the member only once the failure detector agrees: it asks again until then
        PortRefusals<String> r = new PortRefusals<>(1);
        assertTrue(r.record("b", REFUSED));
        assertTrue(r.record("b", REFUSED));
    }

    @Test
    void anAcceptedProbeBreaksTheRun() {
        PortRefusals<String> r = new PortRefusals<>(2);
        r.record("b", REFUSED);
        r.record("b", ACCEPTED);
        assertFalse(r.record("b", REFUSED));
    }

    @Test
    void probesThatGetNoAnswerNeverCountAsACrash() {
        // a partition or a dead host: that is the failure detector's and the split-brain resolver's call
        PortRefusals<String> r = new PortRefusals<>(1);
        for (int i = 0; i < 10; i++) assertFalse(r.record("b", NO_ANSWER));
    }

    @Test
    void membersAreCountedApart() {
        PortRefusals<String> r = new PortRefusals<>(2);
        r.record("b", REFUSED);
        assertFalse(r.record("c", REFUSED));
        assertTrue(r.record("b", REFUSED));
    }

    @Test
    void aForgottenMemberStartsAgainFromNothing() {
        PortRefusals<String> r = new PortRefusals<>(2);
        r.record("b", REFUSED);
        r.retainOnly(Set.of("c"));
        assertFalse(r.record("b", REFUSED));
    }

    @Test
    void atLeastOneRefusalIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> new PortRefusals<String>(0));
    }
}
