package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.actuator.page.AlertmanagerClient;
import io.haltsupervisor.actuator.page.Pagers;
import io.haltsupervisor.actuator.plan.PageKind;
import io.haltsupervisor.actuator.plan.Step.PageStep;
import io.haltsupervisor.actuator.plan.TargetKind;
import io.haltsupervisor.sandbox.pager.AlertmanagerLauncher;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.Decision;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pages to a real Alertmanager (Debian {@code prometheus-alertmanager}, started on a free loopback port with
 * clustering off). Only page steps are under test: cluster steps are answered "applied" without a cluster.
 */
class AlertmanagerIT {
    private static AlertmanagerLauncher am;
    private static final Instant T = Instant.now().minusSeconds(5);

    private final List<ActionResultRecorded> results = new ArrayList<>();
    /** One per test, shared by its decisions as one actuator's index is. */
    private final ResultsIndex index = new ResultsIndex();
    private ActuatorConfig config;
    private Pagers pagers;

    @BeforeAll
    static void startAlertmanager() {
        Assumptions.assumeTrue(AlertmanagerLauncher.binary().isPresent(), "Alertmanager binary not installed"
                + " (apt-get install prometheus-alertmanager, or set " + AlertmanagerLauncher.BINARY_ENV
                + "): skipping the real-Alertmanager tests");
        am = AlertmanagerLauncher.start();
    }

    @AfterAll
    static void stopAlertmanager() {
        if (am != null) {
            am.close();
        }
    }

    private void run(Decision d) throws InterruptedException {
        config = ActuatorConfig.fromEnv(Map.of("ACTUATOR_ALERTMANAGER_URLS", am.url().toString(),
                "ACTUATOR_ALERTMANAGER_RESEND_INTERVAL", "1s", "ACTUATOR_ALERTMANAGER_ALERT_TTL", "10m",
                "ACTUATOR_RETRY_INITIAL_BACKOFF", "20ms", "ACTUATOR_RETRY_MAX_BACKOFF", "40ms"));
        pagers = new Pagers(config, HttpClient.newHttpClient(), Clock.systemUTC());
        new DecisionRunner(config, index, node -> TargetKind.STATEFULSET, (decision, step) -> step
                instanceof PageStep p ? pagers.execute(p) : StepOutcome.applied("cluster step not under test"),
                new CollectingSink(results), Sleeper.SYSTEM, Clock.systemUTC(), () -> 0.5, StepHook.NONE,
                new ActuatorMetrics(new SimpleMeterRegistry())).run(d);
    }

    private static List<JsonNode> alertsOf(String incident) {
        return am.activeAlerts().stream().filter(a -> incident.equals(a.get("labels").path("incident").asText()))
                .toList();
    }

    private static Decision.MappingAwaited awaitMapping(String incident, String node) {
        return new Decision.MappingAwaited(1, incident + "/await/0", incident, node, T, 70, "v6",
                Decision.WaitReason.ImageMappingMissing, null);
    }

    private static Decision.IncidentResolved resolve(String incident, String node) {
        return new Decision.IncidentResolved(1, incident + "/resolve/0", incident, node, T, 70, "v6", "x", T,
                "running target image");
    }

    @Test
    void anAlertIsActiveAfterTheTriggerAndGoneAfterTheResolve() throws Exception {
        String incident = "sei/rpc-1#1";
        run(awaitMapping(incident, "sei/rpc-1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> alertsOf(incident).stream()
                .anyMatch(a -> "active".equals(a.get("status").get("state").asText())));
        JsonNode alert = alertsOf(incident).get(0);
        JsonNode labels = alert.get("labels");
        assertThat(labels.get("alertname").asText()).isEqualTo("SeidHalted");
        assertThat(labels.get("node").asText()).isEqualTo("sei/rpc-1");
        assertThat(labels.get("namespace").asText()).isEqualTo("sei");
        assertThat(labels.get("reason").asText()).isEqualTo("ImageMappingMissing");
        assertThat(labels.get("plan").asText()).isEqualTo("v6");
        assertThat(labels.get("severity").asText()).isEqualTo("critical");
        assertThat(labels.get("managed_by").asText()).isEqualTo("halt-supervisor");
        assertThat(alert.get("annotations").get("summary").asText()).contains("no image mapping");
        assertThat(Instant.parse(alert.get("endsAt").asText())).isAfter(Instant.now().plus(Duration.ofMinutes(9)));

        run(resolve(incident, "sei/rpc-1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> alertsOf(incident).isEmpty());
        assertThat(results.get(results.size() - 3).step()).isEqualTo("page-resolve:alertmanager");
        assertThat(results.get(results.size() - 3).outcome()).isEqualTo(ActionResultRecorded.Outcome.APPLIED);
    }

    @Test
    void aRepeatedTriggerIsTheSameAlertAndANewReasonReplacesTheOldOne() throws Exception {
        String incident = "sei/rpc-2#1";
        run(awaitMapping(incident, "sei/rpc-2"));
        run(awaitMapping(incident, "sei/rpc-2"));
        assertThat(alertsOf(incident)).hasSize(1);
        run(new Decision.HaltPaged(1, incident + "/page/0", incident, "sei/rpc-2", T, 70, "v6",
                Decision.Severity.critical, Decision.PageReason.NodeOnHold, "halted while on hold"));
        await().atMost(Duration.ofSeconds(10)).until(() -> alertsOf(incident).size() == 1);
        assertThat(alertsOf(incident).get(0).get("labels").get("reason").asText()).isEqualTo("NodeOnHold");
    }

    @Test
    void activeAlertsAreReSentFromAlertmanagersOwnListAndResolvedOnesAreResolvedAgain() throws Exception {
        String mine = "sei/rpc-3#1";
        String others = "other/rpc-9#1";
        String resolved = "sei/rpc-4#1";
        run(awaitMapping(mine, "sei/rpc-3"));
        run(awaitMapping(others, "other/rpc-9"));
        run(awaitMapping(resolved, "sei/rpc-4"));
        Instant firstEnd = Instant.parse(alertsOf(mine).get(0).get("endsAt").asText());
        Instant othersEnd = Instant.parse(alertsOf(others).get(0).get("endsAt").asText());

        AlertmanagerClient client = pagers.alertmanager().orElseThrow();
        AlertmanagerClient.Resent r = client.resend(node -> !node.startsWith("other/"),
                (incident, page) -> incident.equals(resolved) && page.equals(PageKind.HALT.token()));
        assertThat(r.resolved()).isEqualTo(1);
        assertThat(r.skipped()).isGreaterThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> alertsOf(resolved).isEmpty());
        assertThat(Instant.parse(alertsOf(mine).get(0).get("endsAt").asText())).isAfterOrEqualTo(firstEnd);
        assertThat(Instant.parse(alertsOf(others).get(0).get("endsAt").asText()))
                .as("another replica's alert is left to it").isEqualTo(othersEnd);
    }

    @Test
    void resolvingAnIncidentThatTriggeredNoAlertPostsNothing() throws Exception {
        run(resolve("sei/rpc-5#1", "sei/rpc-5"));
        assertThat(results).extracting(ActionResultRecorded::step).containsExactly("condition", "event");
    }

    @Test
    void aResolveEndsOnlyTheAlertsItsIncidentTriggeredAndAnExpiredOneIsAlreadyApplied() throws Exception {
        String incident = "sei/rpc-6#1";
        run(awaitMapping(incident, "sei/rpc-6"));
        await().atMost(Duration.ofSeconds(10)).until(() -> alertsOf(incident).size() == 1);
        // the alert ends in Alertmanager by itself (endsAt passed) before the incident resolves
        JsonNode alert = alertsOf(incident).get(0);
        HttpResponse<String> ended = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                am.url().resolve("/api/v2/alerts")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[{\"labels\":" + alert.get("labels") + ",\"endsAt\":\""
                        + Instant.now().minusSeconds(1) + "\"}]")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> alertsOf(incident).isEmpty());
        results.clear();
        run(resolve(incident, "sei/rpc-6"));
        assertThat(results.get(0).step()).isEqualTo("page-resolve:alertmanager");
        assertThat(results.get(0).outcome()).isEqualTo(ActionResultRecorded.Outcome.ALREADY_APPLIED);
        assertThat(results.get(0).detail()).as("only the halt page was triggered, so only it is looked up")
                .contains("[sei/rpc-6#1]");
    }
}
