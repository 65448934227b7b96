package dev.ferry.http;

import dev.ferry.node.FerryNode;
import dev.ferry.node.TestNodes;

import java.nio.file.Path;

/** One real Ferry node for a test class: its own data directory, started and answering /health, then stopped. */
public record OneNode(Path dir, FerryNode node, Http http) implements AutoCloseable {

    /** Starts node {@code name} on Akka port {@code akkaPort} and HTTP port {@code httpPort} (0 = any) with {@code extra} HOCON. */
    public static OneNode start(String name, int akkaPort, int httpPort, String extra) throws Exception {
        Path dir = TestNodes.tempDir("ferry-" + name);
        FerryNode node = FerryNode.start(TestNodes.config(name, akkaPort, httpPort, dir, extra));
        Http http = new Http(node.httpPort());
        for (int i = 0; i < 200 && http.get("/health").status() != 200; i++) Thread.sleep(100);
        return new OneNode(dir, node, http);
    }

    @Override
    public void close() {
        node.shutdown();
        TestNodes.deleteRecursively(dir);
    }
}
