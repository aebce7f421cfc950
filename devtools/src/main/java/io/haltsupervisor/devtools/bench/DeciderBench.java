package io.haltsupervisor.devtools.bench;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderMetrics;
import io.haltsupervisor.decider.service.DeciderService;
import io.haltsupervisor.decider.streams.DeciderTopology;
import io.haltsupervisor.sandbox.kafka.EmbeddedKafka;
import io.haltsupervisor.sandbox.synthetic.SyntheticFleet;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * {@code ./supervisor bench decider}: the decider's throughput under exactly-once on an embedded
 * broker beside it, against a Kafka Streams passthrough of the same records with the same settings in the same
 * run, with the raw consume→produce passthrough beside it as the physical limit (docs/requirements.md §7.1:
 * ≥ 50k observations/s and ≥ 0.8 of the Kafka Streams passthrough).
 *
 * <p>1,000,000 synthetic observations over 10,000 nodes ({@link SyntheticFleet}) are written first (not timed):
 * mostly repeats (status polls of halted nodes, crash-loop exit codes, heartbeats), some new incidents
 * (70 with and without a mapping, 71, 72, reserved codes), a mapping arriving late, and recoveries.
 * Then rounds ({@code --warmup} warm-up rounds, then the measured one), each running over all the records: the
 * raw passthrough; the same decoding each value from JSON with its topic's serde (the ceiling of any reader of
 * these topics); Kafka Streams copying the same records as bytes under the decider's settings (what the framework
 * costs); and the decider. Each run is timed from its first consumed record (the Streams ones: from RUNNING) to the
 * commit that covers the last input offset, and reports the process's CPU per record by kind of thread. The last
 * line is machine-readable: {@code name=decider rate=… passthrough_rate=… ratio=… … cold_ratio=…
 * streams_ratio=… streams_floor_ratio=…}, the last being the Streams passthrough over the raw one: the most any
 * topology on these inputs and settings could reach.
 *
 * <p>Options: {@code --records N}, {@code --nodes N}, {@code --partitions N}, {@code --threads N},
 * {@code --warmup ROUNDS} (2), and {@code --streams KEY=VALUE} (repeatable: a Kafka Streams or client setting for
 * the decider and the Streams passthrough, e.g. {@code max.task.idle.ms=-1}, to measure what a setting costs;
 * printed with the results).
 */
public final class DeciderBench {
    private static final String PASSTHROUGH_SINK = "bench.passthrough.v1";
    private static final String DECODING_SINK = "bench.passthrough-decoding.v1";
    private static final String STREAMS_SINK = "bench.passthrough-streams.v1";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(150);
    private static final String USAGE = "usage: bench decider [--records N] [--nodes N] [--partitions N] "
            + "[--threads N] [--warmup ROUNDS] [--streams KEY=VALUE]...";

    private DeciderBench() {
    }

    /** Runs the benchmark; returns the process exit code. */
    public static int run(String[] args) {
        return run(args, System.out);
    }

    static int run(String[] args, PrintStream out) {
        Options o;
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            out.println(USAGE);
            return 0;
        }
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("bench decider: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        BenchSupport.quietLogs();
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("bench-decider-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            kafka.createTopics(o.partitions);
            kafka.createTopic(PASSTHROUGH_SINK, o.partitions, Map.of());
            kafka.createTopic(DECODING_SINK, o.partitions, Map.of());
            kafka.createTopic(STREAMS_SINK, o.partitions, Map.of());
            out.printf(Locale.ROOT, "bench decider: %,d observations over %,d nodes, %d partitions, %d stream "
                    + "thread(s), exactly_once_v2, embedded KRaft broker in this JVM%s%n", o.records, o.nodes,
                    o.partitions, o.threads, o.streams.isEmpty() ? "" : "; decider settings " + o.streams);
            long producing = System.nanoTime();
            Map<String, Long> counts = produce(kafka.bootstrapServers(), o);
            out.printf(Locale.ROOT, "  wrote the input in %.1f s: %s%n",
                    (System.nanoTime() - producing) / 1e9, counts);

            Round cold = null;
            Round measured = null;
            for (int round = 0; round <= o.warmup; round++) {
                boolean warmup = round < o.warmup;
                out.printf(Locale.ROOT, "  round %d of %d (%s):%n", round + 1, o.warmup + 1,
                        warmup ? "warm-up: the JVM compiles the code paths as it runs them" : "measured");
                Round r = round(kafka.bootstrapServers(), stateDir.resolve("round-" + round), o, round, out);
                if (round == 0) {
                    cold = r;
                }
                measured = r;
            }
            double ratio = measured.decider.rate() / measured.passthrough.rate();
            double decodingRatio = measured.decider.rate() / measured.decoding.rate();
            Runtime rt = Runtime.getRuntime();
            out.printf(Locale.ROOT, "  ran on: %d cores, Java %s (%s), max heap %d MiB, %s %s%n",
                    rt.availableProcessors(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
                    rt.maxMemory() / (1024 * 1024), System.getProperty("os.name"), System.getProperty("os.arch"));
            double streamsRatio = measured.decider.rate() / measured.streams.rate();
            out.printf(Locale.ROOT, "  target (round %d): >= 50,000 observations/s and >= 80%% of the Kafka Streams "
                    + "passthrough: %s (%.0f observations/s, %.0f %%)%n", o.warmup + 1,
                    measured.decider.rate() >= 50_000 && streamsRatio >= 0.8 ? "met" : "NOT met",
                    measured.decider.rate(), 100 * streamsRatio);
            double floor = measured.streams.rate() / measured.passthrough.rate();
            out.printf(Locale.ROOT, "  framework floor (round %d): Kafka Streams copying the same records as "
                    + "bytes is %.0f %% of the raw passthrough (the physical limit); the decider does that and more%n",
                    o.warmup + 1, 100 * floor);
            out.printf(Locale.ROOT, "  beside the decoding passthrough: the decider is %.0f %% of it%n",
                    100 * decodingRatio);
            out.printf(Locale.ROOT, "name=decider rate=%.0f passthrough_rate=%.0f ratio=%.3f "
                    + "decoding_passthrough_rate=%.0f decoding_ratio=%.3f cpu_us_per_record=%.1f "
                    + "passthrough_cpu_us_per_record=%.1f cold_rate=%.0f cold_passthrough_rate=%.0f cold_ratio=%.3f "
                    + "streams_passthrough_rate=%.0f streams_ratio=%.3f streams_floor_ratio=%.3f warmup_rounds=%d%n",
                    measured.decider.rate(), measured.passthrough.rate(), ratio, measured.decoding.rate(),
                    decodingRatio, measured.decider.cpuMicrosPerRecord(), measured.passthrough.cpuMicrosPerRecord(),
                    cold.decider.rate(), cold.passthrough.rate(), cold.decider.rate() / cold.passthrough.rate(),
                    measured.streams.rate(), streamsRatio, floor, o.warmup);
            return 0;
        } catch (IllegalStateException e) {
            out.println("bench decider: FAILED: " + e.getMessage());
            return 1;
        } finally {
            deleteTree(stateDir);
        }
    }

    /** One round: the raw, decoding and Kafka Streams passthroughs and the decider, each over the whole input. */
    private record Round(Result passthrough, Result decoding, Result streams, Result decider) {
    }

    private static Round round(String bootstrap, Path stateDir, Options o, int round, PrintStream out) {
        Result passthrough = passthrough(bootstrap, false, round);
        out.printf(Locale.ROOT, "    passthrough (consume→produce, transactional, read_committed): %s%n",
                passthrough.summary("record"));
        Result decoding = passthrough(bootstrap, true, round);
        out.printf(Locale.ROOT, "    passthrough decoding each value from JSON with its topic's serde, as the "
                + "decider must: %s%n", decoding.summary("record"));
        Result streams = streamsPassthrough(bootstrap, stateDir.resolve("streams-passthrough"), o, round);
        out.printf(Locale.ROOT, "    Kafka Streams passthrough (the same inputs as bytes, exactly_once_v2, %d "
                + "thread(s)): %s%n", o.threads, streams.summary("record"));
        Result decider = decider(bootstrap, stateDir.resolve("decider"), o, round);
        out.printf(Locale.ROOT, "    decider (Kafka Streams, exactly_once_v2): %s, %,d decisions; %.0f %% of the "
                + "passthrough, %.0f %% of the Streams passthrough%n", decider.summary("observation"),
                decider.outputs, 100 * decider.rate() / passthrough.rate(), 100 * decider.rate() / streams.rate());
        return new Round(passthrough, decoding, streams, decider);
    }

    // ------------------------------------------------------------------ input

    /**
     * Writes the synthetic input ({@link SyntheticFleet}: seed 20261120, twenty minutes ending now), in time order,
     * through one idempotent producer; returns the records written per topic.
     */
    private static Map<String, Long> produce(String bootstrap, Options o) {
        Map<String, Long> counts = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new ByteArraySerializer(), new ByteArraySerializer())) {
            SyntheticFleet.of(o.nodes, o.records).seed(20261120L).span(Duration.ofMinutes(20))
                    .start(Instant.now().minus(Duration.ofMinutes(20)))
                    .generate((topic, key, value, at) -> {
                        producer.send(new ProducerRecord<>(topic, null, at.toEpochMilli(),
                                key.getBytes(StandardCharsets.UTF_8), value));
                        counts.merge(topic, 1L, Long::sum);
                    });
            producer.flush();
        }
        return counts;
    }

    // ------------------------------------------------------------------ runs

    /**
     * @param cpu seconds of CPU over the timed span, whole process and by kind of thread
     *            ({@link BenchSupport.CpuSnapshot#since}): steadier than the rate for comparing builds, since it
     *            does not count waiting, and it shows what the broker beside the decider costs
     */
    private record Result(long records, double seconds, long outputs, Map<String, Double> cpu, long undecodable) {
        Result(long records, double seconds, long outputs, Map<String, Double> cpu) {
            this(records, seconds, outputs, cpu, 0);
        }

        double rate() {
            return records / seconds;
        }

        double cpuMicrosPerRecord() {
            return cpu.get("total") * 1e6 / records;
        }

        /** E.g. {@code 999,999 records in 1.80 s = 557,028 records/s (process CPU 2.9 µs/record: clients 1.6…)}. */
        String summary(String unit) {
            return String.format(Locale.ROOT, "%,d %ss in %.2f s = %,.0f %ss/s (process CPU %.1f µs/%s: %s)%s",
                    records, unit, seconds, rate(), unit, cpuMicrosPerRecord(), unit, cpuBreakdown(),
                    undecodable == 0 ? "" : String.format(Locale.ROOT, "; %,d undecodable", undecodable));
        }

        /** µs of CPU per record by kind of thread, e.g. {@code streams 14.1, broker 6.0, clients 0.4, jvm 3.9}. */
        String cpuBreakdown() {
            StringBuilder b = new StringBuilder();
            cpu.forEach((group, secs) -> {
                if (!group.equals("total")) {
                    b.append(b.length() == 0 ? "" : ", ").append(group).append(' ')
                            .append(String.format(Locale.ROOT, "%.1f", secs * 1e6 / records));
                }
            });
            return b.toString();
        }
    }

    /**
     * Transactional consume→produce of the decider's inputs into one topic: the broker's ceiling here.
     *
     * @param decode also deserialise each value with its topic's serde (JSON → event), as any consumer of these
     *               topics must: the raw copy is the broker's ceiling, this is the ceiling for a JSON reader
     */
    private static boolean decodes(org.apache.kafka.common.serialization.Deserializer<?> decoder,
            ConsumerRecord<byte[], byte[]> r) {
        try {
            return decoder.deserialize(r.topic(), r.value()) != null;
        } catch (org.apache.kafka.common.errors.SerializationException e) {
            return false; // the input's poison (one in a thousand): the decider dead-letters it, this counts it
        }
    }

    private static Result passthrough(String bootstrap, boolean decode, int round) {
        Map<String, org.apache.kafka.common.serialization.Deserializer<?>> decoders = new HashMap<>();
        Topics.DECIDER_INPUTS.forEach(t -> decoders.put(t.name(), t.valueSerde().deserializer()));
        String name = (decode ? "bench-passthrough-decoding-" : "bench-passthrough-") + round;
        String sink = decode ? DECODING_SINK : PASSTHROUGH_SINK;
        Map<TopicPartition, Long> ends = BenchSupport.endOffsets(bootstrap, BenchSupport.DECIDER_INPUTS);
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, name,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, name,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            consumer.subscribe(BenchSupport.DECIDER_INPUTS);
            long copied = 0;
            long undecodable = 0;
            long start = 0;
            BenchSupport.CpuSnapshot cpuStart = null;
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            Map<TopicPartition, Long> positions = new HashMap<>();
            long lastCommit = System.nanoTime();
            Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
            AtomicReference<Exception> failure = new AtomicReference<>();
            producer.beginTransaction();
            while (!BenchSupport.reached(positions, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("passthrough did not finish within " + RUN_TIMEOUT);
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty() && start == 0) {
                    start = System.nanoTime();
                    cpuStart = BenchSupport.CpuSnapshot.take();
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (decode && !decodes(decoders.get(r.topic()), r)) {
                        undecodable++;
                    }
                    producer.send(new ProducerRecord<>(sink, r.partition(), r.timestamp(), r.key(),
                            r.value()), (metadata, error) -> {
                                if (error != null) {
                                    failure.compareAndSet(null, error);
                                }
                            });
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    pending.put(tp, new OffsetAndMetadata(r.offset() + 1));
                    copied++;
                }
                // commit like Streams does under exactly-once: every 100 ms, and at the end
                if (failure.get() != null) {
                    throw new IllegalStateException("the passthrough's transactional producer failed, so its rate "
                            + "would mean nothing: " + failure.get(), failure.get());
                }
                if (System.nanoTime() - lastCommit > TimeUnit.MILLISECONDS.toNanos(100) || reachedPending(pending, ends)) {
                    producer.sendOffsetsToTransaction(pending, consumer.groupMetadata());
                    producer.commitTransaction();
                    pending.forEach((tp, om) -> positions.put(tp, om.offset()));
                    pending.clear();
                    producer.beginTransaction();
                    lastCommit = System.nanoTime();
                }
            }
            producer.commitTransaction();
            if (failure.get() != null) {
                throw new IllegalStateException("the passthrough's transactional producer failed: " + failure.get(),
                        failure.get());
            }
            return new Result(total, (System.nanoTime() - start) / 1e9, copied, cpuStart.since(), undecodable);
        }
    }

    private static Result decider(String bootstrap, Path stateDir, Options o, int round) {
        DeciderConfig config = benchConfig("bench-decider-" + round, stateDir, o);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (DeciderService service = new DeciderService(config, new KafkaClientConfig(bootstrap, o.streams),
                registry)) {
            service.start();
            Result timed = untilCommitted(bootstrap, config.applicationId(), service::ready, "the decider");
            long decisions = (long) registry.find("halt_supervisor.decider.decisions").counters().stream()
                    .mapToDouble(c -> c.count()).sum();
            return new Result(timed.records, timed.seconds, decisions, timed.cpu);
        }
    }

    private static DeciderConfig benchConfig(String applicationId, Path stateDir, Options o) {
        return DeciderConfig.fromEnv(Map.of(
                DeciderConfig.ENV_APPLICATION_ID, applicationId,
                DeciderConfig.ENV_STATE_DIR, stateDir.toString(),
                DeciderConfig.ENV_NUM_THREADS, Integer.toString(o.threads)));
    }

    /**
     * Kafka Streams copying the same records as bytes, from four of the same topics (two of them empty, like the
     * decider's operator-commands and control partitions), with the decider's own Streams properties
     * ({@code DeciderTopology.streamsProperties}: exactly_once_v2, commit interval, threads, lz4, handlers): what the
     * framework costs before any decoding or deciding.
     */
    private static Result streamsPassthrough(String bootstrap, Path stateDir, Options o, int round) {
        DeciderConfig config = benchConfig("bench-streams-passthrough-" + round, stateDir, o);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(BenchSupport.DECIDER_INPUTS,
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("bench-inputs"))
                .to(STREAMS_SINK, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("bench-sink"));
        Properties properties = DeciderTopology.streamsProperties(config,
                new KafkaClientConfig(bootstrap, o.streams).toMap(), DeciderMetrics.detached());
        try (KafkaStreams streams = new KafkaStreams(builder.build(), properties)) {
            streams.start();
            return untilCommitted(bootstrap, config.applicationId(), () -> streams.state() == KafkaStreams.State.RUNNING,
                    "the Streams passthrough");
        }
    }

    /**
     * Waits for consumer group {@code group} to commit the end of every input partition; timed from when
     * {@code running} first holds (or the first commit, if seen first) to that commit.
     */
    private static Result untilCommitted(String bootstrap, String group, java.util.function.BooleanSupplier running,
            String what) {
        Map<TopicPartition, Long> ends = BenchSupport.endOffsets(bootstrap, BenchSupport.DECIDER_INPUTS);
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            long start = 0;
            BenchSupport.CpuSnapshot cpuStart = null;
            while (true) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(what + " did not finish within " + RUN_TIMEOUT);
                }
                Map<TopicPartition, Long> committed = BenchSupport.committed(admin, group);
                if (start == 0 && (running.getAsBoolean() || committed.values().stream().anyMatch(v -> v > 0))) {
                    // timing starts when processing starts: when running, or at the first commit if that is seen first
                    start = System.nanoTime();
                    cpuStart = BenchSupport.CpuSnapshot.take();
                }
                if (BenchSupport.reached(committed, ends)) {
                    break;
                }
                BenchSupport.pause(50);
            }
            return new Result(total, (System.nanoTime() - start) / 1e9, total, cpuStart.since());
        }
    }

    // ------------------------------------------------------------------ offsets

    private static boolean reachedPending(Map<TopicPartition, OffsetAndMetadata> pending,
            Map<TopicPartition, Long> ends) {
        return !pending.isEmpty() && pending.entrySet().stream()
                .anyMatch(e -> e.getValue().offset() >= ends.getOrDefault(e.getKey(), Long.MAX_VALUE));
    }

    // ------------------------------------------------------------------ plumbing

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }

    private record Options(long records, int nodes, int partitions, int threads, int warmup,
            Map<String, String> streams) {
        static Options parse(String[] args) {
            long records = 1_000_000;
            int nodes = 10_000;
            int partitions = 4;
            int threads = 2;
            int warmup = 2;
            Map<String, String> streams = new java.util.TreeMap<>();
            List<String> rest = new ArrayList<>(List.of(args));
            if (!rest.isEmpty() && rest.get(0).equals("decider")) {
                rest.remove(0);
            }
            for (int i = 0; i < rest.size(); i++) {
                String flag = rest.get(i);
                if (i + 1 >= rest.size()) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = rest.get(++i);
                try {
                    switch (flag) {
                        case "--records" -> records = Long.parseLong(value);
                        case "--nodes" -> nodes = Integer.parseInt(value);
                        case "--partitions" -> partitions = Integer.parseInt(value);
                        case "--threads" -> threads = Integer.parseInt(value);
                        case "--warmup" -> warmup = Integer.parseInt(value);
                        case "--streams" -> {
                            int eq = value.indexOf('=');
                            if (eq <= 0) {
                                throw new IllegalArgumentException("--streams: expected KEY=VALUE, got '" + value + "'");
                            }
                            streams.put(value.substring(0, eq), value.substring(eq + 1));
                        }
                        default -> throw new IllegalArgumentException("unknown option " + flag);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(flag + ": expected a positive integer, got '" + value + "'");
                }
            }
            if (records < 10 || nodes < SyntheticFleet.MIN_NODES || partitions < 1 || threads < 1 || warmup < 0) {
                throw new IllegalArgumentException(
                        "--records >= 10, --nodes >= " + SyntheticFleet.MIN_NODES
                                + ", --partitions, --threads >= 1 and --warmup >= 0");
            }
            return new Options(records, nodes, partitions, threads, warmup, Map.copyOf(streams));
        }
    }
}
