package io.haltsupervisor.decider.service;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.TestFiles;
import io.haltsupervisor.decider.streams.DeciderTopology;

import static io.haltsupervisor.decider.Events.IMG5;
import static io.haltsupervisor.decider.Events.exitHalt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.haltsupervisor.sandbox.kafka.KafkaFixture;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Interactive queries across two decider instances of one application sharing the partitions:
 * {@code /nodes/…} is answered for every node by either instance (forwarded to the owner over HTTP),
 * {@code /incidents} gathers every instance's open incidents.
 */
class DeciderQueriesIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(45);
    private static final List<String> NODES = IntStream.range(0, 8).mapToObj(i -> "sei/q-" + i).toList();
    private static KafkaFixture.Broker kafka;
    private static final List<Instance> instances = new ArrayList<>();

    private record Instance(DeciderService service, HttpServer http, Path stateDir) {
        int port() {
            return http.getAddress().getPort();
        }
    }

    @BeforeAll
    static void start() throws IOException {
        kafka = KafkaFixture.start();
        kafka.createTopics(3);
        String applicationId = "decider-iq-" + System.nanoTime();
        for (int i = 0; i < 2; i++) {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            Path stateDir = Files.createTempDirectory("decider-iq-" + i + "-");
            DeciderConfig config = DeciderConfig.fromEnv(Map.of(
                    DeciderConfig.ENV_APPLICATION_ID, applicationId,
                    DeciderConfig.ENV_GRACE_WINDOW, "1h",
                    DeciderConfig.ENV_STATE_DIR, stateDir.toString(),
                    DeciderConfig.ENV_HTTP_ADVERTISED, "127.0.0.1:" + http.getAddress().getPort()));
            DeciderService service = new DeciderService(config, KafkaClientConfig.of(kafka.bootstrapServers()),
                    new SimpleMeterRegistry());
            service.httpHandlers().forEach(http::createContext);
            http.start();
            service.start();
            instances.add(new Instance(service, http, stateDir));
        }
        await().atMost(TIMEOUT).until(() -> instances.stream().allMatch(i -> i.service().ready()
                && hasActiveTasks(i.service().streams().orElseThrow())));
    }

    private static boolean hasActiveTasks(KafkaStreams streams) {
        return streams.metadataForLocalThreads().stream().anyMatch(t -> !t.activeTasks().isEmpty());
    }

    @AfterAll
    static void stop() {
        for (Instance i : instances) {
            i.service().close();
            i.http().stop(0);
            TestFiles.deleteTree(i.stateDir());
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void eitherInstanceAnswersForEveryNodeAndListsEveryOpenIncident() throws Exception {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (KafkaIo io = new KafkaIo(kafka.bootstrapServers())) {
            for (String node : NODES) {
                io.send(Topics.HALT_OBSERVATIONS, node, exitHalt(node, 84, "uid", "containerd://x", 1, t0, IMG5),
                        t0.plusSeconds(1));
            }
            List<Decision> decisions = io.readCommitted(Topics.DECISIONS, TIMEOUT, d -> d.size() >= NODES.size());
            assertThat(decisions).extracting(Decision::kind).containsOnly("page");
        }

        // the owners of the nodes' partitions, as Streams' metadata tells
        KafkaStreams first = instances.get(0).service().streams().orElseThrow();
        Set<Integer> ownerPorts = NODES.stream().map(node -> first.queryMetadataForKey(
                DeciderTopology.NODE_STATE_STORE, node, Serdes.String().serializer()))
                .map(KeyQueryMetadata::activeHost).map(h -> h.port()).collect(Collectors.toSet());
        assertThat(ownerPorts).as("both instances own some nodes, so forwarding is exercised")
                .containsExactlyInAnyOrder(instances.get(0).port(), instances.get(1).port());

        for (Instance asked : instances) {
            for (String node : NODES) {
                JsonNode view = get(asked, "/nodes/" + node, 200);
                assertThat(view.get("nodeId").asText()).isEqualTo(node);
                assertThat(view.get("openIncident").get("incidentId").asText()).isEqualTo(node + "#1");
                assertThat(view.get("openIncident").get("reasonCode").asInt()).isEqualTo(84);
            }
            JsonNode all = get(asked, "/incidents", 200);
            assertThat(all.get("incidents")).extracting(n -> n.get("nodeId").asText())
                    .containsExactlyElementsOf(NODES);
            assertThat(all.get("unreachable")).isEmpty();
        }

        // local answers hold only what each instance owns, and together cover every node
        List<String> local0 = nodeIds(get(instances.get(0), "/incidents?local=true", 200));
        List<String> local1 = nodeIds(get(instances.get(1), "/incidents?local=true", 200));
        assertThat(local0).isNotEmpty().doesNotContainAnyElementsOf(local1);
        assertThat(local1).isNotEmpty();
        assertThat(local0.size() + local1.size()).isEqualTo(NODES.size());
    }

    private static List<String> nodeIds(JsonNode view) {
        List<String> out = new ArrayList<>();
        view.get("incidents").forEach(n -> out.add(n.get("nodeId").asText()));
        return out;
    }

    private static JsonNode get(Instance instance, String path, int expectedStatus) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + instance.port() + path);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(expectedStatus);
        return Json.MAPPER.readTree(response.body());
    }
}
