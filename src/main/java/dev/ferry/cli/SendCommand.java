package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ferry send TOPIC [MESSAGE...]}: one message per argument, or one per line of standard input when there
 * is none, or a whole file as one message with {@code --file}. One message goes as a single POST, several as
 * batches; each acknowledgement is printed as {@code queue/offset messageId}. Lines of standard input are sent as they
 * arrive, and those read when SIGTERM / Ctrl-C comes are sent before the process ends.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Send messages to a topic and print where each landed (queue/offset and message id).",
                "Messages: the arguments, else --file (one binary message), else one per line of standard input,",
                "sent as lines arrive; on SIGTERM / Ctrl-C the lines already read are sent before it exits."})
public final class SendCommand implements Callable<Integer> {

    /** Lines of standard input per batch request. */
    private static final int LINES_PER_BATCH = 1000;

    @Mixin ClientOptions client;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOPIC") String topic;
    @Parameters(index = "1..*", paramLabel = "MESSAGE", description = "Message bodies (UTF-8 text).") List<String> messages;
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Send this file's bytes as one message.") Path file;
    @Option(names = "--tags", paramLabel = "A,B", description = "Comma-separated tags.") String tags;
    @Option(names = "--keys", paramLabel = "K1,K2", description = "Comma-separated business keys.") String keys;
    @Option(names = {"-k", "--sharding-key"}, paramLabel = "KEY", description = "Same key, same queue, in order.") String shardingKey;
    @Option(names = {"-q", "--queue"}, paramLabel = "ID", description = "Send to this queue id (not with --sharding-key).") Integer queue;
    @Option(names = "--json", description = "Print the node's answers as JSON.") boolean json;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        FerryClient c = client.client();
        validate();
        if (file != null) {
            printAck(out, c.postRaw(FerryClient.topicPath(topic) + "/messages", Files.readAllBytes(file), headers()));
            return 0;
        }
        if (messages != null && messages.size() == 1) {
            printAck(out, c.postRaw(FerryClient.topicPath(topic) + "/messages", messages.get(0).getBytes(StandardCharsets.UTF_8), headers()));
            return 0;
        }
        if (messages != null) {
            sendBatch(c, out, messages);
            return 0;
        }
        return sendLines(c, out, System.in);
    }

    /** Put after the last line read: end of input, or SIGTERM / Ctrl-C (compared by identity). */
    private static final String END = new String("end of input");

    /**
     * One message per line of {@code stdin}, sent as lines arrive (kafka-console-producer): a request takes every line
     * already read, up to {@value #LINES_PER_BATCH}, without waiting for more. On SIGTERM / Ctrl-C the lines read so far
     * are still sent (a shutdown hook waits up to {@value #DRAIN_ON_STOP_SECONDS} s for them) before the process ends.
     */
    private int sendLines(FerryClient c, PrintWriter out, InputStream stdin) throws InterruptedException {
        BlockingQueue<String> read = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    read.add(line);
                }
            } catch (IOException e) {
                spec.commandLine().getErr().println("ferry send: reading standard input failed: " + e.getMessage());
            } finally {
                read.add(END);
            }
        }, "send-stdin");
        reader.setDaemon(true);
        reader.start();

        AtomicLong sent = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        Thread onStop = new Thread(() -> {
            PrintWriter err = spec.commandLine().getErr();
            err.println("ferry send: stopping; sending the " + read.size() + " lines read and not yet sent first");
            err.flush();
            read.add(END);
            try {
                if (!done.await(DRAIN_ON_STOP_SECONDS, TimeUnit.SECONDS)) {
                    err.println("ferry send: gave up after " + DRAIN_ON_STOP_SECONDS + " s; " + sent.get() + " messages were acknowledged");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            err.flush();
        }, "send-on-stop");
        Runtime.getRuntime().addShutdownHook(onStop);
        try {
            List<String> lines = new ArrayList<>();
            boolean end = false;
            while (!end) {
                String line = read.take();
                while (line != END) {
                    lines.add(line);
                    if (lines.size() == LINES_PER_BATCH || (line = read.poll()) == null) {
                        break;
                    }
                }
                end = line == END;
                if (!lines.isEmpty()) {
                    sendBatch(c, out, lines);
                    sent.addAndGet(lines.size());
                    lines.clear();
                }
            }
            return 0;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onStop);
            } catch (IllegalStateException stopping) {
                // SIGTERM / Ctrl-C: the hook is running and ends now
            }
        }
    }

    private static final int DRAIN_ON_STOP_SECONDS = 30;

    /** What the command line alone shows to be wrong is a usage error (exit 2), before anything is sent. */
    private void validate() {
        if (queue != null && shardingKey != null)
            throw new ParameterException(spec.commandLine(), "give --queue or --sharding-key, not both (both choose the queue)");
        if (queue != null && queue < 0)
            throw new ParameterException(spec.commandLine(), "--queue must be a queue id (0 or more), was " + queue);
        if (file != null && messages != null)
            throw new ParameterException(spec.commandLine(), "give MESSAGE arguments or --file, not both");
        if (file != null && !Files.isRegularFile(file))
            throw new ParameterException(spec.commandLine(), "--file " + file + " does not exist or is not a file");
    }

    private void sendBatch(FerryClient c, PrintWriter out, List<String> bodies) {
        ObjectNode req = c.object();
        ArrayNode arr = req.putArray("messages");
        for (String body : bodies) {
            ObjectNode m = arr.addObject().put("body", body);
            if (tags != null) m.put("tags", tags);
            if (keys != null) m.put("keys", keys);
            if (shardingKey != null) m.put("shardingKey", shardingKey);
            if (queue != null) m.put("queue", queue);
        }
        JsonNode answer = c.postJson(FerryClient.topicPath(topic) + "/messages:batch", req);
        for (JsonNode ack : answer.path("results")) {
            printAck(out, ack);
        }
    }

    private Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        if (tags != null) h.put("Ferry-Tags", tags);
        if (keys != null) h.put("Ferry-Keys", keys);
        if (shardingKey != null) h.put("Ferry-Sharding-Key", shardingKey);
        if (queue != null) h.put("Ferry-Queue", queue.toString());
        return h;
    }

    private void printAck(PrintWriter out, JsonNode ack) {
        if (json) {
            out.println(ack.toString());
        } else {
            out.println(ack.path("queue").asText() + "/" + ack.path("offset").asText() + " " + ack.path("messageId").asText());
        }
        out.flush();
    }
}
