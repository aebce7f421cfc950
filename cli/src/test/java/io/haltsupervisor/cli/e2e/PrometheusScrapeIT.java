package io.haltsupervisor.cli.e2e;

import static io.haltsupervisor.cli.e2e.Chain.V5;
import static io.haltsupervisor.cli.e2e.Chain.V6;
import static io.haltsupervisor.cli.e2e.Chain.V6_HEIGHT;
import static io.haltsupervisor.cli.e2e.Chain.V7;
import static io.haltsupervisor.cli.e2e.Chain.V7_HEIGHT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.cli.OpsServer;
import io.haltsupervisor.cli.monitoring.Monitoring;
import io.haltsupervisor.cli.monitoring.PrometheusServer;
import io.haltsupervisor.sandbox.fleet.NodeSpec;
import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The supervisor watched by a real Prometheus (Debian {@code prometheus}): the e2e stack ({@link E2eStack}: embedded
 * broker, in-memory Kubernetes, simulated fleet, loopback PagerDuty, real Alertmanager) with its meters in a
 * Prometheus registry served on {@code /metrics} by the {@link OpsServer} the components commands use, scraped
 * every second by Prometheus on loopback, which evaluates the real rules file every second. Checked: every metric
 * the alert rules and the dashboard name is in the real scrape (and in Prometheus), every dashboard query returns
 * data, and a poison record on an input topic fires {@code HaltSupervisorDeadLetters} — which was not firing
 * before. Skipped with a message where the prometheus binary is missing.
 */
class PrometheusScrapeIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void prometheusScrapesEveryMetricTheRulesAndDashboardUseAndAPoisonRecordFiresTheDeadLetterAlert()
            throws Exception {
        Assumptions.assumeTrue(PrometheusServer.binary().isPresent(), "prometheus not installed (apt-get install "
                + "prometheus): the alert rules and the dashboard were not checked against a real scrape");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (E2eStack stack = E2eStack.start("monitoring", Map.of("v6", Chain.mapping(V6, V6_HEIGHT)),
                Map.of(), registry);
             OpsServer ops = new OpsServer(new InetSocketAddress("127.0.0.1", 0), registry, stack.components::healthy,
                     stack.components::ready).start();
             PrometheusServer prometheus = PrometheusServer.start(ops.url(), List.of(Monitoring.rulesFile()))) {
            await("Prometheus scrapes the supervisor").atMost(PATIENCE).until(() -> prometheus
                    .query("up{job=\"halt-supervisor\"} == 1").size() == 1);
            // then a fleet with something to show, while Prometheus watches: a healthy node, an upgrade, and a halt
            // waiting for its mapping (paged)
            SimulatedFleet fleet = stack.fleet(Chain.model());
            fleet.add(NodeSpec.seiNode("watched-healthy", V5, 500_000, 0));
            fleet.add(NodeSpec.seiNode("watched-upgrade", V5, V6_HEIGHT - 20, 0));
            String awaiting = fleet.add(NodeSpec.seiNode("watched-await", V6, V7_HEIGHT - 20, 1)).nodeId();
            await("the waiting node paged").atMost(PATIENCE).until(() -> !stack.pagerDutyTriggersAbout(awaiting).isEmpty());

            // every metric the rules and the dashboard name exists in the real scrape, and Prometheus stored it
            Set<String> used = Monitoring.metricNamesUsed();
            Set<String> scraped = scrapedNames(ops.url());
            assertThat(scraped).as("metric names in the supervisor's /metrics").containsAll(used);
            await("Prometheus holds every metric the rules and dashboard use").atMost(PATIENCE)
                    .untilAsserted(() -> assertThat(prometheus.metricNames()).containsAll(used));

            // rates need a change Prometheus saw: once it holds the steps' timers, the awaited mapping arrives and the
            // waiting node is upgraded (more steps: condition, event, …)
            await("Prometheus holds the actuator's step timers").atMost(PATIENCE).until(() -> !prometheus
                    .query("halt_supervisor_actuator_step_duration_seconds_count{step=\"condition\"}").isEmpty());
            await("the waiting node's open incident counted").atMost(PATIENCE).until(() -> values(prometheus
                    .query("sum(halt_supervisor_decider_open_incidents)")).stream().anyMatch(v -> v >= 1));
            stack.cluster.putMapping(E2eStack.MAPPING_CONFIGMAP, "v7", Chain.mapping(V7, V7_HEIGHT));
            await("the waiting node resolved").atMost(PATIENCE).until(() -> stack.topics.decisions(awaiting).stream()
                    .anyMatch(d -> d instanceof Decision.IncidentResolved));

            // every dashboard query returns data: at least one series with a number
            await("every dashboard query returns data").atMost(PATIENCE).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        for (Monitoring.Query q : Monitoring.dashboardQueries()) {
                            JsonNode result = prometheus.query(q.expr());
                            assertThat(result).as("panel '%s': %s", q.panel(), q.expr()).isNotEmpty();
                            assertThat(values(result)).as("panel '%s': %s returns a number", q.panel(), q.expr())
                                    .anyMatch(v -> !Double.isNaN(v));
                        }
                    });


            // a poison record on an input topic: the decider dead-letters it and the real rule fires
            assertThat(alerts(prometheus, "HaltSupervisorDeadLetters")).as("no dead-letter alert before").isEmpty();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                    stack.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.HALT_OBSERVATIONS.name(), "sei/poisoned",
                        "{not json".getBytes(StandardCharsets.UTF_8))).get();
            }
            JsonNode alert = await("HaltSupervisorDeadLetters firing").atMost(PATIENCE)
                    .until(() -> alerts(prometheus, "HaltSupervisorDeadLetters").stream()
                            .filter(a -> "firing".equals(a.path("state").asText())).findFirst(),
                            java.util.Optional::isPresent).get();
            assertThat(alert.path("labels").path("topic").asText()).isEqualTo(Topics.HALT_OBSERVATIONS.name());
            assertThat(alert.path("labels").path("severity").asText()).isEqualTo("warning");
            assertThat(alert.path("annotations").path("description").asText())
                    .contains(Topics.HALT_OBSERVATIONS.name()).contains("seid.dead-letters.v1");
            stack.topics.awaitCaughtUp();
            assertThat(stack.topics.entries(Topics.DEAD_LETTERS)).extracting(e -> (DeadLetterRecorded) e.value())
                    .extracting(DeadLetterRecorded::sourceTopic).containsExactly(Topics.HALT_OBSERVATIONS.name());
            stack.stopFleets();
        }
    }

    private static List<JsonNode> alerts(PrometheusServer prometheus, String name) {
        return prometheus.alerts().stream().filter(a -> name.equals(a.path("labels").path("alertname").asText()))
                .toList();
    }

    /** The sample values of an instant query's result vector. */
    private static List<Double> values(JsonNode result) {
        List<Double> out = new java.util.ArrayList<>();
        for (JsonNode series : result) {
            String v = series.path("value").get(1).asText();
            out.add(switch (v) {
                case "NaN" -> Double.NaN;
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(v);
            });
        }
        return out;
    }

    /** The metric names of a Prometheus text exposition. */
    private static Set<String> scrapedNames(URI base) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Set<String> names = new TreeSet<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }
}
