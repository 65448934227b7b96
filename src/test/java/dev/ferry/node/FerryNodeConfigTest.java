package dev.ferry.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a node's configuration is put together: precedence, Akka wiring derived from ferry.*, settings records. */
class FerryNodeConfigTest {

    Path dir = TestNodes.tempDir("ferry-config");

    @AfterEach
    void clean() {
        System.clearProperty("ferry.http.port");
        TestNodes.deleteRecursively(dir);
    }

    @Test
    void aNodeBoundToEveryInterfaceAdvertisesItsClusterHostForHttp() {
        FerrySettings s = FerrySettings.from(FerryNode.loadConfig(Optional.empty()));
        assertEquals("http://127.0.0.1:8080", s.http().advertisedUrl());
        assertTrue(s.roles().contains("http:http://127.0.0.1:8080"), s.roles().toString());
    }

    @Test
    void anAdvertisedHostIsWhatTheNodePublishesForHttp() {
        Config c = FerryNode.loadConfig(Optional.empty(), com.typesafe.config.ConfigFactory.parseString(
                "ferry.http.host = \"0.0.0.0\"\nferry.http.advertised-host = \"broker-1.example\"\nferry.http.port = 9000"));
        assertEquals("http://broker-1.example:9000", FerrySettings.from(c).http().advertisedUrl());
    }

    @Test
    void aNodeOnAnEphemeralHttpPortAdvertisesNoHttpUrl() {
        Config c = FerryNode.loadConfig(Optional.empty(), com.typesafe.config.ConfigFactory.parseString("ferry.http.port = 0"));
        assertTrue(FerrySettings.from(c).roles().stream().noneMatch(r -> r.startsWith(FerrySettings.HTTP_ROLE_PREFIX)));
    }

    @Test
    void theEmbeddedDefaultIsAOneNodeClusterOnPort8080WithDataUnderData() {
        Config c = FerryNode.loadConfig(Optional.empty());
        FerrySettings s = FerrySettings.from(c);
        assertEquals(8080, s.http().port());
        assertEquals(Path.of("data"), s.dataDir());
        assertEquals(List.of(), s.cluster().seedNodes());
        assertEquals(2552, c.getInt("akka.remote.artery.canonical.port"));
        assertEquals("cluster", c.getString("akka.actor.provider"));
        assertEquals("ferry.journal", c.getString("akka.persistence.journal.plugin"));
        assertEquals("akka.cluster.sbr.SplitBrainResolverProvider", c.getString("akka.cluster.downing-provider-class"));
    }

    @Test
    void aFileOverridesTheDefaultsAndAkkaFollowsTheFerrySettings() throws Exception {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, "ferry.cluster.port = 25599\nferry.data-dir = \"/srv/ferry\"\nferry.node.attributes.zone = eu-1\n");
        Config c = FerryNode.loadConfig(Optional.of(file));
        assertEquals(25599, c.getInt("akka.remote.artery.canonical.port"));
        assertEquals("/srv/ferry/journal", c.getString("ferry.journal.dir"));
        assertEquals("/srv/ferry/metadata", c.getString("akka.cluster.distributed-data.durable.lmdb.dir"));
        assertTrue(FerrySettings.from(c).node().roles().contains("attr:zone=eu-1"));
    }

    @Test
    void systemPropertiesOverrideTheFile() throws Exception {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, "ferry.http.port = 9000\n");
        System.setProperty("ferry.http.port", "9100");
        ConfigFactory.invalidateCaches();
        try {
            assertEquals(9100, FerrySettings.from(FerryNode.loadConfig(Optional.of(file))).http().port());
        } finally {
            // Other tests in this JVM load node configs too; a leaked property would override their ports.
            System.clearProperty("ferry.http.port");
            ConfigFactory.invalidateCaches();
        }
    }

    @Test
    void aMissingConfigFileIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FerryNode.loadConfig(Optional.of(dir.resolve("nope.conf"))));
        assertTrue(e.getMessage().contains("nope.conf"));
    }

    @Test
    void nodeNameAndHostDefaultToTheMachine() {
        FerrySettings s = FerrySettings.from(FerryNode.loadConfig(Optional.empty()));
        assertTrue(s.node().name().endsWith("-2552"), s.node().name());
        assertTrue(s.node().attributes().containsKey("host"));
        assertTrue(s.node().roles().contains("name:" + s.node().name()));
    }

    @Test
    void seedNodesMayBeHostPortOrFullAddresses() {
        assertEquals("akka://ferry@10.0.0.1:2552", FerryNode.seedAddress("10.0.0.1:2552").toString());
        assertEquals("akka://ferry@h:25520", FerryNode.seedAddress("akka://ferry@h:25520").toString());
    }
}
