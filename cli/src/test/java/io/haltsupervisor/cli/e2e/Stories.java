package io.haltsupervisor.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.PodStateObserved;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Waiting for a story to reach a point, on the topics the supervisor writes: shared by the scenario classes. */
final class Stories {
    private final E2eStack stack;

    Stories(E2eStack stack) {
        this.stack = stack;
    }

    /** Waits for the decision with this (deterministic) id to be committed on the decision topic. */
    <T extends Decision> T decision(String decisionId, Class<T> type) {
        String nodeId = decisionId.substring(0, decisionId.indexOf('#'));
        Optional<Decision> found = await("decision " + decisionId).atMost(E2eStack.PATIENCE)
                .until(() -> stack.topics.decisions(nodeId).stream()
                        .filter(d -> d.decisionId().equals(decisionId)).findFirst(), Optional::isPresent);
        assertThat(found.get()).as("decision %s", decisionId).isInstanceOf(type);
        stack.topics.awaitCaughtUp(); // so that what led to it (observations) can be asserted at once
        return type.cast(found.get());
    }

    /**
     * The steps of a resolve decision: the incident's pages resolved in both pagers (Alertmanager has nothing to
     * resolve when the incident never paged), the condition and the event.
     */
    static Map<String, String> resolveSteps(boolean paged) {
        // a resolve goes only to the pages its incident triggered: an incident that paged no one resolves none
        return paged ? Map.of("page-resolve:alertmanager", "applied", "page-resolve:pagerduty", "applied",
                "condition", "applied", "event", "applied") : Map.of("condition", "applied", "event", "applied");
    }

    /** Waits for the first decision of {@code type} about the node (when its id is not known in advance). */
    <T extends Decision> T firstDecision(String nodeId, Class<T> type) {
        return type.cast(await(type.getSimpleName() + " about " + nodeId).atMost(E2eStack.PATIENCE)
                .until(() -> stack.topics.decisions(nodeId).stream().filter(type::isInstance).findFirst(),
                        Optional::isPresent).get());
    }

    /**
     * Waits until every step of {@code expected} has a final outcome recorded for the decision, then asserts the
     * decision's steps and outcomes are exactly these (a failure page, a retried step that failed, a skipped
     * step that was recorded anyway would all show).
     */
    Map<String, String> outcomes(Decision decision, Map<String, String> expected) {
        await("action results of " + decision.decisionId()).atMost(E2eStack.PATIENCE)
                .until(() -> stack.topics.finalOutcomes(decision).keySet().containsAll(expected.keySet()));
        Map<String, String> actual = stack.topics.finalOutcomes(decision);
        assertThat(actual).as("final outcome per step of %s", decision.decisionId()).isEqualTo(expected);
        return actual;
    }

    /**
     * {@link #outcomes} for an image plan on a SeiNode whose old pod either its controller replaces ({@code delete-pod}
     * already-applied, "left to the controller" or "already replaced") or the actuator does, because the controller's
     * active plan already ran its replace-pod ({@code applied}) — which one depends on whether the controller's
     * plan to the previous spec had finished when the actuator looked. Returns the delete-pod outcome.
     */
    String outcomesWithOldPod(Decision decision, Map<String, String> others) {
        Map<String, String> expected = new java.util.HashMap<>(others);
        expected.put("delete-pod", "?");
        await("action results of " + decision.decisionId()).atMost(E2eStack.PATIENCE)
                .until(() -> stack.topics.finalOutcomes(decision).keySet().containsAll(expected.keySet()));
        Map<String, String> actual = new java.util.HashMap<>(stack.topics.finalOutcomes(decision));
        String pod = actual.remove("delete-pod");
        assertThat(actual).as("final outcome per step of %s", decision.decisionId()).isEqualTo(others);
        assertThat(pod).as("delete-pod of %s", decision.decisionId()).isIn("applied", "already-applied");
        String detail = stack.topics.results(decision).stream().filter(r -> r.step().equals("delete-pod"))
                .filter(r -> r.outcome().isFinal()).map(r -> r.detail()).findFirst().orElseThrow();
        if (pod.equals("already-applied")) {
            assertThat(detail).containsAnyOf("left to the controller", "already replaced", "is gone");
        } else {
            assertThat(detail).startsWith("deleted pod ");
        }
        return pod;
    }

    /** The step names of the decision's final results, in the order the actuator recorded them. */
    List<String> stepOrder(Decision decision) {
        return List.copyOf(stack.topics.finalOutcomes(decision).keySet());
    }

    /** Waits until the pod watcher published the node ready on {@code image} (the decider then knows it ran it). */
    PodStateObserved healthyOn(String nodeId, String image) {
        return await(nodeId + " observed ready on " + image).atMost(E2eStack.PATIENCE)
                .until(() -> stack.topics.podStates(nodeId).stream()
                        .filter(p -> p.ready() && !p.deleted() && image.equals(p.image())).findFirst(),
                        Optional::isPresent).get();
    }

    /** {@code event_action} of each PagerDuty event with this dedup key, in order. */
    List<String> pagerDutyActions(String dedupKey) {
        return stack.pagerDutyEvents(dedupKey).stream().map(e -> e.path("event_action").asText()).toList();
    }

    /** The one active Alertmanager alert of the incident (waits for it). */
    JsonNode activeAlert(String incidentId) {
        List<JsonNode> alerts = await("an active Alertmanager alert for " + incidentId).atMost(E2eStack.PATIENCE)
                .until(() -> stack.activeAlertsOfIncident(incidentId), a -> !a.isEmpty());
        assertThat(alerts).as("active alerts of %s", incidentId).hasSize(1);
        return alerts.get(0);
    }

    /** Waits until Alertmanager holds no active alert about the node. */
    void noActiveAlert(String nodeId) {
        await("no active Alertmanager alert about " + nodeId).atMost(E2eStack.PATIENCE)
                .until(() -> stack.activeAlerts(nodeId).isEmpty());
    }

    /** An alert's labels as a map. */
    static Map<String, String> labels(JsonNode alert) {
        Map<String, String> labels = new TreeMap<>();
        alert.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }
}
