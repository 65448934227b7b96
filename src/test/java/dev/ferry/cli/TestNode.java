package dev.ferry.cli;

import dev.ferry.node.FerryNode;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One real single-node cluster (HTTP 28085, Akka 26555, data under target/cli-test-node) shared by every CLI test
 * class of the run; it is started by the first class that uses {@code @ExtendWith(TestNode.class)} and stopped
 * when the whole test run ends. {@code -Dferry.test.cli-node.http-port=} and {@code -Dferry.test.cli-node.cluster-port=}
 * move it, for a run beside another checkout's.
 */
public final class TestNode implements BeforeAllCallback {

    public static final int HTTP_PORT = Integer.getInteger("ferry.test.cli-node.http-port", 28085);
    public static final int CLUSTER_PORT = Integer.getInteger("ferry.test.cli-node.cluster-port", 26555);
    public static final String URL = "http://127.0.0.1:" + HTTP_PORT;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(TestNode.class.getName(), k -> new Running(), Running.class);
    }

    /** The started node; JUnit closes it at the end of the run. */
    static final class Running implements ExtensionContext.Store.CloseableResource {
        private final FerryNode node;

        Running() {
            Path home = Path.of("target", "cli-test-node-" + ProcessHandle.current().pid());
            NodeConfigFile conf = new NodeConfigFile("cli-test", "zone-a", home.resolve("data"), HTTP_PORT, CLUSTER_PORT, List.of(), null);
            try {
                Files.createDirectories(home);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path file = conf.writeTo(home.resolve("node.conf"));
            node = FerryNode.start(FerryNode.loadConfig(Optional.of(file)));
            awaitHealthy();
        }

        private static void awaitHealthy() {
            FerryClient c = new FerryClient(java.net.URI.create(URL));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (true) {
                try {
                    if ("ok".equals(c.get("/health").path("status").asText())) {
                        return;
                    }
                } catch (FerryHttpException | NodeUnreachableException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void close() {
            node.shutdown();
        }
    }
}
