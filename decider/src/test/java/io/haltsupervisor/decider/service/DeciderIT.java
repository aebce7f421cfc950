package io.haltsupervisor.decider.service;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.TestFiles;
import io.haltsupervisor.decider.core.ControlEvent;

import static io.haltsupervisor.decider.Events.IMG5;
import static io.haltsupervisor.decider.Events.IMG6;
import static io.haltsupervisor.decider.Events.IMG7;
import static io.haltsupervisor.decider.Events.V6_HEIGHT;
import static io.haltsupervisor.decider.Events.command;
import static io.haltsupervisor.decider.Events.exitHalt;
import static io.haltsupervisor.decider.Events.mapping;
import static io.haltsupervisor.decider.Events.podNotReady;
import static io.haltsupervisor.decider.Events.podReady;
import static io.haltsupervisor.decider.Events.statusHalt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.haltsupervisor.sandbox.kafka.KafkaFixture;
import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.JsonSerde;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decider on a real broker (the sandbox's embedded KRaft broker, or Testcontainers / an external
 * cluster per {@link KafkaFixture}) with exactly-once v2: a multi-node scenario, decisions read with
 * {@code read_committed}, a poison record dead-lettered, and the query handlers of one instance.
 */
public class DeciderIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(45);
    private static KafkaFixture.Broker kafka;
    private static DeciderService service;
    private static HttpServer http;
    private static KafkaIo io;
    private static SimpleMeterRegistry registry;
    private static Path stateDir;
    private static DeciderConfig config;

    @BeforeAll
    static void start() throws IOException {
        kafka = KafkaFixture.start();
        kafka.createTopics(3);
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        stateDir = Files.createTempDirectory("decider-it-");
        config = DeciderConfig.fromEnv(Map.of(
                DeciderConfig.ENV_APPLICATION_ID, "decider-it-" + System.nanoTime(),
                DeciderConfig.ENV_GRACE_WINDOW, "1h",
                DeciderConfig.ENV_STATE_DIR, stateDir.toString(),
                DeciderConfig.ENV_HTTP_ADVERTISED, "127.0.0.1:" + http.getAddress().getPort()));
        registry = new SimpleMeterRegistry();
        service = new DeciderService(config, KafkaClientConfig.of(kafka.bootstrapServers()), registry);
        service.httpHandlers().forEach(http::createContext);
        http.start();
        service.start();
        io = new KafkaIo(kafka.bootstrapServers());
        await().atMost(TIMEOUT).until(service::ready);
    }

    @AfterAll
    static void stop() {
        if (io != null) {
            io.close();
        }
        if (service != null) {
            service.close();
            service.close();
            assertThat(service.healthy()).isFalse();
        }
        if (http != null) {
            http.stop(0);
        }
        if (kafka != null) {
            kafka.close();
        }
        TestFiles.deleteTree(stateDir);
    }

    @Test
    void decidesAMultiNodeScenarioExactlyOnceAndServesItsState() throws Exception {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        io.send(Topics.IMAGE_MAPPINGS, "v6", mapping("v6", IMG6, V6_HEIGHT, t0), t0);
        // a mapping reaches the node tasks one transaction later, through the control topic (broadcast to its
        // 3 partitions); a halt decided before that would await the mapping first (see package-info)
        io.readCommitted(new Topic<>(config.controlTopic(), Serdes.String(), JsonSerde.of(ControlEvent.class), true,
                null), TIMEOUT, c -> c.size() >= 3);
        // a: 70 for v6 (mapped) seen by status, repeated, then by exit code
        io.send(Topics.NODE_OBSERVATIONS, "sei/a", podReady("sei/a", "uid-a", IMG5, 0, t0.plusSeconds(1)),
                t0.plusSeconds(1));
        for (int poll = 0; poll < 3; poll++) {
            io.send(Topics.HALT_OBSERVATIONS, "sei/a",
                    statusHalt("sei/a", 70, "v6", V6_HEIGHT, t0.plusSeconds(1), IMG5, t0.plusSeconds(2 + poll)),
                    t0.plusSeconds(2 + poll));
        }
        io.send(Topics.HALT_OBSERVATIONS, "sei/a", exitHalt("sei/a", 70, "uid-a", "containerd://a1", 1,
                t0.plusSeconds(5), IMG5), t0.plusSeconds(6));
        // b: 70 for v7, not mapped yet
        io.send(Topics.NODE_OBSERVATIONS, "sei/b", podReady("sei/b", "uid-b", IMG5, 0, t0.plusSeconds(1)),
                t0.plusSeconds(1));
        io.send(Topics.HALT_OBSERVATIONS, "sei/b",
                statusHalt("sei/b", 70, "v7", 160_000_000L, t0.plusSeconds(3), IMG5, t0.plusSeconds(4)),
                t0.plusSeconds(4));
        // c: 71 after running IMG5 healthy; crash-looping
        io.send(Topics.NODE_OBSERVATIONS, "sei/c", podReady("sei/c", "uid-c", IMG5, 0, t0.plusSeconds(1)),
                t0.plusSeconds(1));
        io.send(Topics.NODE_OBSERVATIONS, "sei/c", podNotReady("sei/c", "uid-c2", IMG6, 0, t0.plusSeconds(2)),
                t0.plusSeconds(2));
        for (int restart = 1; restart <= 3; restart++) {
            io.send(Topics.HALT_OBSERVATIONS, "sei/c", exitHalt("sei/c", 71, "uid-c2", "containerd://c" + restart,
                    restart, t0.plusSeconds(3 + restart), IMG6), t0.plusSeconds(4 + restart));
        }
        // d: 72
        io.send(Topics.HALT_OBSERVATIONS, "sei/d", exitHalt("sei/d", 72, "uid-d", "containerd://d1", 1,
                t0.plusSeconds(5), IMG5), t0.plusSeconds(6));
        // poison
        io.sendRaw(Topics.HALT_OBSERVATIONS, "sei/e".getBytes(StandardCharsets.UTF_8),
                "{\"schemaVersion\":1,\"nodeId\":\"sei/e\",\"source\":\"status\",\"reasonCode\":99}"
                        .getBytes(StandardCharsets.UTF_8), t0.plusSeconds(7));

        List<Decision> first = io.readCommitted(Topics.DECISIONS, TIMEOUT, d -> d.size() >= 4);
        assertThat(first).extracting(Decision::decisionId).containsExactlyInAnyOrder(
                "sei/a#1/upgrade/0", "sei/b#1/await-mapping/0", "sei/c#1/rollback/0", "sei/d#1/quarantine/0");
        Decision.RollbackDecided rb = (Decision.RollbackDecided) first.stream()
                .filter(d -> d.nodeId().equals("sei/c")).findFirst().orElseThrow();
        assertThat(rb.targetImage()).isEqualTo(IMG5);
        assertThat(rb.tooNewImage()).isEqualTo(IMG6);

        // the mapping for v7 arrives; a runs its target image healthy; d is acknowledged
        io.send(Topics.IMAGE_MAPPINGS, "v7", mapping("v7", IMG7, 160_000_000L, t0.plusSeconds(20)),
                t0.plusSeconds(20));
        io.send(Topics.NODE_OBSERVATIONS, "sei/a", podReady("sei/a", "uid-a2", IMG6, 0, t0.plusSeconds(21)),
                t0.plusSeconds(21));
        io.send(Topics.OPERATOR_COMMANDS, "sei/d", command("ack-1", "sei/d", Command.ACK, t0.plusSeconds(22)),
                t0.plusSeconds(22));
        List<Decision> all = io.readCommitted(Topics.DECISIONS, TIMEOUT, d -> d.size() >= 7);

        // a sentinel decided after everything else: nothing more than expected came out before it
        io.send(Topics.OPERATOR_COMMANDS, "sei/z", command("sentinel", "sei/z", Command.ACK, t0.plusSeconds(30)),
                t0.plusSeconds(30));
        all = io.readCommitted(Topics.DECISIONS, TIMEOUT,
                d -> d.stream().anyMatch(x -> x.decisionId().equals("sei/z#none/operator/sentinel")));
        assertThat(all).extracting(Decision::decisionId).containsExactlyInAnyOrder(
                "sei/a#1/upgrade/0", "sei/b#1/await-mapping/0", "sei/c#1/rollback/0", "sei/d#1/quarantine/0",
                "sei/b#1/upgrade/1", "sei/a#1/resolve/1", "sei/d#1/operator/ack-1", "sei/z#none/operator/sentinel");

        List<DeadLetterRecorded> letters = io.readCommitted(Topics.DEAD_LETTERS, TIMEOUT, l -> !l.isEmpty());
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).sourceTopic()).isEqualTo(Topics.HALT_OBSERVATIONS.name());
        assertThat(letters.get(0).error()).contains("malformed HaltObserved");
        assertThat(letters.get(0).offset()).isGreaterThanOrEqualTo(0);

        // metrics: ours and Kafka Streams' own
        assertThat(registry.find("halt_supervisor.decider.decisions").counters()).extracting(c -> c.count())
                .satisfies(counts -> assertThat(counts.stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(8));
        assertThat(registry.get("halt_supervisor.decider.dead.letters").tag("topic", Topics.HALT_OBSERVATIONS.name())
                .counter().count()).isEqualTo(letters.stream()
                        .filter(l -> l.sourceTopic().equals(Topics.HALT_OBSERVATIONS.name())).count());
        assertThat(registry.get("halt_supervisor.decider.dead.letters").tag("topic", Topics.OPERATOR_COMMANDS.name())
                .counter().count()).as("registered at 0 before any dead letter from that topic").isZero();
        assertThat(registry.getMeters()).anyMatch(m -> m.getId().getName().startsWith("kafka.stream"));

        // interactive queries
        JsonNode b = getJson("/nodes/sei/b", 200);
        assertThat(b.get("status").asText()).isEqualTo("incident");
        assertThat(b.get("openIncident").get("incidentId").asText()).isEqualTo("sei/b#1");
        assertThat(b.get("openIncident").get("phase").asText()).isEqualTo("UPGRADING");
        assertThat(b.get("openIncident").get("targetImage").asText()).isEqualTo(IMG7);
        assertThat(getJson("/nodes/sei/a", 200).get("status").asText()).isEqualTo("healthy");
        assertThat(getJson("/nodes/sei/nobody", 404).get("error").asText()).contains("sei/nobody");
        assertThat(getJson("/nodes/only-one-part", 400).get("error").asText()).contains("/nodes/{namespace}/{name}");

        JsonNode incidents = getJson("/incidents", 200);
        assertThat(incidents.get("incidents")).extracting(n -> n.get("incidentId").asText())
                .containsExactly("sei/b#1", "sei/c#1", "sei/d#1");
        assertThat(incidents.get("unreachable")).isEmpty();
        assertThat(service.healthy()).isTrue();
    }

    private static JsonNode getJson(String path, int expectedStatus) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + path);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(expectedStatus);
        return Json.MAPPER.readTree(response.body());
    }
}
