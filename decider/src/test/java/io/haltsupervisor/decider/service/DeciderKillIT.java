package io.haltsupervisor.decider.service;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.haltsupervisor.sandbox.kafka.KafkaExtension;
import io.haltsupervisor.sandbox.kafka.TopicContents;
import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.TestFiles;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.sandbox.process.ChildJvm;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once under {@code kill -9}: the decider runs in a child JVM ({@link DeciderChild}, configured from the
 * environment like {@code supervisor decider}) and is killed with SIGKILL again and again while observations
 * flow in, then restarted on the same state directory. The commit interval is raised to 2 s, so most kills land
 * inside an open transaction (the decisions of the last seconds are written but not committed, and must be
 * aborted, then decided again). The decision log read back with {@code read_committed} must hold every decision
 * of a {@link ReferenceFold} of the input exactly once, byte for byte, and nothing else: zero lost, zero
 * duplicated.
 *
 * <p>The child's consumer uses a 6 s session timeout: after a SIGKILL, Kafka waits that long for the dead
 * member before handing its tasks to the restarted one (the decider's default too, {@code DECIDER_SESSION_TIMEOUT};
 * Kafka's client default is 45 s). The children's output is in {@code target/fault-logs/}.
 */
class DeciderKillIT {
    private static final Path LOGS = Path.of("target", "fault-logs");
    /** A broker per test: each decider reads its input topics from the start. */
    @RegisterExtension
    final KafkaExtension kafka = new KafkaExtension();

    @BeforeEach
    void startKafka() {
        kafka.createTopics(4);
    }

    /** The CI subset: 20,000 observations over 2,000 nodes, killed twice. */
    @Test
    void noDecisionIsLostOrDuplicatedWhenTheDeciderIsKilledMidTransaction() throws Exception {
        run(2_000, 10, 2);
    }

    /** docs/requirements.md §7 in full: 100,000 observations over 10,000 nodes, killed five times. */
    @Test
    @Tag("long")
    void aHundredThousandObservationsThroughFiveKillsGiveExactlyTheReferenceDecisions() throws Exception {
        run(10_000, 10, 5);
    }

    private void run(int nodes, int rounds, int kills) throws Exception {
        String app = "kill-it-" + UUID.randomUUID().toString().substring(0, 8);
        Path stateDir = Files.createTempDirectory("decider-kill-it-");
        Path log = LOGS.resolve("DeciderKillIT-" + app + ".log");
        Map<String, String> env = new HashMap<>(ReferenceFold.noTimers());
        env.put(KafkaClientConfig.ENV_BOOTSTRAP, kafka.bootstrapServers());
        env.put("KAFKA_CLIENT_SESSION_TIMEOUT_MS", "6000");
        env.put("KAFKA_CLIENT_HEARTBEAT_INTERVAL_MS", "1500");
        env.put(DeciderConfig.ENV_APPLICATION_ID, app);
        env.put(DeciderConfig.ENV_STATE_DIR, stateDir.toString());
        env.put(DeciderConfig.ENV_COMMIT_INTERVAL, "2s");
        DeciderConfig config = DeciderConfig.fromEnv(env);
        FleetStory story = new FleetStory(nodes, 0, 42);
        ReferenceFold reference = new ReferenceFold(config, FleetStory.MAPPING);
        List<List<FleetStory.Input>> input = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            List<FleetStory.Input> round = story.round(r);
            round.forEach(reference::fold);
            input.add(round);
        }

        int killed = 0;
        ChildJvm decider = null;
        try (KafkaProducer<byte[], byte[]> producer = producer();
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            producer.send(new ProducerRecord<>(Topics.IMAGE_MAPPINGS.name(), null,
                    FleetStory.MAPPING.changedAt().toEpochMilli(), "v6".getBytes(StandardCharsets.UTF_8),
                    Topics.IMAGE_MAPPINGS.valueSerde().serializer().serialize(Topics.IMAGE_MAPPINGS.name(),
                            FleetStory.MAPPING))).get();
            write(producer, input.get(0));
            decider = start(app, 0, env, log);
            // every node task holds the mapping before the first halt (round 1) is written
            awaitCommitted(admin, app, endOffsets(admin, config.controlTopic()), Duration.ofSeconds(120));

            AtomicReference<Exception> writerFailed = new AtomicReference<>();
            AtomicInteger written = new AtomicInteger(1);
            Thread writer = new Thread(() -> {
                try {
                    for (int r = 1; r < rounds; r++) {
                        // the next round only once this one is decided (see FleetStory): kills or not
                        awaitCommitted(admin, app, inputEnds(admin), Duration.ofSeconds(180));
                        write(producer, input.get(r));
                        written.incrementAndGet();
                    }
                } catch (Exception e) {
                    writerFailed.set(e);
                }
            }, "kill-it-writer");
            writer.start();

            Random random = new Random(7);
            for (int k = 1; k <= kills; k++) {
                // spread the kills over the stream: the k-th once k/(kills+1) of the rounds are written
                int due = (int) Math.ceil((double) k * rounds / (kills + 1));
                while (written.get() < due && writer.isAlive()) {
                    Thread.sleep(50);
                }
                Thread.sleep(500 + random.nextInt(2_000));
                decider.kill();
                killed++;
                System.out.printf("DeciderKillIT: SIGKILL %d of %d (pid %d) with %d of %d rounds written%n", k, kills,
                        decider.pid(), written.get(), rounds);
                decider = start(app, k, env, log);
            }
            writer.join();
            assertThat(writerFailed.get()).isNull();

            awaitCommitted(admin, app, inputEnds(admin), Duration.ofSeconds(240));
        } finally {
            if (decider != null) {
                decider.kill();
            }
            TestFiles.deleteTree(stateDir);
        }

        Map<String, List<String>> committed = decisions("read_committed", nodes);
        int uncommitted = decisions("read_uncommitted", nodes).values().stream().mapToInt(List::size).sum();
        Map<String, String> expected = reference.decisions();
        Map<String, Integer> duplicated = new TreeMap<>();
        List<String> differing = new ArrayList<>();
        committed.forEach((id, values) -> {
            if (values.size() > 1) {
                duplicated.put(id, values.size());
            }
            if (expected.containsKey(id) && !values.get(0).equals(expected.get(id))) {
                differing.add(id);
            }
        });
        List<String> lost = expected.keySet().stream().filter(id -> !committed.containsKey(id)).toList();
        List<String> unexpected = committed.keySet().stream().filter(id -> !expected.containsKey(id)).toList();
        System.out.printf("DeciderKillIT: %d nodes, %d observations, %d kills: %d decisions expected, %d committed "
                + "(%d records in the log before aborts), %d lost, %d duplicated, %d unexpected, %d differing%n",
                nodes, nodes * rounds, killed, expected.size(), committed.size(), uncommitted, lost.size(),
                duplicated.size(), unexpected.size(), differing.size());
        assertThat(killed).isEqualTo(kills);
        assertThat(expected).as("a decision log worth checking").hasSizeGreaterThan(nodes / 2);
        assertThat(lost).as("decisions lost").isEmpty();
        assertThat(duplicated).as("decisions duplicated").isEmpty();
        assertThat(unexpected).as("decisions the reference fold does not make").isEmpty();
        assertThat(differing).as("decisions whose bytes differ from the reference").isEmpty();
    }

    private static ChildJvm start(String app, int incarnation, Map<String, String> env, Path log)
            throws InterruptedException {
        ChildJvm child = ChildJvm.start(app + "-" + incarnation, DeciderChild.class, env, List.of(), log);
        child.awaitLine(l -> l.equals("STATE RUNNING"), Duration.ofSeconds(120));
        return child;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 10), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Writes one round and waits until the broker has all of it: a node's next record comes a round later. */
    private static void write(KafkaProducer<byte[], byte[]> producer, List<FleetStory.Input> round) {
        for (FleetStory.Input in : round) {
            producer.send(new ProducerRecord<>(in.topic(), null, in.at().toEpochMilli(), in.key(), in.value()));
        }
        producer.flush();
    }

    private static Map<TopicPartition, Long> inputEnds(Admin admin) throws ExecutionException, InterruptedException {
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (String topic : List.of(Topics.HALT_OBSERVATIONS.name(), Topics.NODE_OBSERVATIONS.name(),
                Topics.OPERATOR_COMMANDS.name())) {
            ends.putAll(endOffsets(admin, topic));
        }
        return ends;
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, String topic)
            throws ExecutionException, InterruptedException {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(specs).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** Waits until the decider's group has committed at least {@code ends} on every partition that has records. */
    static void awaitCommitted(Admin admin, String group, Map<TopicPartition, Long> ends, Duration timeout)
            throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            boolean done = ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                    || committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue());
            if (done) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the decider did not commit " + ends + " within " + timeout + "; committed "
                        + committed);
            }
            Thread.sleep(200);
        }
    }

    /** This run's decisions by id (one entry per record), read from the start with the given isolation level. */
    private Map<String, List<String>> decisions(String isolation, int nodes) {
        Map<String, List<String>> byId = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                Topics.DECISIONS.name(), isolation, TopicContents.DEADLINE)) {
            if (isThisRun(r.key(), nodes)) {
                byId.computeIfAbsent(decisionId(r.value()), i -> new ArrayList<>())
                        .add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return byId;
    }

    static String decisionId(byte[] value) {
        try {
            return io.haltsupervisor.schemas.Json.MAPPER.readTree(value).path("decisionId").asText();
        } catch (java.io.IOException e) {
            return "(unreadable) " + new String(value, StandardCharsets.UTF_8);
        }
    }

    private static boolean isThisRun(byte[] key, int nodes) {
        String node = key == null ? "" : new String(key, StandardCharsets.UTF_8);
        if (!node.startsWith("sei/node-")) {
            return false;
        }
        try {
            return Integer.parseInt(node.substring("sei/node-".length())) < nodes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
