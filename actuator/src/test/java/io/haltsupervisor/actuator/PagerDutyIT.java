package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.actuator.page.Pagers;
import io.haltsupervisor.actuator.plan.Step.PageStep;
import io.haltsupervisor.actuator.plan.TargetKind;
import io.haltsupervisor.sandbox.pager.PagerDutyReceiver;
import io.haltsupervisor.sandbox.pager.ReceivedRequest;
import io.haltsupervisor.sandbox.pager.WebhookReceiver;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pages to a loopback HTTP server standing in for PagerDuty's Events API v2 endpoint. Only the page steps
 * are under test here: cluster steps are answered "applied" without a cluster ({@code KubeStepsIT} covers
 * them).
 */
class PagerDutyIT {
    private static final String ROUTING_KEY = "R0UTING-KEY-SECRET-42";
    private static final Instant T = Instant.parse("2026-11-20T10:15:00.123456789Z");
    private static final String INCIDENT = "sei/rpc-0#1";

    private final PagerDutyReceiver pd = PagerDutyReceiver.start();
    private final List<ActionResultRecorded> results = new ArrayList<>();

    @AfterEach
    void stop() {
        pd.close();
    }

    /** One per test, shared by its decisions as one actuator's index is. */
    private final ResultsIndex index = new ResultsIndex();

    private List<String> run(Decision d, Map<String, String> extraEnv) throws InterruptedException {
        Map<String, String> env = new HashMap<>(Map.of("ACTUATOR_PAGERDUTY_ROUTING_KEY", ROUTING_KEY,
                "ACTUATOR_PAGERDUTY_URL", pd.url().toString(), "ACTUATOR_RETRY_INITIAL_BACKOFF", "20ms",
                "ACTUATOR_RETRY_MAX_BACKOFF", "40ms"));
        env.putAll(extraEnv);
        ActuatorConfig config = ActuatorConfig.fromEnv(env);
        Pagers pagers = new Pagers(config, HttpClient.newHttpClient(), Clock.systemUTC());
        results.clear();
        new DecisionRunner(config, index, node -> TargetKind.SEINODE, (decision, step) -> step
                instanceof PageStep p ? pagers.execute(p) : StepOutcome.applied("cluster step not under test"),
                new CollectingSink(results), Sleeper.SYSTEM, Clock.systemUTC(), () -> 0.5, StepHook.NONE,
                new ActuatorMetrics(new SimpleMeterRegistry())).run(d);
        return results.stream().map(r -> r.step() + "=" + r.outcome().token() + "@" + r.attempt()).toList();
    }

    private static Decision.MappingAwaited await(String decisionId) {
        return new Decision.MappingAwaited(1, decisionId, INCIDENT, "sei/rpc-0", T, 70, "v6",
                Decision.WaitReason.ImageMappingMissing, "rpc-0-0");
    }

    @Test
    void aTriggerCarriesExactlyTheEventsApiPayload() throws Exception {
        run(await(INCIDENT + "/await/0"), Map.of());
        assertThat(pd.requests()).hasSize(1);
        ReceivedRequest r = pd.requests().get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/v2/enqueue");
        assertThat(r.headers().get("Content-Type")).isEqualTo("application/json");
        assertThat(r.json()).isEqualTo(Json.MAPPER.readTree("""
                {"routing_key": "R0UTING-KEY-SECRET-42",
                 "event_action": "trigger",
                 "dedup_key": "sei/rpc-0#1",
                 "client": "halt-supervisor",
                 "payload": {
                   "summary": "sei/rpc-0: halted for upgrade plan v6 (halt code 70) and no image mapping exists for it: add a mapping for v6",
                   "source": "sei/rpc-0",
                   "severity": "critical",
                   "timestamp": "2026-11-20T10:15:00.123456789Z",
                   "component": "seid",
                   "group": "sei",
                   "class": "ImageMappingMissing",
                   "custom_details": {
                     "decidedAt": "2026-11-20T10:15:00.123456789Z",
                     "decisionId": "sei/rpc-0#1/await/0",
                     "decisionKind": "await-mapping",
                     "halt": "upgrade_required",
                     "incidentId": "sei/rpc-0#1",
                     "node": "sei/rpc-0",
                     "plan": "v6",
                     "pod": "rpc-0-0",
                     "reasonCode": "70",
                     "waitReason": "ImageMappingMissing"
                   }}}"""));
        assertThat(results).allSatisfy(res -> assertThat(res.detail()).doesNotContain(ROUTING_KEY));
    }

    @Test
    void aRepeatedDecisionForTheIncidentSendsTheSameDedupKey() throws Exception {
        run(await(INCIDENT + "/await/0"), Map.of());
        run(await(INCIDENT + "/await/1"), Map.of());
        run(new Decision.HaltPaged(1, INCIDENT + "/page/0", INCIDENT, "sei/rpc-0", T, 70, "v6", Decision.Severity.critical,
                Decision.PageReason.NodeOnHold, "halted while on hold"), Map.of());
        assertThat(pd.events()).extracting(e -> e.get("dedup_key").asText()).containsExactly(INCIDENT, INCIDENT, INCIDENT);
    }

    @Test
    void a429IsRetriedWithBackoffAndEachAttemptRecorded() throws Exception {
        pd.answerNext(429, "{\"status\":\"throttle event\",\"message\":\"Requests for this service are arriving too quickly\"}");
        List<String> outcomes = run(await(INCIDENT + "/await/0"), Map.of());
        assertThat(outcomes).startsWith("page-trigger:pagerduty=failed-retrying@1", "page-trigger:pagerduty=applied@2");
        assertThat(results.get(0).detail()).contains("HTTP 429").contains("retrying in");
        assertThat(pd.requests()).extracting(ReceivedRequest::answeredWith).containsExactly(429, 202);
        assertThat(pd.requests().get(0).body()).isEqualTo(pd.requests().get(1).body());
    }

    @Test
    void serverErrorsAreRetriedThenFailForGoodAndPageThroughTheOtherSinks() throws Exception {
        try (WebhookReceiver webhook = WebhookReceiver.start()) {
            pd.answerNext(503, "", 3);
            List<String> outcomes = run(await(INCIDENT + "/await/0"), Map.of("ACTUATOR_RETRY_MAX_ATTEMPTS", "3",
                    "ACTUATOR_WEBHOOK_URL", webhook.url().toString()));
            assertThat(outcomes).containsSubsequence("page-trigger:pagerduty=failed-retrying@1",
                    "page-trigger:pagerduty=failed-retrying@2", "page-trigger:pagerduty=failed@3",
                    "failure-page-trigger:webhook=applied@1");
            assertThat(webhook.events()).extracting(e -> e.get("dedupKey").asText())
                    .containsExactlyInAnyOrder(INCIDENT, INCIDENT + "/action-failed");
            JsonNode failure = webhook.events().stream()
                    .filter(e -> e.get("dedupKey").asText().endsWith("/action-failed")).findFirst().orElseThrow();
            assertThat(failure.get("severity").asText()).isEqualTo("critical");
            assertThat(failure.get("details").get("failure").asText()).contains("503");
        }
    }

    @Test
    void aRejectedEventIsAPermanentFailureWithoutRetryAndNeverLeaksTheKey() throws Exception {
        pd.answerNext(400, "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":"
                + "[\"bad routing_key R0UTING-KEY-SECRET-42\"]}");
        List<String> outcomes = run(await(INCIDENT + "/await/0"), Map.of());
        assertThat(outcomes).startsWith("page-trigger:pagerduty=failed@1");
        assertThat(pd.requests()).hasSize(1);
        assertThat(results.get(0).detail()).contains("HTTP 400").contains("invalid event")
                .doesNotContain(ROUTING_KEY).contains("[redacted]");
    }

    @Test
    void resolveAndAcknowledgeUseExactlyTheKeysTheIncidentTriggered() throws Exception {
        run(await(INCIDENT + "/await/0"), Map.of());
        run(new Decision.IncidentEscalated(1, INCIDENT + "/escalate/1", INCIDENT, "sei/rpc-0", T, 70, "v6",
                T.minusSeconds(600), "still halted"), Map.of());
        run(new Decision.OperatorCommandApplied(1, INCIDENT + "/operator/c1", INCIDENT, "sei/rpc-0", T, "c1",
                io.haltsupervisor.schemas.OperatorCommandIssued.Command.ACK, "alice", null, false, "acknowledged"),
                Map.of());
        run(new Decision.IncidentResolved(1, INCIDENT + "/resolve/3", INCIDENT, "sei/rpc-0", T, 70, "v6",
                "ghcr.io/sei-protocol/seid:v6.0.1", T.minusSeconds(60), "running target image"), Map.of());
        assertThat(pd.events()).extracting(e -> e.get("event_action").asText() + " " + e.get("dedup_key").asText())
                .as("the never-triggered action-failed key is neither acknowledged nor resolved")
                .containsExactly("trigger sei/rpc-0#1", "trigger sei/rpc-0#1/escalation",
                        "acknowledge sei/rpc-0#1", "acknowledge sei/rpc-0#1/escalation",
                        "resolve sei/rpc-0#1", "resolve sei/rpc-0#1/escalation");
        assertThat(pd.events().subList(2, 6)).allSatisfy(e -> assertThat(e.has("payload")).isFalse());
    }

    @Test
    void anIncidentThatTriggeredNothingIsNeitherAcknowledgedNorResolved() throws Exception {
        run(new Decision.OperatorCommandApplied(1, INCIDENT + "/operator/c1", INCIDENT, "sei/rpc-0", T, "c1",
                io.haltsupervisor.schemas.OperatorCommandIssued.Command.ACK, "alice", null, false, "acknowledged"),
                Map.of());
        assertThat(results).extracting(ActionResultRecorded::step).containsExactly("event");
        run(new Decision.IncidentResolved(1, INCIDENT + "/resolve/0", INCIDENT, "sei/rpc-0", T, 70, "v6",
                "ghcr.io/sei-protocol/seid:v6.0.1", T.minusSeconds(60), "running target image"), Map.of());
        assertThat(results).extracting(ActionResultRecorded::step).containsExactly("condition", "event");
        assertThat(pd.requests()).isEmpty();
    }

    @Test
    void dryRunSendsNoPage() throws Exception {
        run(await(INCIDENT + "/await/0"), Map.of("ACTUATOR_DRY_RUN", "true"));
        assertThat(pd.requests()).isEmpty();
        assertThat(results).extracting(r -> r.outcome().token()).containsOnly("dry-run");
    }
}
