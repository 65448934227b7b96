package dev.ferry.cluster;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The probe itself, without a cluster. Counting TIME-WAIT sockets would depend on the machine; what keeps the
 * prober's port out of TIME-WAIT is that it aborts (RST) instead of closing (FIN), and that the probed side can see.
 */
class CrashDetectorProbeTest {

    @Test
    void probeSocketsCloseWithAnAbortNotAnOrderlyClose() throws Exception {
        try (Socket s = CrashDetector.probeSocket()) {
            assertEquals(0, s.getSoLinger(), "SO_LINGER 0: close sends an RST and leaves no TIME-WAIT port");
        }
    }

    @Test
    void theProbedPortSeesTheProbeResetSoTheProberKeepsNoTimeWaitPort() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertEquals(PortRefusals.Probe.ACCEPTED, CrashDetector.probe("127.0.0.1", server.getLocalPort(), 2_000));
            try (Socket accepted = server.accept()) {
                accepted.setSoTimeout(2_000);
                InputStream in = accepted.getInputStream();
                // an orderly close would read as end of stream (-1) and leave the prober's port in TIME-WAIT
                assertThrows(SocketException.class, in::read);
            }
        }
    }

    @Test
    void aClosedPortIsReportedAsRefused() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
        }
        assertEquals(PortRefusals.Probe.REFUSED, CrashDetector.probe("127.0.0.1", port, 2_000));
    }
}
