package dev.ferry.journal.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.SignalHandler;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Events/s that N EventSourcedBehaviors persist through one journal plugin, each entity persisting its next 1 KiB
 * event as soon as the previous one is confirmed (one write in flight per entity, as Akka allows).
 *
 * <p>One configuration per JVM, so runs do not share JIT state, heap or open files. Prints one line
 * {@code RESULT journal=... entities=... events_per_s=...} that {@code bench/journal.sh} collects.
 *
 * <pre>
 * java --add-opens java.base/java.nio=ALL-UNNAMED -cp target/benchmarks.jar dev.ferry.journal.bench.JournalThroughput \
 *      --journal ferry-async --entities 1000 --warmup 5 --seconds 15 --dir target/bench-journal
 * </pre>
 * Journals: ferry-async, ferry-sync, leveldb-async, leveldb-sync, jdbc-async, jdbc-sync, and inmem (Akka's in-memory
 * test journal: no storage at all, the ceiling of Akka itself on this machine) ("sync" = each write is on
 * disk before it is confirmed: Ferry forces the mapped pages, LevelDB writes with fsync, PostgreSQL commits with
 * synchronous_commit = on; "async" = confirmed once written to the OS page cache / WAL buffer).
 */
public final class JournalThroughput {

    /** Commands of the benchmark entity: it only ever tells itself to persist the next event. */
    enum Next { NEXT }

    private static final LongAdder PERSISTED = new LongAdder();
    private static final LongAdder RECOVERED = new LongAdder();

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Files.createDirectories(options.dir);
        // Libraries that call ConfigFactory.load() themselves (Slick, under akka-persistence-jdbc) must be able to
        // resolve application.conf's ${ferry.data-dir} too.
        System.setProperty("ferry.data-dir", options.dir.toAbsolutePath().toString());
        ConfigFactory.invalidateCaches();
        // application.conf's substitutions (ferry.data-dir) resolve against the run's own settings.
        Config config = ConfigFactory.defaultOverrides().withFallback(ConfigFactory.parseString(journalConfig(options)))
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReference()).resolve();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
            String run = UUID.randomUUID().toString().substring(0, 8);
            for (int i = 0; i < options.entities; i++) {
                ctx.spawn(entity(PersistenceId.ofUniqueId("bench-" + run + "-" + i), options.pluginId(), options.eventSize, options.batch),
                        "entity-" + i);
            }
            return Behaviors.empty();
        }), "bench", config);
        try {
            if (options.journal.startsWith("jdbc")) {
                akka.persistence.jdbc.testkit.javadsl.SchemaUtils.createIfNotExists(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            // Start the clock only once every entity has recovered (Akka recovers at most 50 at a time).
            long recoveryStart = System.nanoTime();
            while (RECOVERED.sum() < options.entities) {
                if (System.nanoTime() - recoveryStart > TimeUnit.SECONDS.toNanos(120)) {
                    throw new IllegalStateException("only " + RECOVERED.sum() + " of " + options.entities + " entities recovered in 120 s");
                }
                Thread.sleep(10);
            }
            double recoverySeconds = (System.nanoTime() - recoveryStart) / 1e9;
            Thread.sleep(options.warmup.toMillis());
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpuBefore = os.getProcessCpuTime();
            long before = PERSISTED.sum();
            long start = System.nanoTime();
            Thread.sleep(options.window.toMillis());
            long after = PERSISTED.sum();
            double seconds = (System.nanoTime() - start) / 1e9;
            // CPU this JVM used per event: comparable across runs even when the shared machine is busy.
            double cpuMicrosPerEvent = (os.getProcessCpuTime() - cpuBefore) / 1e3 / Math.max(1, after - before);
            double cpuShare = (os.getProcessCpuTime() - cpuBefore) / 1e9 / seconds;
            System.out.printf(Locale.ROOT, "RESULT journal=%s entities=%d event_bytes=%d batch=%d seconds=%.1f events=%d events_per_s=%.0f recovery_s=%.1f cpu_us_per_event=%.1f cpu_cores_used=%.2f%n",
                    options.journal, options.entities, options.eventSize, options.batch, seconds, after - before, (after - before) / seconds, recoverySeconds,
                    cpuMicrosPerEvent, cpuShare);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    static Behavior<Next> entity(PersistenceId id, String pluginId, int eventSize, int batch) {
        return Behaviors.setup(ctx -> {
            ctx.getSelf().tell(Next.NEXT);
            return new Writer(id, pluginId, eventSize, batch, ctx);
        });
    }

    /** Persists a fresh byte[] event per command (Akka's built-in ByteArraySerializer, the same bytes for every journal). */
    static final class Writer extends EventSourcedBehavior<Next, byte[], Long> {
        private final String pluginId;
        private final int eventSize;
        private final int batch;
        private final ActorContext<Next> ctx;

        Writer(PersistenceId id, String pluginId, int eventSize, int batch, ActorContext<Next> ctx) {
            super(id);
            this.pluginId = pluginId;
            this.eventSize = eventSize;
            this.batch = batch;
            this.ctx = ctx;
        }

        @Override public String journalPluginId() { return pluginId; }

        @Override public Long emptyState() { return 0L; }

        @Override
        public CommandHandler<Next, byte[], Long> commandHandler() {
            return newCommandHandlerBuilder().forAnyState().onAnyCommand(next -> {
                if (batch > 1) { // one AtomicWrite of `batch` events, as the Queue entity persists what arrived meanwhile
                    return Effect().persist(java.util.Collections.nCopies(batch, eventBytes(eventSize))).thenRun(state -> {
                        PERSISTED.add(batch);
                        ctx.getSelf().tell(Next.NEXT);
                    });
                }
                return Effect().persist(eventBytes(eventSize)).thenRun(state -> {
                    PERSISTED.increment();
                    ctx.getSelf().tell(Next.NEXT);
                });
            });
        }

        @Override
        public SignalHandler<Long> signalHandler() {
            return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), state -> RECOVERED.increment()).build();
        }

        @Override
        public EventHandler<Long, byte[]> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state + 1);
        }
    }

    /** One random (incompressible) payload shared by all events: the journals copy it when they serialize. */
    private static volatile byte[] payload = new byte[0];

    static byte[] eventBytes(int size) {
        byte[] bytes = payload;
        if (bytes.length != size) {
            bytes = new byte[size];
            ThreadLocalRandom.current().nextBytes(bytes);
            payload = bytes;
        }
        return bytes;
    }

    static String journalConfig(Options o) {
        String dir = o.dir.toAbsolutePath().toString().replace("\\", "/");
        String common = "akka.loglevel = WARNING\n"
                + "ferry.data-dir = \"" + dir + "\"\n"
                + "akka.persistence.snapshot-store.plugin = \"akka.persistence.no-snapshot-store\"\n"
                + "akka.persistence.journal.plugin = \"" + o.pluginId() + "\"\n";
        return common + switch (o.journal) {
            case "ferry-async", "ferry-sync" -> "ferry.journal.dir = \"" + dir + "/ferry\"\n";
            case "inmem" -> ""; // Akka's in-memory test journal: the ceiling Akka itself puts on this workload
            case "leveldb-async", "leveldb-sync" -> "akka.persistence.journal.leveldb {\n"
                    + "  dir = \"" + dir + "/leveldb-" + UUID.randomUUID() + "\"\n"
                    + "  native = on\n"
                    + "  fsync = " + (o.journal.equals("leveldb-sync") ? "on" : "off") + "\n}\n";
            case "jdbc-async", "jdbc-sync" -> "akka-persistence-jdbc.shared-databases.slick {\n"
                    + "  profile = \"slick.jdbc.PostgresProfile$\"\n"
                    + "  db {\n"
                    + "    url = \"jdbc:postgresql://127.0.0.1:" + o.pgPort + "/postgres?reWriteBatchedInserts=true&options="
                    + (o.journal.equals("jdbc-sync") ? "-c%20synchronous_commit%3Don" : "-c%20synchronous_commit%3Doff") + "\"\n"
                    + "    user = \"postgres\"\n    password = \"\"\n    driver = \"org.postgresql.Driver\"\n"
                    + "    numThreads = 8\n    maxConnections = 8\n    minConnections = 1\n  }\n}\n"
                    + "jdbc-journal.use-shared-db = \"slick\"\n"
                    + "jdbc-snapshot-store.use-shared-db = \"slick\"\n"
                    + "jdbc-read-journal.use-shared-db = \"slick\"\n";
            default -> throw new IllegalArgumentException("unknown --journal " + o.journal
                    + "; use one of ferry-async, ferry-sync, leveldb-async, leveldb-sync, jdbc-async, jdbc-sync");
        };
    }

    record Options(String journal, int entities, int eventSize, int batch, Duration warmup, Duration window, Path dir, int pgPort) {
        String pluginId() {
            return switch (journal) {
                case "ferry-async" -> "ferry.journal";
                case "ferry-sync" -> "ferry.journal-sync";
                case "leveldb-async", "leveldb-sync" -> "akka.persistence.journal.leveldb";
                case "jdbc-async", "jdbc-sync" -> "jdbc-journal";
                case "inmem" -> "akka.persistence.journal.inmem";
                default -> throw new IllegalArgumentException("unknown --journal " + journal);
            };
        }

        static Options parse(String[] args) {
            String journal = "ferry-async";
            int entities = 1000, eventSize = 1024, batch = 1, pgPort = 54329;
            Duration warmup = Duration.ofSeconds(5), window = Duration.ofSeconds(15);
            Path dir = Path.of("target/bench-journal");
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--journal" -> journal = value;
                    case "--entities" -> entities = Integer.parseInt(value);
                    case "--event-bytes" -> eventSize = Integer.parseInt(value);
                    case "--batch" -> batch = Integer.parseInt(value);
                    case "--warmup" -> warmup = Duration.ofSeconds(Long.parseLong(value));
                    case "--seconds" -> window = Duration.ofSeconds(Long.parseLong(value));
                    case "--dir" -> dir = Path.of(value);
                    case "--pg-port" -> pgPort = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; options: --journal --entities --event-bytes --batch --warmup --seconds --dir --pg-port");
                }
                i++;
            }
            return new Options(journal, entities, eventSize, batch, warmup, window, dir, pgPort);
        }
    }
}
