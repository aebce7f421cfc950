package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.service.DeciderService;
import io.haltsupervisor.sandbox.kafka.KafkaFixture;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltCode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code supervisor replay} against a real broker: the live decider (exactly-once) records decisions;
 * the offline replay reproduces them exactly; a what-if mapping and a tampered log are reported as
 * differences with exit 1.
 */
class ReplayIT {
    static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    /** Near now: the live decider's grace-window timers run on the wall clock too (5 min, never reached here). */
    static final Instant T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minusSeconds(60);
    static KafkaFixture.Broker kafka;

    @BeforeAll
    static void recordALiveRun() throws Exception {
        kafka = KafkaFixture.start();
        kafka.createTopics(3);
        DeciderConfig config = DeciderConfig.fromEnv(Map.of("DECIDER_APPLICATION_ID", "replay-it",
                "DECIDER_STATE_DIR", Files.createTempDirectory("replay-it-").toString()));
        try (DeciderService decider = new DeciderService(config, KafkaClientConfig.of(kafka.bootstrapServers()),
                new SimpleMeterRegistry())) {
            decider.start();
            await().atMost(Duration.ofSeconds(60)).until(decider::ready);
            send(Topics.IMAGE_MAPPINGS, "v6", ImageMappingChanged.of("v6", V6, 1_000_000L, "cli:test", T0), T0);
            for (String node : List.of("sei/a", "sei/b", "sei/c")) {
                send(Topics.NODE_OBSERVATIONS, node, PodStateObserved.of(node, T0.plusSeconds(1), node.substring(4) + "-0",
                        "uid-" + node, V5, true, "Running", 0, null, false, false), T0.plusSeconds(1));
            }
            // the decider hands mappings to node tasks through its control topic (one transaction later):
            // let the mapping arrive there before the halts, as it would have in a live run long before
            await().atMost(Duration.ofSeconds(30)).until(() -> count(config.controlTopic()) > 0);
            send(Topics.HALT_OBSERVATIONS, "sei/a", HaltObserved.fromStatus("sei/a",
                    new HaltIntent(70, null, "v6", 1_000_000L, null, T0.plusSeconds(10)), T0.plusSeconds(10), "a-0", V5,
                    999_999L, "v5.9.0"), T0.plusSeconds(10));
            send(Topics.HALT_OBSERVATIONS, "sei/b", HaltObserved.fromExitCode("sei/b", new HaltCode(72),
                    T0.plusSeconds(11), "b-0", "uid-sei/b", "containerd://b1", 0, T0.plusSeconds(11), V5), T0.plusSeconds(11));
            send(Topics.HALT_OBSERVATIONS, "sei/c", HaltObserved.fromExitCode("sei/c", new HaltCode(84),
                    T0.plusSeconds(12), "c-0", "uid-sei/c", "containerd://c1", 0, T0.plusSeconds(12), V5), T0.plusSeconds(12));
            await().atMost(Duration.ofSeconds(60)).until(() -> decisions().size() >= 3);
        }
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @SuppressWarnings("unchecked")
    static <V> void send(Topic<String, V> topic, String key, Object value, Instant at) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(p, topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), null, at.toEpochMilli(), key, (V) value));
        }
    }

    static long count(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var tps = c.partitionsFor(topic).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
            return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    static List<Decision> decisions() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "replay-it-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<Decision> out = new ArrayList<>();
        try (KafkaConsumer<String, Decision> c = new KafkaConsumer<>(p, Topics.DECISIONS.keySerde().deserializer(),
                Topics.DECISIONS.valueSerde().deserializer())) {
            c.subscribe(List.of(Topics.DECISIONS.name()));
            for (int i = 0; i < 6; i++) {
                c.poll(Duration.ofMillis(500)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Supervisor.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void theOfflineReplayReproducesTheLiveDecisionLogExactly() {
        assertThat(decisions()).extracting(Decision::kind)
                .containsExactlyInAnyOrder("upgrade", "quarantine", "page");
        Run r = run("replay", "--bootstrap", kafka.bootstrapServers());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("identical: 3 decisions recorded, 3 replayed");
        assertThat(r.err()).contains("input records (100%)").contains("records/s");
    }

    @Test
    void aWhatIfMappingShowsWhichDecisionsWouldChange() {
        Run r = run("replay", "--mapping", "v6=ghcr.io/sei-protocol/seid:v6.0.2", "--bootstrap",
                kafka.bootstrapServers());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("different: 1 difference(s)").contains("~ differs:")
                .contains("sei/a#1/upgrade/0").contains("seid:v6.0.2");
    }

    @Test
    void aBadMappingOverrideIsAUsageError() {
        Run r = run("replay", "--mapping", "v6", "--bootstrap", kafka.bootstrapServers());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("PLAN=IMAGE");
    }
}
