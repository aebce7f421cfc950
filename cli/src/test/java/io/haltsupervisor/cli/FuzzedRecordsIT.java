package io.haltsupervisor.cli;

import io.haltsupervisor.sandbox.kafka.TopicContents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haltsupervisor.actuator.ActuatorConfig;
import io.haltsupervisor.actuator.ActuatorService;
import io.haltsupervisor.actuator.plan.Step;
import io.haltsupervisor.actuator.plan.StepPlanner;
import io.haltsupervisor.actuator.plan.TargetKind;
import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.service.DeciderService;
import io.haltsupervisor.decider.replay.DeciderReplay;
import io.haltsupervisor.sandbox.kafka.KafkaExtension;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.kube.KubeApiExtension;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltCode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.Partitioning;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * Fuzzing at the record level, every consumer: {@link BadRecords} pushes at least 10,000 bad records into each input
 * topic of the decider and into {@code seid.decisions.v1} for the actuator, interleaved with a fleet's good records
 * (and the decider's own decisions), on a real broker; then the read-only CLI commands run over the same topics.
 * Asserted, with the count of each: no component stops; every bad record, and nothing else, is dead-lettered once
 * (by the decider, or by the actuator for the decisions topic); the decision log is byte for byte the one the good
 * records alone give (each good record decided exactly once); every decision is acted on once per step; and
 * {@code replay}, {@code incidents} and {@code timeline} report each bad record they meet, with its position, and
 * skip it — the replay still reproduces the decision log. The seed is printed; set {@code -Dfuzz.seed=N} to rerun
 * one.
 */
class FuzzedRecordsIT {
    static final String IMG5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    static final String IMG6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    static final String IMG9 = "ghcr.io/sei-protocol/seid:v9.0.0";
    private static final int PARTITIONS = 4;
    private static final int NODES = 160;
    private static final int ROUNDS = 4;
    private static final String APP = "fuzz-it";
    private static final String ACTUATOR_GROUP = "fuzz-it-actuator";
    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    /** An hour ago: wall-clock grace timers (a week) cannot fire; the actuator acts on decisions under a day old. */
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(3600);
    private static final List<Topic<String, ?>> DECIDER_INPUTS = List.of(Topics.HALT_OBSERVATIONS,
            Topics.NODE_OBSERVATIONS, Topics.IMAGE_MAPPINGS, Topics.OPERATOR_COMMANDS);
    private static final Pattern SKIPPED = Pattern.compile(": skipped ([a-z0-9.\\-]+)\\[(\\d+)\\]@(\\d+)");

    /** A written record: where it is, its key, and (for good ones) its bytes. */
    private record Written(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
            int size, BadRecords.Kind kind) {
        String position() {
            return topic + "-" + partition + "@" + offset;
        }

        String keyText() {
            return key == null ? null : new String(key, StandardCharsets.UTF_8);
        }
    }

    @RegisterExtension
    final KafkaExtension kafka = new KafkaExtension();
    @RegisterExtension
    final KubeApiExtension kube = new KubeApiExtension();

    @Test
    void noBadRecordStopsOrSplitsThePipelineAndEveryGoodRecordIsDecidedOnce() throws Exception {
        fuzz(Integer.getInteger("fuzz.bad", 10_000));
    }

    @Test
    @Tag("long")
    void aHundredThousandBadRecordsPerTopicChangeNothing() throws Exception {
        fuzz(100_000);
    }

    private void fuzz(int badPerTopic) throws Exception {
        long seed = Long.getLong("fuzz.seed", new Random().nextLong());
        System.out.printf("FuzzedRecordsIT: seed %d (rerun with -Dfuzz.seed=%d), %d bad records per topic%n", seed,
                seed, badPerTopic);
        Path stateDir = Files.createTempDirectory("fuzz-it-");
        // segments of a gigabyte: the image-mapping topic is compacted, and the cleaner would remove superseded
        // bad mappings before the CLI reads them (Kafka doing its job, but this test counts every bad record)
        kafka.createTopic(Topics.IMAGE_MAPPINGS.name(), PARTITIONS, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.SEGMENT_BYTES_CONFIG, "1073741824"));
        kafka.createTopics(PARTITIONS);
        String bootstrap = kafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            int maxMessageBytes = maxMessageBytes(admin);
            run(new Env(bootstrap, admin, stateDir, kube.api(), maxMessageBytes), seed, badPerTopic);
        } finally {
            deleteTree(stateDir);
        }
    }

    private record Env(String bootstrap, Admin admin, Path stateDir, InMemoryKubernetes kube, int maxMessageBytes) {
    }

    private void run(Env env, long seed, int badPerTopic) throws Exception {
        List<String> nodes = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            nodes.add("sei/fuzz-" + n);
        }
        BadRecords bad = new BadRecords(seed, nodes, PARTITIONS, env.maxMessageBytes(), T0);
        List<Written> good = new ArrayList<>();
        List<Written> poison = new ArrayList<>();
        DeciderConfig deciderConfig = DeciderConfig.fromEnv(Map.of(DeciderConfig.ENV_APPLICATION_ID, APP,
                DeciderConfig.ENV_STATE_DIR, env.stateDir().toString(),
                DeciderConfig.ENV_GRACE_WINDOW, Duration.ofDays(7).toMinutes() + "m"));
        ActuatorConfig actuatorConfig = ActuatorConfig.fromEnv(Map.of(ActuatorConfig.GROUP_ID, ACTUATOR_GROUP,
                ActuatorConfig.INSTANCE, "fuzz-0", ActuatorConfig.DRY_RUN, "true",
                // a page sink, so pages are planned (dry-run: recorded, never sent)
                ActuatorConfig.WEBHOOK_URL, "http://127.0.0.1:9/never-called"));
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrap(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, env.maxMessageBytes(),
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024), new ByteArraySerializer(),
                new ByteArraySerializer());
                DeciderService decider = new DeciderService(deciderConfig, KafkaClientConfig.of(env.bootstrap()),
                        new SimpleMeterRegistry());
                ActuatorService actuator = new ActuatorService(actuatorConfig, KafkaClientConfig.of(env.bootstrap()),
                        new SimpleMeterRegistry(), env.kube().client())) {
            decider.start();
            actuator.start();
            await().atMost(TIMEOUT).until(() -> decider.ready() && actuator.ready());

            // the v6 mapping first, and through the decider's control topic to every node task
            good.add(write(producer, Topics.IMAGE_MAPPINGS, "v6", ImageMappingChanged.of("v6", IMG6, 151_000_000L,
                    "cli:fuzz", T0.minusSeconds(600)), T0.minusSeconds(600), List.of()));
            awaitCommitted(env.admin(), APP, List.of(Topics.IMAGE_MAPPINGS.name()));
            await().atMost(TIMEOUT).until(() -> count(env.bootstrap(), deciderConfig.controlTopic()) >= PARTITIONS);

            Random order = new Random(seed);
            for (int round = 0; round < ROUNDS; round++) {
                long from = T0.plusSeconds(60L * round).toEpochMilli();
                long to = from + 5L * NODES;
                List<Object[]> batch = new ArrayList<>();
                goodRound(round, nodes).forEach(g -> batch.add(g));
                for (Topic<String, ?> topic : inputsAndDecisions()) {
                    for (int i = 0; i < badPerTopic / ROUNDS; i++) {
                        batch.add(new Object[] {bad.next(topic, from, to)});
                    }
                }
                Collections.shuffle(batch, order);
                // good records in their own order (a node's records decided in order), bad ones anywhere between
                List<Object[]> goods = batch.stream().filter(b -> b.length > 1).sorted(
                        Comparator.comparingLong(b -> ((Instant) b[3]).toEpochMilli())).toList();
                int g = 0;
                List<Future<RecordMetadata>> futures = new ArrayList<>();
                List<Object> sent = new ArrayList<>();
                for (Object[] b : batch) {
                    Object[] next = b.length > 1 ? goods.get(g++) : b;
                    if (next.length > 1) {
                        futures.add(send(producer, (String) next[0], null, ((String) next[1]).getBytes(
                                StandardCharsets.UTF_8), (byte[]) next[2], ((Instant) next[3]).toEpochMilli(),
                                bad.headers()));
                    } else {
                        BadRecords.Bad r = (BadRecords.Bad) next[0];
                        futures.add(send(producer, r.topic(), r.partition(), r.key(), r.value(), from
                                + order.nextInt((int) (to - from)), r.headers()));
                    }
                    sent.add(next.length > 1 ? next : next[0]);
                }
                producer.flush();
                for (int i = 0; i < futures.size(); i++) {
                    RecordMetadata m = futures.get(i).get();
                    Object s = sent.get(i);
                    if (s instanceof BadRecords.Bad r) {
                        // the value's size only: the test keeps tens of thousands of these
                        poison.add(new Written(m.topic(), m.partition(), m.offset(), m.timestamp(), r.key(),
                                r.value() == null ? null : new byte[0], r.value() == null ? -1 : r.value().length,
                                r.kind()));
                    } else {
                        Object[] o = (Object[]) s;
                        good.add(new Written(m.topic(), m.partition(), m.offset(), m.timestamp(),
                                ((String) o[1]).getBytes(StandardCharsets.UTF_8), (byte[]) o[2],
                                o[2] == null ? -1 : ((byte[]) o[2]).length, null));
                    }
                }
                // the next round only once this one is decided, so a node's records are decided in timestamp order
                awaitCommitted(env.admin(), APP, DECIDER_INPUTS.stream().map(Topic::name).toList());
                System.out.printf("FuzzedRecordsIT: round %d written and decided after %d s%n", round,
                        Duration.ofNanos(System.nanoTime() - start).toSeconds());
            }

            // what the good records alone decide, replayed offline in the order a live decider merges them
            Map<String, byte[]> expected = expectedDecisions(deciderConfig, good);
            await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() ->
                    decisions(env.bootstrap()).size() >= expected.size());
            awaitCommitted(env.admin(), ACTUATOR_GROUP, afterLastRecord(env.bootstrap(), Topics.DECISIONS.name()));
            awaitCommitted(env.admin(), APP, DECIDER_INPUTS.stream().map(Topic::name).toList());

            // 1. nothing stopped
            assertThat(decider.failure()).as("decider").isEmpty();
            assertThat(decider.streams().orElseThrow().state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(actuator.failure()).as("actuator").isEmpty();
            assertThat(actuator.ready()).isTrue();

            // 2. every bad record, and nothing else, dead-lettered once, by the component that reads its topic
            Map<String, DeadLetterRecorded> letters = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : read(env.bootstrap(), Topics.DEAD_LETTERS.name())) {
                assertThat(r.value().length).isLessThanOrEqualTo(DeadLetterRecorded.BUDGET_BYTES);
                DeadLetterRecorded d = Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                assertThat(letters.put(d.sourceTopic() + "-" + d.partition() + "@" + d.offset(), d))
                        .as("dead-lettered once: %s", d).isNull();
                assertThat(d.component()).isEqualTo(d.sourceTopic().equals(Topics.DECISIONS.name()) ? "actuator"
                        : "decider");
            }
            Set<String> poisonPositions = new HashSet<>();
            poison.forEach(p -> poisonPositions.add(p.position()));
            List<String> notDeadLettered = poison.stream().filter(p -> !letters.containsKey(p.position()))
                    .map(p -> p.position() + " " + p.kind() + " key " + p.keyText() + " (" + p.size() + " bytes)")
                    .limit(20).toList();
            List<String> unexpected = letters.values().stream().filter(d -> !poisonPositions.contains(
                    d.sourceTopic() + "-" + d.partition() + "@" + d.offset())).map(DeadLetterRecorded::toString)
                    .limit(20).toList();
            assertThat(notDeadLettered).as("bad records not dead-lettered (first 20)").isEmpty();
            assertThat(unexpected).as("dead letters of good records (first 20)").isEmpty();
            assertThat(letters).hasSameSizeAs(poison);
            for (Written p : poison) {
                DeadLetterRecorded d = letters.get(p.position());
                if (p.kind() == BadRecords.Kind.MISROUTED) {
                    assertThat(d.category()).as("%s", d).isEqualTo(DeadLetterRecorded.Category.MISROUTED);
                } else if (p.kind() == BadRecords.Kind.OVERSIZED_JSON) {
                    assertThat(d.category()).as("%s", d).isEqualTo(DeadLetterRecorded.Category.OVERSIZED);
                }
                assertThat(d.valueSize()).isEqualTo(p.size() < 0 ? null : p.size());
            }

            // 3. every good record decided exactly once: the log is the good records' own, byte for byte
            Map<String, byte[]> decided = new LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : decisions(env.bootstrap())) {
                assertThat(decided.put(ReplayCommand.decisionId(r.value()), r.value())).as("decided once").isNull();
            }
            assertThat(decided.keySet()).isEqualTo(expected.keySet());
            expected.forEach((id, bytes) -> assertThat(new String(decided.get(id), StandardCharsets.UTF_8)).as(id)
                    .isEqualTo(new String(bytes, StandardCharsets.UTF_8)));

            // 4. every decision acted on, each step once, and nothing else
            Map<String, Integer> finals = new HashMap<>();
            Set<String> actedOn = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : read(env.bootstrap(), Topics.ACTION_RESULTS.name())) {
                ActionResultRecorded a = Topics.ACTION_RESULTS.valueSerde().deserializer().deserialize(r.topic(),
                        r.value());
                actedOn.add(a.decisionId());
                if (a.outcome() != ActionResultRecorded.Outcome.FAILED_RETRYING) {
                    finals.merge(a.decisionId() + " " + a.step(), 1, Integer::sum);
                }
            }
            Set<String> plannedSteps = new HashSet<>();
            Set<String> withSteps = new HashSet<>();
            for (byte[] bytes : expected.values()) {
                Decision d = Topics.DECISIONS.valueSerde().deserializer().deserialize(Topics.DECISIONS.name(), bytes);
                for (Step step : StepPlanner.plan(d, TargetKind.MISSING, actuatorConfig.pagerSinks()).steps()) {
                    plannedSteps.add(d.decisionId() + " " + step.name());
                    withSteps.add(d.decisionId());
                }
            }
            assertThat(actedOn).as("decisions acted on").isEqualTo(withSteps);
            assertThat(finals.keySet()).as("steps with a final result").isEqualTo(plannedSteps);
            assertThat(finals.values()).as("one final result per step").allMatch(n -> n == 1);

            // 5. the read-only CLI over the same topics: each bad record it meets reported with its position, skipped
            Set<String> badInputs = new HashSet<>();
            Set<String> badDecisions = new HashSet<>();
            for (Written p : poison) {
                (p.topic().equals(Topics.DECISIONS.name()) ? badDecisions : badInputs).add(p.position());
            }
            Run replay = cli("replay", "--bootstrap", env.bootstrap(), "--grace-window",
                    Duration.ofDays(7).toMinutes() + "m");
            assertThat(replay.exit()).as(tail(replay.out())).isZero();
            assertThat(replay.out()).contains("identical: " + expected.size() + " decisions recorded, "
                    + expected.size() + " replayed");
            Set<String> replaySkipped = skipped(replay.err());
            Set<String> allBad = new HashSet<>(badInputs);
            allBad.addAll(badDecisions);
            Map<String, String> kindOf = new HashMap<>();
            poison.forEach(p -> kindOf.put(p.position(), p.kind() + " key " + p.keyText() + " " + p.size() + "B"));
            String summary = replay.err().lines().filter(l -> !l.contains(": skipped ")).limit(8).toList() + " "
                    + allBad.stream().filter(b -> !replaySkipped.contains(b)).limit(10).map(b -> b + " " + kindOf.get(b))
                    .toList();
            assertSameRecords(replaySkipped, allBad, "replay's skipped records " + summary, replay.err());

            Run incidents = cli("incidents", "--bootstrap", env.bootstrap());
            assertThat(incidents.exit()).as(incidents.err()).isZero();
            assertSameRecords(skipped(incidents.err()), badDecisions, "incidents' skipped records", incidents.err());

            for (String node : List.of(nodes.get(0), nodes.get(1), nodes.get(NODES - 1))) {
                Run timeline = cli("timeline", node, "--bootstrap", env.bootstrap());
                assertThat(timeline.exit()).as(timeline.err()).isZero();
                int home = Partitioning.partitionOf(node, PARTITIONS);
                Set<String> expectedSkips = new HashSet<>();
                for (Written p : poison) {
                    if (node.equals(p.keyText()) && p.partition() == home
                            && !p.topic().equals(Topics.IMAGE_MAPPINGS.name())) {
                        expectedSkips.add(p.position());
                    }
                }
                assertSameRecords(skipped(timeline.err()), expectedSkips, "timeline " + node, timeline.err());
                long goodOfNode = good.stream().filter(w -> node.equals(w.keyText())).count();
                assertThat(timeline.out().lines().count()).as("timeline %s lines", node)
                        .isGreaterThanOrEqualTo(goodOfNode + expectedSkips.size());
            }

            Map<BadRecords.Kind, Integer> kinds = new java.util.EnumMap<>(BadRecords.Kind.class);
            poison.forEach(p -> kinds.merge(p.kind(), 1, Integer::sum));
            System.out.printf("FuzzedRecordsIT: seed %d: %d good records, %d bad records %s, %d dead letters, "
                    + "%d decisions (%d expected), %d steps acted on once; replay skipped %d, incidents %d; %d s%n",
                    seed, good.size(), poison.size(), kinds, letters.size(), decided.size(), expected.size(),
                    finals.size(), replaySkipped.size(), badDecisions.size(),
                    Duration.ofNanos(System.nanoTime() - start).toSeconds());
            for (Topic<String, ?> topic : inputsAndDecisions()) {
                assertThat(poison.stream().filter(p -> p.topic().equals(topic.name())).count()).as(topic.name())
                        .isGreaterThanOrEqualTo(badPerTopic);
            }
            assertThat(kinds).as("every kind of bad record").hasSize(BadRecords.Kind.values().length);
        }
    }

    private static List<Topic<String, ?>> inputsAndDecisions() {
        List<Topic<String, ?>> all = new ArrayList<>(DECIDER_INPUTS);
        all.add(Topics.DECISIONS);
        return all;
    }

    /**
     * The fleet's good records of a round: {topic, key, value bytes, timestamp}. A quarter halt for v6 (mapped) and
     * upgrade, then recover on v6; a quarter halt with reserved code 84, are paged, and are acknowledged; a quarter
     * halt for v9, wait for its mapping, and are upgraded when it arrives in the last round; a quarter stay healthy.
     */
    private static List<Object[]> goodRound(int round, List<String> nodes) {
        List<Object[]> out = new ArrayList<>();
        Instant base = T0.plusSeconds(60L * round);
        for (int n = 0; n < nodes.size(); n++) {
            String node = nodes.get(n);
            Instant at = base.plusMillis(5L * n);
            String pod = "fuzz-" + n + "-0";
            int group = n % 4;
            Object[] r;
            if (round == 0 || group == 3) {
                r = value(Topics.NODE_OBSERVATIONS, node, round == 0 ? PodStateObserved.of(node, at, pod, "uid-" + n,
                        IMG5, true, "Running", 0, null, false, false) : NodeStatusObserved.of(node, at,
                        NodeStatusObserved.Change.HEARTBEAT, 150_999_000L + round, "v5.9.0", false, pod), at);
            } else if (group == 0 && round == 3) {
                r = value(Topics.NODE_OBSERVATIONS, node, PodStateObserved.of(node, at, pod, "uid-" + n + "-b", IMG6,
                        true, "Running", 0, null, false, false), at);
            } else if (group == 0) {
                r = value(Topics.HALT_OBSERVATIONS, node, HaltObserved.fromStatus(node, new HaltIntent(70, null, "v6",
                        151_000_000L, null, T0.plusSeconds(50)), at, pod, IMG5, 150_999_999L, "v5.9.0"), at);
            } else if (group == 1 && round == 3) {
                r = value(Topics.OPERATOR_COMMANDS, node, OperatorCommandIssued.forNode("ack-" + n, node,
                        OperatorCommandIssued.Command.ACK, "oncall", "looking", at), at);
            } else if (group == 1) {
                r = value(Topics.HALT_OBSERVATIONS, node, HaltObserved.fromExitCode(node, new HaltCode(84), at, pod,
                        "uid-" + n, "containerd://" + n, round - 1, at.minusSeconds(1), IMG5), at);
            } else if (round == 3) {
                continue; // group 2 waits for v9, whose mapping comes in this round
            } else {
                r = value(Topics.HALT_OBSERVATIONS, node, HaltObserved.fromStatus(node, new HaltIntent(70, null, "v9",
                        190_000_000L, null, T0.plusSeconds(50)), at, pod, IMG5, 189_999_999L, "v5.9.0"), at);
            }
            out.add(r);
        }
        if (round == 3) {
            Instant at = base.plusMillis(5L * nodes.size());
            out.add(value(Topics.IMAGE_MAPPINGS, "v9", ImageMappingChanged.of("v9", IMG9, 190_000_000L, "cli:fuzz",
                    at), at));
            out.add(new Object[] {Topics.IMAGE_MAPPINGS.name(), "spare", null, at.plusMillis(1)}); // removes nothing
        }
        if (round == 1) {
            Instant at = base.minusSeconds(1);
            out.add(value(Topics.IMAGE_MAPPINGS, "spare", ImageMappingChanged.of("spare", IMG6, null, "cli:fuzz", at),
                    at));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <V> Object[] value(Topic<String, V> topic, String key, Object value, Instant at) {
        return new Object[] {topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), (V) value), at};
    }

    private static <V> Written write(KafkaProducer<byte[], byte[]> producer, Topic<String, V> topic, String key,
            V value, Instant at, List<org.apache.kafka.common.header.Header> headers) throws Exception {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] v = topic.valueSerde().serializer().serialize(topic.name(), value);
        RecordMetadata m = send(producer, topic.name(), null, k, v, at.toEpochMilli(), headers).get();
        return new Written(m.topic(), m.partition(), m.offset(), m.timestamp(), k, v, v.length, null);
    }

    private static Future<RecordMetadata> send(KafkaProducer<byte[], byte[]> producer, String topic, Integer partition,
            byte[] key, byte[] value, long timestamp, List<org.apache.kafka.common.header.Header> headers) {
        return producer.send(new ProducerRecord<>(topic, partition, timestamp, key, value, headers));
    }

    /** The decisions the good records alone make, replayed offline, by decision id. */
    private static Map<String, byte[]> expectedDecisions(DeciderConfig config, List<Written> good) {
        List<Written> sorted = new ArrayList<>(good);
        List<String> topicOrder = Topics.ALL.stream().map(Topic::name).toList();
        sorted.sort(Comparator.comparingLong(Written::timestamp).thenComparing(w -> topicOrder.indexOf(w.topic()))
                .thenComparingInt(Written::partition).thenComparingLong(Written::offset));
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (DeciderReplay replay = new DeciderReplay(config)) {
            for (Written w : sorted) {
                for (DeciderReplay.Output o : replay.feed(w.topic(), w.key(), w.value(), Instant.ofEpochMilli(
                        w.timestamp()))) {
                    out.put(ReplayCommand.decisionId(o.value()), o.value());
                }
            }
            assertThat(replay.deadLetters()).as("good records dead-lettered by the replay").isZero();
        }
        return out;
    }

    private static int maxMessageBytes(Admin admin) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.HALT_OBSERVATIONS.name());
        return Integer.parseInt(admin.describeConfigs(List.of(topic)).all().get().get(topic)
                .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
    }

    /** Waits until {@code group} has committed every partition of the (non-transactional) topics up to their end. */
    private static void awaitCommitted(Admin admin, String group, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (String t : topics) {
            for (int p = 0; p < PARTITIONS; p++) {
                specs.put(new TopicPartition(t, p), OffsetSpec.latest());
            }
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(specs).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        awaitCommitted(admin, group, ends);
    }

    /**
     * One past the last committed record of each partition: where a consumer that processed everything commits
     * (a topic written in transactions ends with a commit marker, which no consumer commits past).
     */
    private static Map<TopicPartition, Long> afterLastRecord(String bootstrap, String topic) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : read(bootstrap, topic)) {
            ends.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
        }
        return ends;
    }

    private static void awaitCommitted(Admin admin, String group, Map<TopicPartition, Long> ends) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            return ends.entrySet().stream().allMatch(e -> e.getValue() == 0 || committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() >= e.getValue());
        });
    }

    private static List<ConsumerRecord<byte[], byte[]>> decisions(String bootstrap) {
        return read(bootstrap, Topics.DECISIONS.name()).stream().filter(r -> {
            try {
                return Topics.DECISIONS.valueSerde().deserializer().deserialize(r.topic(), r.value()) != null
                        && isGoodDecision(r);
            } catch (RuntimeException e) {
                return false;
            }
        }).toList();
    }

    /** A decision record the decider wrote (the fuzz's valid-bodied bad decisions are all for a "#fuzz" incident). */
    private static boolean isGoodDecision(ConsumerRecord<byte[], byte[]> r) {
        return !new String(r.value(), StandardCharsets.UTF_8).contains("#fuzz");
    }

    private static long count(String bootstrap, String topic) {
        return read(bootstrap, topic).size();
    }

    /** Everything committed on {@code topic} so far. */
    private static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic) {
        return TopicContents.committed(bootstrap, topic);
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Supervisor.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    /** The positions a command reported as skipped ({@code …: skipped TOPIC[P]@O …}), each once. */
    private static Set<String> skipped(String err) {
        Set<String> out = new HashSet<>();
        Matcher m = SKIPPED.matcher(err);
        while (m.find()) {
            assertThat(out.add(m.group(1) + "-" + m.group(2) + "@" + m.group(3))).as("reported once: %s", m.group())
                    .isTrue();
        }
        return out;
    }

    /** The two sets of positions are equal; else the first differences, with the lines that name them. */
    private static void assertSameRecords(Set<String> actual, Set<String> expected, String what, String output) {
        List<String> missing = expected.stream().filter(p -> !actual.contains(p)).sorted().limit(10).toList();
        List<String> extra = actual.stream().filter(p -> !expected.contains(p)).sorted().limit(10).toList();
        List<String> lines = output.lines().filter(l -> extra.stream().anyMatch(x -> l.contains(
                x.substring(0, x.lastIndexOf('-')) + "[" + x.substring(x.lastIndexOf('-') + 1).replace("@", "]@"))))
                .limit(10).toList();
        assertThat(missing).as("%s: not reported (of %d expected, %d reported); first lines: %s", what,
                expected.size(), actual.size(), output.lines().limit(5).toList()).isEmpty();
        assertThat(extra).as("%s: reported, not bad: %s", what, lines).isEmpty();
    }

    private static String tail(String text) {
        return text.length() < 4000 ? text : text.substring(text.length() - 4000);
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
