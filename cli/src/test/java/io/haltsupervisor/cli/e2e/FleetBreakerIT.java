package io.haltsupervisor.cli.e2e;

import static io.haltsupervisor.cli.e2e.Chain.V5;
import static io.haltsupervisor.cli.e2e.Chain.V6;
import static io.haltsupervisor.cli.e2e.Chain.V6_HEIGHT;
import static io.haltsupervisor.cli.e2e.E2eStack.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.decider.core.ControlEvent;
import io.haltsupervisor.decider.streams.DeciderTopology;
import io.haltsupervisor.sandbox.fleet.NodeSpec;
import io.haltsupervisor.sandbox.fleet.NodeSpec.Workload;
import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import io.haltsupervisor.sandbox.fleet.SimulatedNode;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Decision.FleetHoldDecided;
import io.haltsupervisor.schemas.Decision.FleetReleased;
import io.haltsupervisor.schemas.Decision.HaltPaged;
import io.haltsupervisor.schemas.Decision.RollbackDecided;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scenario 11, the fleet circuit breaker (its own stack: {@code DECIDER_BREAKER_THRESHOLD=3}, so the fourth node
 * to hit 71/72 within the window opens it).
 *
 * <p>What is promised, and so asserted (decider package doc): the breaker emits one {@code fleet-hold} decision,
 * paged once; the hold reaches the node tasks one round trip after the trip that opened it, so decisions made in
 * that window — here all four tripping nodes' own rollbacks, each decided before its trip is even sent — are not
 * held. Once the hold has reached the tasks, a node that hits 71 is paged ({@code FleetHoldActive}) instead of
 * rolled back. The test waits for that point on the decider's own state (the {@code decider-fleet-view} store of
 * every node task) instead of guessing a delay. {@code release --fleet} resolves the fleet page; the incident paged
 * during the hold stays with its human until {@code retry NODE}, which — the release having reached the tasks —
 * rolls it back.
 */
class FleetBreakerIT {
    @RegisterExtension
    static final E2eExtension E2E = E2eExtension.stack("breaker").mapping("v6", Chain.mapping(V6, V6_HEIGHT))
            .env("DECIDER_BREAKER_THRESHOLD", "3").env("DECIDER_BREAKER_WINDOW", "10m");
    static E2eStack stack;
    static Stories stories;

    @Test
    @DisplayName("11. Fleet breaker: 4 nodes hit 71 → one fleet hold, one page; automatic rollbacks stop")
    void opensTheFleetBreakerOnceAndStopsAutomaticRollbacks() {
        SimulatedFleet fleet = stack.fleet(Chain.model());
        List<SimulatedNode> nodes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            nodes.add(fleet.add(NodeSpec.seiNode("breaker-" + i, V5, 500_000, 0)));
        }
        nodes.forEach(n -> stories.healthyOn(n.nodeId(), V5));

        // a bad rollout: four nodes get a binary too new for the chain
        List<SimulatedNode> tripping = nodes.subList(0, 4);
        tripping.forEach(n -> stack.cluster.shipImage(fleet, n.name(), Workload.SEINODE, V6));
        FleetHoldDecided hold = stories.decision(Topics.FLEET_KEY + "#1/fleet-hold", FleetHoldDecided.class);
        assertThat(hold.nodes()).containsExactlyInAnyOrderElementsOf(tripping.stream().map(SimulatedNode::nodeId)
                .toList());
        assertThat(hold.threshold()).isEqualTo(3);
        stories.outcomes(hold, Map.of("page-trigger:alertmanager", "applied", "page-trigger:pagerduty", "applied"));

        // each tripping node: one decision for its incident, a rollback — decided before the hold existed
        for (SimulatedNode n : tripping) {
            String incident = n.nodeId() + "#1";
            RollbackDecided rollback = stories.decision(incident + "/rollback/0", RollbackDecided.class);
            assertThat(rollback.targetImage()).isEqualTo(V5);
            // its pages resolve once the rollback's last step (rollout, which watches the hold window) is done
            stories.outcomes(stories.decision(incident + "/resolve/1", Decision.IncidentResolved.class),
                    Stories.resolveSteps(true));
            // one decision for the halt, then the resolution once the rollback ran
            stack.assertDecisionLog(n.nodeId(), incident + "/rollback/0", incident + "/resolve/1");
        }

        // the hold has reached every node task (one round trip after the trip that opened it)
        await("the fleet hold in every node task's view").atMost(PATIENCE)
                .until(() -> everyNodeTaskSees(true, hold.incidentId()));

        // from now on a 71 is paged, not rolled back
        SimulatedNode late = nodes.get(4);
        String lateIncident = late.nodeId() + "#1";
        stack.cluster.shipImage(fleet, late.name(), Workload.SEINODE, V6);
        HaltPaged held = stories.decision(lateIncident + "/page/0", HaltPaged.class);
        assertThat(held.reasonCode()).isEqualTo(71);
        assertThat(held.pageReason()).isEqualTo(Decision.PageReason.FleetHoldActive);
        assertThat(held.severity()).isEqualTo(Decision.Severity.critical);
        assertThat(held.summary()).contains(hold.incidentId());
        stories.outcomes(held, Map.of("page-trigger:alertmanager", "applied", "page-trigger:pagerduty", "applied",
                "event", "applied"));
        // exactly one decision for its halt: the page, and no rollback after it
        stack.assertDecisionLog(late.nodeId(), lateIncident + "/page/0");
        assertThat(stack.cluster.seiNodeImage(late.name())).as("not rolled back").isEqualTo(V6);
        String haltedPod = stack.topics.podStates(late.nodeId()).stream().filter(p -> V6.equals(p.image()))
                .map(PodStateObserved::podUid).findFirst().orElseThrow();
        assertThat(stack.cluster.podUid(late.name())).as("its halted pod left alone").isEqualTo(haltedPod);
        assertThat(late.ready()).isFalse();

        // one fleet decision and one fleet page, however many nodes trip while the breaker is open
        stack.assertDecisionLog(Topics.FLEET_KEY, hold.decisionId());
        assertThat(stories.pagerDutyActions(hold.incidentId())).containsExactly("trigger");
        JsonNode fleetTrigger = stack.pagerDutyEvents(hold.incidentId()).get(0);
        assertThat(fleetTrigger.path("payload").path("severity").asText()).isEqualTo("critical");
        assertThat(fleetTrigger.path("payload").path("source").asText()).isEqualTo("fleet");
        assertThat(Stories.labels(stories.activeAlert(hold.incidentId()))).contains(
                entry("alertname", "SeidFleetHold"), entry("page", "fleet-hold"), entry("severity", "critical"));

        // an operator releases the breaker: the fleet page resolves; the held node stays with its human
        stack.supervisor("release", "--fleet", "--by", "e2e-operator", "--reason", "bad rollout reverted");
        FleetReleased released = stories.firstDecision(Topics.FLEET_KEY, FleetReleased.class);
        assertThat(released.incidentId()).isEqualTo(hold.incidentId());
        stories.outcomes(released, Map.of("page-resolve:alertmanager", "applied", "page-resolve:pagerduty",
                "applied"));
        stack.assertDecisionLog(Topics.FLEET_KEY, hold.decisionId(), released.decisionId());
        assertThat(stories.pagerDutyActions(hold.incidentId())).containsExactly("trigger", "resolve");
        await("the fleet alert resolved").atMost(PATIENCE)
                .until(() -> stack.activeAlertsOfIncident(hold.incidentId()).isEmpty());
        stack.assertDecisionLog(late.nodeId(), lateIncident + "/page/0");

        // once the release has reached the node tasks, the human asks for the held incident to be decided again:
        // automatic rollbacks are back
        await("the release in every node task's view").atMost(PATIENCE)
                .until(() -> everyNodeTaskSees(false, hold.incidentId()));
        stack.supervisor("retry", late.nodeId(), "--by", "e2e-operator", "--reason", "breaker released");
        RollbackDecided retried = stories.decision(lateIncident + "/rollback/1", RollbackDecided.class);
        assertThat(retried.targetImage()).isEqualTo(V5);
        assertThat(retried.tooNewImage()).isEqualTo(V6);
        stories.outcomes(stories.decision(lateIncident + "/resolve/2", Decision.IncidentResolved.class),
                Stories.resolveSteps(true));
        Decision.OperatorCommandApplied retry = stories.firstDecision(late.nodeId(),
                Decision.OperatorCommandApplied.class);
        // the page, the operator's retry, the rollback it decided, the resolution: each once
        stack.assertDecisionLog(late.nodeId(), lateIncident + "/page/0", retry.decisionId(),
                lateIncident + "/rollback/1", lateIncident + "/resolve/2");
        assertThat(late.runningImage()).isEqualTo(V5);
        stack.assertDecisionLog(Topics.FLEET_KEY, hold.decisionId(), released.decisionId());
        stack.assertNoDeadLetters();
        // PagerDuty: one trigger and one resolve per key that was triggered, nothing else
        assertThat(stack.assertPagerDutyResolvedExactlyWhatWasTriggered(Topics.FLEET_KEY))
                .containsOnlyKeys(hold.incidentId());
        assertThat(stack.assertPagerDutyResolvedExactlyWhatWasTriggered(late.nodeId())).containsOnlyKeys(lateIncident);
        for (SimulatedNode n : tripping) {
            assertThat(stack.assertPagerDutyResolvedExactlyWhatWasTriggered(n.nodeId()))
                    .as("a rollback pages (critical) and its resolve resolves that page").containsOnlyKeys(
                            n.nodeId() + "#1");
        }
        stack.stopFleets();
    }

    /**
     * Every node task (one per input partition) has the fleet breaker {@code open} (or released) for this fleet
     * incident in its {@code decider-fleet-view} store.
     */
    private static boolean everyNodeTaskSees(boolean open, String fleetIncident) {
        KafkaStreams streams = stack.components.decider().streams().orElseThrow();
        try {
            return IntStream.range(0, 3).allMatch(partition -> {
                ReadOnlyKeyValueStore<String, ControlEvent.FleetChanged> view = streams.store(StoreQueryParameters
                        .fromNameAndType(DeciderTopology.FLEET_VIEW_STORE,
                                QueryableStoreTypes.<String, ControlEvent.FleetChanged>keyValueStore())
                        .withPartition(partition));
                ControlEvent.FleetChanged seen = view.get(Topics.FLEET_KEY);
                return seen != null && seen.hold() == open && fleetIncident.equals(seen.incidentId());
            });
        } catch (InvalidStateStoreException e) {
            return false; // rebalancing or restoring: ask again
        }
    }
}
