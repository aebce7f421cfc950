package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.service.DeciderService;
import io.haltsupervisor.sandbox.kafka.EmbeddedKafka;
import io.haltsupervisor.schemas.HaltCode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The backup and restore of docs/operations.md, run as written there: a live decider's run exported with
 * {@code kcat -C -J}, restored into a fresh cluster with {@code supervisor restore}, replays to the same decision
 * log; the same export re-produced with {@code kcat -P} (its default partitioner, CRC32, and the restore's own
 * record times) does not, and the misrouted records are reported with their positions.
 */
class BackupRestoreIT {
    private static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    private static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    private static final int PARTITIONS = 4;
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(120);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** A week: no grace window ends during the run, by the wall clock or by record time. */
    private static final String GRACE = Duration.ofDays(7).toMinutes() + "m";
    private static final List<Topic<?, ?>> EXPORTED = List.of(Topics.HALT_OBSERVATIONS, Topics.NODE_OBSERVATIONS,
            Topics.IMAGE_MAPPINGS, Topics.OPERATOR_COMMANDS, Topics.DECISIONS);

    @TempDir
    Path dir;

    @Test
    void aKcatExportRestoredIntoAFreshClusterReplaysToTheSameDecisionLog() throws Exception {
        List<Path> export = new ArrayList<>();
        int decisions;
        try (EmbeddedKafka original = new EmbeddedKafka().start()) {
            original.createTopics(PARTITIONS);
            decisions = liveRun(original.bootstrapServers());
            for (Topic<?, ?> topic : EXPORTED) {
                Path file = dir.resolve(topic.name() + ".jsonl");
                // as in docs/operations.md, "Backup of the audit log"
                List<String> kcat = new ArrayList<>(List.of("kcat", "-b", original.bootstrapServers(), "-C", "-t",
                        topic.name(), "-o", "beginning", "-e", "-J", "-q"));
                if (topic == Topics.DECISIONS) {
                    kcat.addAll(List.of("-X", "isolation.level=read_committed"));
                }
                run(kcat, null, file);
                export.add(file);
            }
        }
        assertThat(Files.readAllLines(export.get(EXPORTED.indexOf(Topics.DECISIONS)))).hasSize(decisions);

        try (EmbeddedKafka fresh = new EmbeddedKafka().start()) {
            fresh.createTopics(PARTITIONS);
            List<String> args = new ArrayList<>(List.of("restore"));
            export.forEach(p -> args.add(p.toString()));
            args.addAll(List.of("--bootstrap", fresh.bootstrapServers()));
            Cli restore = cli(args.toArray(String[]::new));
            assertThat(restore.exit()).as(restore.err()).isZero();
            assertThat(restore.out()).contains("each to its exported partition");

            Cli replay = cli("replay", "--bootstrap", fresh.bootstrapServers(), "--grace-window", GRACE);
            assertThat(replay.exit()).as(replay.out() + replay.err()).isZero();
            assertThat(replay.out()).contains("identical: " + decisions + " decisions recorded, " + decisions
                    + " replayed");
            assertThat(replay.err()).doesNotContain("skipped");
        }

        // the wrong way: kcat -P with its default partitioner (key TAB value lines)
        try (EmbeddedKafka kcatRestored = new EmbeddedKafka().start()) {
            kcatRestored.createTopics(PARTITIONS);
            for (int i = 0; i < EXPORTED.size(); i++) {
                Path lines = dir.resolve(EXPORTED.get(i).name() + ".tsv");
                List<String> keyed = new ArrayList<>();
                for (String line : Files.readAllLines(export.get(i))) {
                    JsonNode n = Json.MAPPER.readTree(line);
                    keyed.add(n.get("key").asText() + "\t" + n.get("payload").asText());
                }
                Files.write(lines, keyed);
                run(List.of("kcat", "-b", kcatRestored.bootstrapServers(), "-P", "-t", EXPORTED.get(i).name(),
                        "-K", "\t", "-l", lines.toString()), null, null);
            }
            Cli replay = cli("replay", "--bootstrap", kcatRestored.bootstrapServers(), "--grace-window", GRACE);
            assertThat(replay.exit()).as("a kcat -P restore does not reproduce the log").isEqualTo(1);
            assertThat(replay.err()).contains("replay: skipped").contains("misrouted")
                    .contains("kcat -X partitioner=murmur2_random");
        }
    }

    /** A small live run: a mapping, pods, halts of every kind, an operator's ack. Returns the decisions made. */
    private int liveRun(String bootstrap) throws Exception {
        DeciderConfig config = DeciderConfig.fromEnv(Map.of(DeciderConfig.ENV_APPLICATION_ID, "backup-it",
                DeciderConfig.ENV_STATE_DIR, Files.createDirectories(dir.resolve("state")).toString(),
                DeciderConfig.ENV_GRACE_WINDOW, GRACE));
        try (DeciderService decider = new DeciderService(config, KafkaClientConfig.of(bootstrap),
                new SimpleMeterRegistry());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                        "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            decider.start();
            await().atMost(TIMEOUT).until(decider::ready);
            send(producer, Topics.IMAGE_MAPPINGS, "v6", ImageMappingChanged.of("v6", V6, 1_000_000L, "cli:test", T0), T0);
            await().atMost(TIMEOUT).until(() -> count(bootstrap, config.controlTopic()) >= PARTITIONS);
            List<String> nodes = new ArrayList<>();
            for (int n = 0; n < 24; n++) {
                nodes.add("sei/backup-" + n);
            }
            for (int n = 0; n < nodes.size(); n++) {
                String node = nodes.get(n);
                Instant at = T0.plusSeconds(1).plusMillis(10L * n);
                send(producer, Topics.NODE_OBSERVATIONS, node, PodStateObserved.of(node, at, "p-" + n, "uid-" + n, V5,
                        true, "Running", 0, null, false, false), at);
            }
            for (int n = 0; n < nodes.size(); n++) {
                String node = nodes.get(n);
                Instant at = T0.plusSeconds(10).plusMillis(10L * n);
                HaltObserved halt = switch (n % 3) {
                    case 0 -> HaltObserved.fromStatus(node, new HaltIntent(70, null, "v6", 1_000_000L, null, at), at,
                            "p-" + n, V5, 999_999L, "v5.9.0");
                    case 1 -> HaltObserved.fromExitCode(node, new HaltCode(84), at, "p-" + n, "uid-" + n,
                            "containerd://" + n, 0, at, V5);
                    default -> HaltObserved.fromStatus(node, new HaltIntent(70, null, "v7", 2_000_000L, null, at), at,
                            "p-" + n, V5, 1_999_999L, "v5.9.0");
                };
                send(producer, Topics.HALT_OBSERVATIONS, node, halt, at);
            }
            for (int n = 1; n < nodes.size(); n += 3) {
                Instant at = T0.plusSeconds(20).plusMillis(10L * n);
                send(producer, Topics.OPERATOR_COMMANDS, nodes.get(n), OperatorCommandIssued.forNode("ack-" + n,
                        nodes.get(n), OperatorCommandIssued.Command.ACK, "oncall", "looking", at), at);
            }
            producer.flush();
            int expected = nodes.size() + nodes.size() / 3; // one decision per halt, one per ack
            await().atMost(TIMEOUT).until(() -> count(bootstrap, Topics.DECISIONS.name()) >= expected);
            return (int) count(bootstrap, Topics.DECISIONS.name());
        }
    }

    @SuppressWarnings("unchecked")
    private static <V> void send(KafkaProducer<byte[], byte[]> producer, Topic<String, V> topic, String key,
            Object value, Instant at) {
        producer.send(new ProducerRecord<>(topic.name(), null, at.toEpochMilli(), key.getBytes(StandardCharsets.UTF_8),
                topic.valueSerde().serializer().serialize(topic.name(), (V) value)));
    }

    /** Committed records on the topic. */
    private static long count(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long n = 0;
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                n += c.poll(Duration.ofMillis(200)).count();
            }
            return n;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static void run(List<String> command, Path stdin, Path stdout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        if (stdout != null) {
            pb.redirectOutput(stdout.toFile());
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + command.get(0) + " (CI installs kcat: see .ci/run)", e);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(p.exitValue()).as("%s exit code", command).isZero();
    }

    private record Cli(int exit, String out, String err) {
    }

    private static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Supervisor.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Cli(cl.execute(args), out.toString(), err.toString());
    }
}
