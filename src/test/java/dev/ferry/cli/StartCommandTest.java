package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ferry start} failing to start: a clear message and exit 1, not a stack trace. */
@ExtendWith(TestNode.class)
class StartCommandTest {

    @Test
    void startReportsAnHttpPortThatIsTakenAndExits1(@TempDir Path dir) {
        Path conf = new NodeConfigFile("clash", "zone-a", dir.resolve("data"), TestNode.HTTP_PORT, 26556, List.of(), null)
                .writeTo(dir.resolve("node.conf"));
        Cli.Result r = Cli.run("start", "-c", conf.toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("ferry start: the node failed to start: "), r.err());
        assertTrue(r.err().contains(Integer.toString(TestNode.HTTP_PORT)), r.err());
        assertTrue(r.err().lines().count() <= 2, "no stack trace: " + r.err());
    }

    @Test
    void startReportsAMalformedConfigFileAndExits1(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("broken.conf");
        java.nio.file.Files.writeString(conf, "ferry { http { port = \n");
        Cli.Result r = Cli.run("start", "-c", conf.toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("ferry start: cannot read the configuration: "), r.err());
    }
}
