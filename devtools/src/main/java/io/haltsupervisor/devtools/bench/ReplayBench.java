package io.haltsupervisor.devtools.bench;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.service.DeciderService;
import io.haltsupervisor.decider.replay.DeciderReplay;
import io.haltsupervisor.decider.replay.DriverReplay;
import io.haltsupervisor.sandbox.kafka.EmbeddedKafka;
import io.haltsupervisor.sandbox.synthetic.SyntheticFleet;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./supervisor bench replay}: a 1,000,000-event audit log replayed through the decider topology
 * (docs/requirements.md §7: ≥ 200k events/s, with a decision log identical to the original).
 *
 * <ol>
 *   <li><b>Record</b> (untimed): synthetic input ({@link SyntheticFleet}, its default seed) — 100 minutes of a
 *       10,000-node fleet: heartbeats, pod states,
 *       halts by status intent and by exit code with crash loops, recoveries, a mapping published at 40 %,
 *       a plan never mapped (grace windows expire), reserved codes acknowledged by operators, two 71/72
 *       halts, 0.1 % poison — is written to an embedded broker and decided by the live decider
 *       ({@link DeciderService}, exactly-once, production settings except {@code DECIDER_WALL_CLOCK_TIMERS=false}:
 *       a recording made in fast-forward would otherwise see every grace window expire at its first
 *       wall-clock punctuation). Its input topics and decision log are the audit log.</li>
 *   <li><b>Read</b> the audit log back ({@code read_committed}) and merge the inputs by timestamp, as
 *       {@code supervisor replay} does.</li>
 *   <li><b>Replay</b> (timed): {@link DeciderReplay} over the merged inputs, from empty state; then compare the
 *       replayed decisions with the recorded ones: SHA-256 over every decision (id, key, timestamp, value
 *       bytes) in id order, and each node's decisions in order.</li>
 *   <li>Beside it, in the same run: a <b>deserialise-only</b> pass over the same records (JSON to events and
 *       nothing else: the ceiling of any replay that reads JSON on this thread), the live decider's own rate
 *       while recording, and the reference engine ({@code TopologyTestDriver}) on the first records.</li>
 * </ol>
 * The last line is machine-readable: {@code name=replay rate=… identical=… decisions=… …}.
 *
 * <p>Options: {@code --records N} (1000000), {@code --nodes N} (10000), {@code --partitions N} (4),
 * {@code --threads N} (2, the recording decider's), {@code --reference-records N} (10000), {@code --explain N}
 * (0: for up to N nodes whose decisions differ, print their inputs and both decision sequences).
 */
public final class ReplayBench {
    private static final Duration RECORD_TIMEOUT = Duration.ofSeconds(150);
    private static final double TARGET = 200_000;

    private ReplayBench() {
    }

    /** Runs the benchmark; returns the process exit code. */
    public static int run(String[] args) {
        return run(args, System.out);
    }

    static int run(String[] args, PrintStream out) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("bench replay: " + e.getMessage());
            out.println("usage: bench replay [--records N] [--nodes N] [--partitions N] [--threads N] "
                    + "[--reference-records N] [--explain N]");
            return 2;
        }
        BenchSupport.quietLogs();
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("bench-replay-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.printf(Locale.ROOT, "bench replay: %,d-event audit log over %,d nodes, recorded by the live decider on an "
                + "embedded KRaft broker in this JVM (%d partitions, %d stream threads, exactly_once_v2), "
                + "then replayed offline%n", o.records, o.nodes, o.partitions, o.threads);
        out.println("  " + BenchSupport.ranOn());
        DeciderConfig config = DeciderConfig.fromEnv(Map.of(
                DeciderConfig.ENV_APPLICATION_ID, "bench-replay",
                DeciderConfig.ENV_STATE_DIR, stateDir.toString(),
                DeciderConfig.ENV_NUM_THREADS, Integer.toString(o.threads),
                DeciderConfig.ENV_WALL_CLOCK_TIMERS, "false"));
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            kafka.createTopics(o.partitions);
            String bootstrap = kafka.bootstrapServers();

            Recording recording = record(bootstrap, config, o);
            out.printf(Locale.ROOT, "  1. recorded in %.1f s: wrote %s; the live decider decided it at %,.0f "
                    + "events/s (exactly-once, commit interval %d ms; from each start to its last commit, restarts "
                    + "and rebalances included)%n", recording.seconds, recording.written, recording.liveRate,
                    config.commitInterval().toMillis());
            double liveRate = recording.liveRate;

            long t = System.nanoTime();
            Recorded log = read(bootstrap);
            out.printf(Locale.ROOT, "  2. read the audit log back in %.1f s: %,d input records, %,d decisions, "
                    + "%,d dead letters%n", secs(t), log.inputs.size(), log.decisions.size(), log.deadLetters);

            double deserialiseRate = deserialiseOnly(log.inputs);

            List<DeciderReplay.Output> replayed = new ArrayList<>(log.decisions.size() + 1024);
            long deadLetters;
            t = System.nanoTime();
            try (DeciderReplay replay = new DeciderReplay(config)) {
                replay.replay(log.inputs, replayed::add);
                deadLetters = replay.deadLetters();
            }
            double seconds = secs(t);
            double rate = log.inputs.size() / seconds;
            out.printf(Locale.ROOT, "  3. replay (in-process engine): %,d events in %.2f s = %,.0f events/s, %,d "
                    + "decisions, %,d dead letters%n", log.inputs.size(), seconds, rate, replayed.size(),
                    deadLetters);

            Comparison c = compare(log.decisions, replayed);
            out.printf(Locale.ROOT, "     decision log: recorded sha256 %s (%,d decisions), replayed sha256 %s "
                    + "(%,d): %s%n", c.recordedHash, log.decisions.size(), c.replayedHash, replayed.size(),
                    c.identical() ? "IDENTICAL" : "DIFFERENT");
            out.printf(Locale.ROOT, "     per node, in order: %,d nodes with decisions, %,d differ; dead letters "
                    + "recorded %,d, replayed %,d%n", c.nodes, c.nodesDiffering, log.deadLetters, deadLetters);
            c.examples.forEach(e -> out.println("       " + e));
            explain(out, log, replayed, o.explain);

            double referenceRate = reference(config, log.inputs, o.referenceRecords);
            out.printf(Locale.ROOT, "  beside it: deserialise-only %,.0f events/s (replay = %.0f %% of it); live "
                    + "decider %,.0f events/s (replay = %.1f x); TopologyTestDriver %,.0f events/s on the first "
                    + "%,d (replay = %.0f x)%n", deserialiseRate, 100 * rate / deserialiseRate, liveRate,
                    rate / liveRate, referenceRate, Math.min(o.referenceRecords, log.inputs.size()),
                    rate / referenceRate);
            boolean met = rate >= TARGET && c.identical() && deadLetters == log.deadLetters;
            out.printf(Locale.ROOT, "  target: >= %,.0f events/s with a decision log identical to the original: "
                    + "%s%n", TARGET, met ? "met" : "NOT met");
            out.println("  " + BenchSupport.loadAverage());
            out.printf(Locale.ROOT, "name=replay rate=%.0f identical=%s decisions=%d recorded_sha256=%s "
                    + "replayed_sha256=%s deserialise_rate=%.0f live_rate=%.0f reference_rate=%.0f%n", rate,
                    c.identical(), replayed.size(), c.recordedHash, c.replayedHash, deserialiseRate, liveRate,
                    referenceRate);
            return 0;
        } catch (IllegalStateException e) {
            out.println("bench replay: FAILED: " + e.getMessage());
            return 1;
        } finally {
            BenchSupport.deleteTree(stateDir);
        }
    }

    private static double secs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    // ------------------------------------------------------------------ recording

    /** What recording made. */
    private record Recording(Map<String, Long> written, double seconds, double liveRate) {
    }

    /**
     * Records the audit log as a decider that kept up with its input would have. Writing stops at each mapping:
     * the decider, caught up with everything before it, decides the mapping and every node task takes it from
     * the control topic before anything later is written — a mapping published before the halts that need it.
     * Between mappings, the decider is stopped while the records are written and started again to decide
     * them: with the whole stretch on the broker, Streams merges each task's partitions by timestamp, as a
     * replay does. (A decider consuming while a fast-forward producer writes processes one topic ahead of
     * another whenever it drains a partition the producer has not caught up on: max.task.idle.ms=0 waits only
     * for data already on the broker; and one reading a backlog that holds a mapping races ahead of its own
     * control topic — see the decider's package documentation.) The recording decider uses a 6 s session
     * timeout so that a restart does not wait 45 s for its previous incarnation to leave the group.
     */
    private static Recording record(String bootstrap, DeciderConfig config, Options o) {
        long deadline = System.nanoTime() + RECORD_TIMEOUT.toNanos();
        KafkaClientConfig client = new KafkaClientConfig(bootstrap, Map.of("session.timeout.ms", "6000",
                "heartbeat.interval.ms", "1500"));
        List<List<ProducerRecord<byte[], byte[]>>> stretches = new ArrayList<>();
        Map<String, Long> written = new TreeMap<>();
        stretches.add(new ArrayList<>());
        SyntheticFleet.of(o.nodes, o.records).generate((topic, key, value, at) -> {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, at.toEpochMilli(),
                    key.getBytes(StandardCharsets.UTF_8), value);
            if (topic.equals(Topics.IMAGE_MAPPINGS.name())) {
                stretches.add(new ArrayList<>(List.of(r)));
                stretches.add(new ArrayList<>());
            } else {
                stretches.get(stretches.size() - 1).add(r);
            }
            written.merge(topic, 1L, Long::sum);
        });
        long start = System.nanoTime();
        long deciding = 0;
        int mappings = 0;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
             KafkaProducer<byte[], byte[]> producer = AuditLog.producer(bootstrap)) {
            DeciderService running = null;
            try {
                for (List<ProducerRecord<byte[], byte[]>> stretch : stretches) {
                    boolean mapping = stretch.size() == 1
                            && stretch.get(0).topic().equals(Topics.IMAGE_MAPPINGS.name());
                    if (!mapping && running != null) {
                        running.close();
                        running = null;
                    }
                    stretch.forEach(producer::send);
                    producer.flush();
                    stretch.clear();
                    if (running == null) {
                        running = new DeciderService(config, client, new SimpleMeterRegistry());
                        running.start();
                    }
                    long t = System.nanoTime();
                    if (mapping) {
                        awaitControl(bootstrap, admin, config, ++mappings, deadline);
                    }
                    awaitCommitted(bootstrap, admin, config, deadline);
                    deciding += System.nanoTime() - t;
                }
            } finally {
                if (running != null) {
                    running.close();
                }
            }
        }
        long total = written.values().stream().mapToLong(Long::longValue).sum();
        return new Recording(written, secs(start), total / (deciding / 1e9));
    }

    private static void awaitCommitted(String bootstrap, Admin admin, DeciderConfig config, long deadline) {
        Map<TopicPartition, Long> ends = BenchSupport.endOffsets(bootstrap, BenchSupport.DECIDER_INPUTS);
        while (!BenchSupport.reached(BenchSupport.committed(admin, config.applicationId()), ends)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the live decider did not finish within " + RECORD_TIMEOUT);
            }
            BenchSupport.pause(50);
        }
    }

    /** Waits until the decider has consumed the {@code count}-th record of every control-topic partition. */
    private static void awaitControl(String bootstrap, Admin admin, DeciderConfig config, int count, long deadline) {
        String control = config.controlTopic();
        Map<TopicPartition, Long> needed = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(control).stream()
                    .map(p -> new TopicPartition(control, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Integer> seen = new HashMap<>();
            while (needed.size() < tps.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("mapping " + count + " did not reach the control topic");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (seen.merge(tp, 1, Integer::sum) == count) {
                        needed.put(tp, r.offset() + 1);
                    }
                }
            }
        }
        while (!BenchSupport.reached(BenchSupport.committed(admin, config.applicationId()), needed)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the node tasks did not take mapping " + count);
            }
            BenchSupport.pause(20);
        }
    }

    /** The audit log, as read back. */
    private record Recorded(List<DeciderReplay.Input> inputs, List<DeciderReplay.Output> decisions,
            long deadLetters) {
    }

    private static Recorded read(String bootstrap) {
        List<String> topics = new ArrayList<>(BenchSupport.DECIDER_INPUTS);
        topics.add(Topics.DECISIONS.name());
        topics.add(Topics.DEAD_LETTERS.name());
        List<TopicPartition> tps = new ArrayList<>(BenchSupport.endOffsets(bootstrap, topics).keySet());
        record Raw(DeciderReplay.Input input, int topicIndex, int partition, long offset) {
        }
        List<Raw> raw = new ArrayList<>();
        List<DeciderReplay.Output> decisions = new ArrayList<>();
        long deadLetters = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            List<TopicPartition> open = new ArrayList<>(tps);
            open.removeIf(tp -> consumer.position(tp) >= end.get(tp));
            while (!open.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Instant ts = Instant.ofEpochMilli(r.timestamp());
                    if (r.topic().equals(Topics.DECISIONS.name())) {
                        decisions.add(new DeciderReplay.Output(
                                r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), r.value(), ts));
                    } else if (r.topic().equals(Topics.DEAD_LETTERS.name())) {
                        deadLetters++;
                    } else {
                        raw.add(new Raw(new DeciderReplay.Input(r.topic(), r.key(), r.value(), ts),
                                BenchSupport.DECIDER_INPUTS.indexOf(r.topic()), r.partition(), r.offset()));
                    }
                }
                open.removeIf(tp -> consumer.position(tp) >= end.get(tp));
            }
        }
        // merged as Streams merges a task's partitions, and as `supervisor replay` does
        raw.sort(Comparator.comparing((Raw r) -> r.input.timestamp()).thenComparingInt(Raw::topicIndex)
                .thenComparingInt(Raw::partition).thenComparingLong(Raw::offset));
        List<DeciderReplay.Input> inputs = new ArrayList<>(raw.size());
        raw.forEach(r -> inputs.add(r.input));
        return new Recorded(inputs, decisions, deadLetters);
    }

    // ------------------------------------------------------------------ comparisons

    /** JSON to events and nothing else, on this thread: what reading the log costs before any deciding. */
    private static double deserialiseOnly(List<DeciderReplay.Input> inputs) {
        Map<String, org.apache.kafka.common.serialization.Deserializer<?>> serdes = new HashMap<>();
        for (Topic<?, ?> t : Topics.DECIDER_INPUTS) {
            serdes.put(t.name(), t.valueSerde().deserializer());
        }
        long start = System.nanoTime();
        long ok = 0;
        for (DeciderReplay.Input i : inputs) {
            try {
                if (serdes.get(i.topic()).deserialize(i.topic(), i.value()) != null) {
                    ok++;
                }
            } catch (RuntimeException e) {
                // poison: counted as read
            }
        }
        double seconds = secs(start);
        return ok == 0 ? 0 : inputs.size() / seconds;
    }

    /** The reference engine (Kafka Streams' TopologyTestDriver running the built topology) on the first records. */
    private static double reference(DeciderConfig config, List<DeciderReplay.Input> inputs, int records) {
        List<DeciderReplay.Input> first = inputs.subList(0, Math.min(records, inputs.size()));
        long start = System.nanoTime();
        try (DriverReplay replay = new DriverReplay(config)) {
            first.forEach(i -> replay.feed(i.topic(), i.key(), i.value(), i.timestamp()));
        }
        return first.size() / secs(start);
    }

    private record Comparison(String recordedHash, String replayedHash, int nodes, int nodesDiffering,
            List<String> examples) {
        boolean identical() {
            return recordedHash.equals(replayedHash) && nodesDiffering == 0;
        }
    }

    private static Comparison compare(List<DeciderReplay.Output> recorded, List<DeciderReplay.Output> replayed) {
        Map<String, DeciderReplay.Output> recordedById = byId(recorded);
        Map<String, DeciderReplay.Output> replayedById = byId(replayed);
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, DeciderReplay.Output> e : recordedById.entrySet()) {
            DeciderReplay.Output again = replayedById.get(e.getKey());
            if (examples.size() < 5 && (again == null || !same(again, e.getValue()))) {
                examples.add((again == null ? "only recorded: " : "differs: ") + e.getKey());
            }
        }
        for (String id : replayedById.keySet()) {
            if (examples.size() < 5 && !recordedById.containsKey(id)) {
                examples.add("only replayed: " + id);
            }
        }
        Map<String, List<String>> recordedByNode = idsByKey(recorded);
        Map<String, List<String>> replayedByNode = idsByKey(replayed);
        int differing = 0;
        for (String node : recordedByNode.keySet()) {
            if (!recordedByNode.get(node).equals(replayedByNode.get(node))) {
                differing++;
            }
        }
        for (String node : replayedByNode.keySet()) {
            if (!recordedByNode.containsKey(node)) {
                differing++;
            }
        }
        return new Comparison(hash(recordedById), hash(replayedById), recordedByNode.size(), differing, examples);
    }

    /** For up to {@code nodes} nodes whose decisions differ: their inputs and both decision sequences. */
    private static void explain(PrintStream out, Recorded log, List<DeciderReplay.Output> replayed, int nodes) {
        if (nodes == 0) {
            return;
        }
        Map<String, List<DeciderReplay.Output>> recordedByNode = byKey(log.decisions);
        Map<String, List<DeciderReplay.Output>> replayedByNode = byKey(replayed);
        List<String> differing = new ArrayList<>();
        for (String node : recordedByNode.keySet()) {
            List<DeciderReplay.Output> a = recordedByNode.get(node);
            List<DeciderReplay.Output> b = replayedByNode.getOrDefault(node, List.of());
            boolean same = a.size() == b.size();
            for (int i = 0; same && i < a.size(); i++) {
                same = same(a.get(i), b.get(i));
            }
            if (!same && differing.size() < nodes) {
                differing.add(node);
            }
        }
        for (String node : differing) {
            out.println("     node " + node + ":");
            byte[] key = node.getBytes(StandardCharsets.UTF_8);
            for (DeciderReplay.Input in : log.inputs) {
                if (Arrays.equals(in.key(), key)) {
                    String v = in.value() == null ? "null" : new String(in.value(), StandardCharsets.UTF_8);
                    out.println("       in  " + in.timestamp() + " " + in.topic() + " "
                            + v.substring(0, Math.min(200, v.length())));
                }
            }
            recordedByNode.get(node).forEach(d -> out.println("       rec " + d.timestamp() + " "
                    + new String(d.value(), StandardCharsets.UTF_8)));
            replayedByNode.getOrDefault(node, List.of()).forEach(d -> out.println("       rep " + d.timestamp()
                    + " " + new String(d.value(), StandardCharsets.UTF_8)));
        }
    }

    private static Map<String, List<DeciderReplay.Output>> byKey(List<DeciderReplay.Output> log) {
        Map<String, List<DeciderReplay.Output>> byKey = new LinkedHashMap<>();
        log.forEach(o -> byKey.computeIfAbsent(String.valueOf(o.key()), k -> new ArrayList<>()).add(o));
        return byKey;
    }

    private static boolean same(DeciderReplay.Output a, DeciderReplay.Output b) {
        return a.timestamp().equals(b.timestamp()) && String.valueOf(a.key()).equals(String.valueOf(b.key()))
                && Arrays.equals(a.value(), b.value());
    }

    private static Map<String, DeciderReplay.Output> byId(List<DeciderReplay.Output> log) {
        Map<String, DeciderReplay.Output> byId = new TreeMap<>();
        for (DeciderReplay.Output o : log) {
            // a duplicate id would be a duplicated decision: keep both visible to the hash
            String id = decisionId(o.value());
            while (byId.containsKey(id)) {
                id = id + "+dup";
            }
            byId.put(id, o);
        }
        return byId;
    }

    private static Map<String, List<String>> idsByKey(List<DeciderReplay.Output> log) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (DeciderReplay.Output o : log) {
            byKey.computeIfAbsent(String.valueOf(o.key()), k -> new ArrayList<>()).add(decisionId(o.value()));
        }
        return byKey;
    }

    private static String hash(Map<String, DeciderReplay.Output> byId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, DeciderReplay.Output> e : byId.entrySet()) {
                DeciderReplay.Output o = e.getValue();
                sha.update((e.getKey() + "\n" + o.key() + "\n" + o.timestamp().toEpochMilli() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                sha.update(o.value());
                sha.update((byte) '\n');
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String decisionId(byte[] value) {
        try {
            return Json.MAPPER.readTree(value).path("decisionId").asText("(no decisionId)");
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    // ------------------------------------------------------------------ the audit log

    /** The producer that writes the audit log ({@link SyntheticFleet}'s records, default seed and span). */
    static final class AuditLog {
        private AuditLog() {
        }

        static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
            return new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 20,
                    ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new ByteArraySerializer(),
                    new ByteArraySerializer());
        }
    }

    /** Command-line options. */
    private record Options(long records, int nodes, int partitions, int threads, int referenceRecords,
            int explain) {
        static Options parse(String[] args) {
            long records = 1_000_000;
            int nodes = 10_000;
            int partitions = 4;
            int threads = 2;
            int reference = 10_000;
            int explain = 0;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                try {
                    switch (flag) {
                        case "--records" -> records = Long.parseLong(value);
                        case "--nodes" -> nodes = Integer.parseInt(value);
                        case "--partitions" -> partitions = Integer.parseInt(value);
                        case "--threads" -> threads = Integer.parseInt(value);
                        case "--reference-records" -> reference = Integer.parseInt(value);
                        case "--explain" -> explain = Integer.parseInt(value);
                        default -> throw new IllegalArgumentException("unknown option " + flag);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(flag + ": expected a positive integer, got '" + value + "'");
                }
            }
            if (records < 1000 || nodes < 12 || partitions < 1 || threads < 1 || reference < 1) {
                throw new IllegalArgumentException("--records >= 1000, --nodes >= 12, and --partitions, --threads, "
                        + "--reference-records >= 1");
            }
            return new Options(records, nodes, partitions, threads, reference, explain);
        }
    }
}
