package dev.ferry.http;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A connection's hang-up signal stops the streams still running on it, and holds nothing of those that ended. */
class ClientHangUpsTest {

    @Test
    void aHangUpStopsTheStreamsStillRegistered() {
        ClientHangUps.Signal signal = new ClientHangUps.Signal();
        AtomicInteger stopped = new AtomicInteger();
        signal.onHangUp(stopped::incrementAndGet);
        signal.onHangUp(stopped::incrementAndGet);
        signal.fire();
        assertEquals(2, stopped.get());
    }

    @Test
    void aStreamThatEndedFirstIsForgottenAndNotStopped() {
        ClientHangUps.Signal signal = new ClientHangUps.Signal();
        AtomicInteger stopped = new AtomicInteger();
        Runnable forget = signal.onHangUp(stopped::incrementAndGet);
        forget.run();
        signal.fire();
        assertEquals(0, stopped.get());
    }

    @Test
    void aStreamRegisteredAfterTheHangUpStopsAtOnce() {
        ClientHangUps.Signal signal = new ClientHangUps.Signal();
        signal.fire();
        AtomicInteger stopped = new AtomicInteger();
        signal.onHangUp(stopped::incrementAndGet);
        assertEquals(1, stopped.get());
    }
}
