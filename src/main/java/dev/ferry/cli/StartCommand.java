package dev.ferry.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.ferry.node.FerryNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ferry start [-c node.conf]}: runs one node in this JVM until it is stopped (SIGTERM or Ctrl-C leave the
 * cluster gracefully through Akka's CoordinatedShutdown). Without a file the node runs on the embedded default:
 * a one-node cluster that joins itself, data under ./data, HTTP on 8080.
 */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Run a Ferry node in the foreground.",
                "Without -c: the embedded default (a one-node cluster, data under ./data, HTTP on 8080).",
                "Settings: every ferry.* key of application.conf; system properties (-Dferry.http.port=8090) override the file."})
public final class StartCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "HOCON file with this node's settings (same as -Dconfig.file=FILE).")
    Path config;

    @Override
    public Integer call() {
        Optional<Path> file = Optional.ofNullable(config)
                .or(() -> Optional.ofNullable(System.getProperty("config.file")).map(Path::of));
        if (file.isPresent() && !Files.isRegularFile(file.get())) {
            throw new UserError("config file " + file.get().toAbsolutePath() + " does not exist or is not a file");
        }
        Config loaded;
        try {
            loaded = FerryNode.loadConfig(file);
        } catch (ConfigException e) {
            throw new UserError("cannot read the configuration: " + e.getMessage(), e);
        }
        FerryNode node;
        try {
            node = FerryNode.start(loaded);
        } catch (ConfigException | IllegalArgumentException e) {
            throw new UserError("invalid configuration: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // e.g. a port in use: Akka's bind failure arrives as RemoteTransportException, HTTP's inside IllegalStateException
            throw new UserError("the node failed to start: " + rootCause(e), e);
        }
        node.whenTerminated().toCompletableFuture().join();
        return 0;
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
