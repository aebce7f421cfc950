package io.haltsupervisor.cli.e2e;

import static io.haltsupervisor.cli.e2e.Chain.V5;
import static io.haltsupervisor.cli.e2e.Chain.V6;
import static io.haltsupervisor.cli.e2e.Chain.V6_HEIGHT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haltsupervisor.sandbox.fleet.NodeSpec;
import io.haltsupervisor.sandbox.fleet.NodeSpec.Workload;
import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import io.haltsupervisor.sandbox.fleet.SimulatedNode;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.Decision.RollbackDecided;
import io.haltsupervisor.schemas.Decision.UpgradeDecided;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scenario 9, dry-run ({@code ACTUATOR_DRY_RUN=true}, its own stack): the decider decides as always and the
 * actuator records {@code dry-run} for every step with what it would have done — and changes nothing in the
 * cluster and sends no page, not even for a decision that pages.
 */
class DryRunIT {
    @RegisterExtension
    static final E2eExtension E2E = E2eExtension.stack("dry-run").mapping("v6", Chain.mapping(V6, V6_HEIGHT))
            .env("ACTUATOR_DRY_RUN", "true");
    static E2eStack stack;
    static Stories stories;
    SimulatedFleet fleet;

    @Test
    @DisplayName("9. Dry-run, 70 with mapping: upgrade decided, every step recorded dry-run, cluster unchanged")
    void recordsAnUpgradeAsDryRunAndChangesNothing() {
        String name = "dry-upgrade";
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V5, V6_HEIGHT - 20, 0));
        String id = node.nodeId();

        UpgradeDecided upgrade = stories.decision(id + "#1/upgrade/0", UpgradeDecided.class);
        assertThat(upgrade.targetImage()).isEqualTo(V6);
        stories.outcomes(upgrade, Map.of("set-image", "dry-run", "delete-pod", "dry-run", "condition", "dry-run",
                "event", "dry-run", "rollout", "dry-run"));
        assertThat(stack.topics.results(upgrade)).filteredOn(r -> r.step().equals("set-image"))
                .extracting(ActionResultRecorded::detail).singleElement().asString().contains(V6);

        String podUid = upgrade.podUid();
        await("the halted node stays as it is").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> V5.equals(stack.cluster.seiNodeImage(name)) && V5.equals(stack.cluster.templateImage(name))
                        && podUid.equals(stack.cluster.podUid(name)) && !node.ready());
        assertThat(stack.cluster.condition(name, Workload.SEINODE)).isNull();
        assertThat(stack.cluster.eventSummaries(name)).isEmpty();
        // exactly one decision for the halt; the node never recovers, so nothing follows it
        stack.assertDecisionLog(id, id + "#1/upgrade/0");
        assertThat(stack.pagerDutyEventsAbout(id)).isEmpty();
        assertThat(stack.activeAlerts(id)).isEmpty();
        stack.assertNoDeadLetters();
    }

    @Test
    @DisplayName("9b. Dry-run, 71: rollback decided, pages and cluster steps recorded dry-run, no page sent")
    void recordsARollbackAsDryRunAndPagesNoOne() {
        String name = "dry-too-new";
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V5, 500_000, 0));
        String id = node.nodeId();
        stories.healthyOn(id, V5);

        stack.cluster.shipImage(fleet, name, Workload.SEINODE, V6);
        RollbackDecided rollback = stories.decision(id + "#1/rollback/0", RollbackDecided.class);
        assertThat(rollback.targetImage()).isEqualTo(V5);
        stories.outcomes(rollback, Map.of("page-trigger:alertmanager", "dry-run", "page-trigger:pagerduty", "dry-run",
                "set-image", "dry-run", "delete-pod", "dry-run", "condition", "dry-run", "event", "dry-run",
                "rollout", "dry-run"));

        String podUid = rollback.podUid();
        await("the halted node stays on the too-new image").during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5))
                .until(() -> V6.equals(stack.cluster.seiNodeImage(name)) && podUid.equals(stack.cluster.podUid(name))
                        && !node.ready());
        assertThat(stack.cluster.condition(name, Workload.SEINODE)).isNull();
        assertThat(stack.cluster.eventSummaries(name)).isEmpty();
        // exactly one decision for the halt
        stack.assertDecisionLog(id, id + "#1/rollback/0");
        assertThat(stack.pagerDuty.requests()).as("not one request reached PagerDuty").isEmpty();
        assertThat(stack.alertmanager.activeAlerts()).as("no alert in Alertmanager").isEmpty();
        assertThat(stack.topics.results(rollback)).extracting(ActionResultRecorded::outcome)
                .containsOnly(ActionResultRecorded.Outcome.DRY_RUN);
        stack.assertNoDeadLetters();
    }
}
