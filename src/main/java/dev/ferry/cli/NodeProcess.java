package dev.ferry.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node running as a child process of this JVM, started from the same Java and the same jar (or class path
 * when run from classes), its output going to a log file. Used by {@code ferry local-cluster}.
 */
public final class NodeProcess {

    /** Module opens the node needs on Java 17 (LMDB for durable distributed data). */
    public static final List<String> JVM_OPENS = List.of(
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

    private final String name;
    private final Process process;
    private final Path log;

    private NodeProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code ferry start -c config} in a new JVM with the given extra JVM options (e.g. -Xmx512m). */
    public static NodeProcess launch(String name, Path config, Path log, List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(jvmOptions);
        cmd.addAll(JVM_OPENS);
        Path codeSource = codeSource();
        if (Files.isRegularFile(codeSource)) {
            cmd.add("-jar");
            cmd.add(codeSource.toString());
        } else {
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(FerryCommand.class.getName());
        }
        cmd.add("start");
        cmd.add("-c");
        cmd.add(config.toAbsolutePath().toString());
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new NodeProcess(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + name + ": " + String.join(" ", cmd), e);
        }
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int exitValue() {
        return process.exitValue();
    }

    /** SIGTERM (a graceful leave), then SIGKILL if the node has not stopped within {@code graceSeconds}. */
    public void stop(long graceSeconds) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static Path codeSource() {
        try {
            return Path.of(FerryCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate ferry's jar", e);
        }
    }
}
