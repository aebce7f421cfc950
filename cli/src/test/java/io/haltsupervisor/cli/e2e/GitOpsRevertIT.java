package io.haltsupervisor.cli.e2e;

import static io.haltsupervisor.cli.e2e.Chain.V5;
import static io.haltsupervisor.cli.e2e.Chain.V6;
import static io.haltsupervisor.cli.e2e.Chain.V6_HEIGHT;
import static io.haltsupervisor.cli.e2e.E2eStack.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.sandbox.fleet.GitOpsReverter;
import io.haltsupervisor.sandbox.fleet.NodeSpec;
import io.haltsupervisor.sandbox.fleet.NodeSpec.Workload;
import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import io.haltsupervisor.sandbox.fleet.SimulatedNetwork;
import io.haltsupervisor.sandbox.fleet.SimulatedNode;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.Decision.UpgradeDecided;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A change that does not hold, end to end on the real broker and the sandbox's in-memory Kubernetes API (fabric8's
 * CRUD mock, not a real API server; it records {@code metadata.managedFields} as one does): a simulated Argo CD
 * self-heal ({@link GitOpsReverter}) keeps the old image "in Git" for a StatefulSet, or for a SeiNetwork whose
 * simulated sei-k8s-controller then rewrites its child SeiNode. The actuator re-applies once, records the last step
 * {@code reverted} within the hold window, names the manager from managedFields and the object it came through,
 * pages at once with its own dedup key, and does not fight: the reverter sets the image back exactly twice. (The
 * incident itself resolves as usual once the node is seen running the target image healthy — here the pod that
 * replaced the halted one, created before the revert — and its pages, the reverted one included, resolve with it.)
 * Without a reverter the same plans record {@code applied} (HaltScenariosIT, SeiControllerScenariosIT).
 */
class GitOpsRevertIT {
    /** The actuator's hold window (its default, ACTUATOR_HOLD_WINDOW). */
    private static final Duration HOLD = Duration.ofSeconds(3);
    /** How long after a drift the simulated Argo CD sets the image back. */
    private static final Duration SELF_HEAL_DELAY = Duration.ofMillis(300);

    @RegisterExtension
    static final E2eExtension E2E = E2eExtension.stack("gitops-revert").mapping("v6", Chain.mapping(V6, V6_HEIGHT))
            .env("DECIDER_BREAKER_THRESHOLD", "1000").env("ACTUATOR_IMAGE_ALLOW", Chain.IMAGE_ALLOW)
            .env("DECIDER_MIN_BLOCK_TIME", "50ms");
    static E2eStack stack;
    static Stories stories;
    SimulatedFleet fleet;

    @Test
    @DisplayName("Argo CD self-heal on a StatefulSet: re-applied once, then `reverted` naming argocd-controller,"
            + " paged at once on its own key, no fight, incident held")
    void aStatefulSetWhoseImageArgoCdSetsBackIsReportedRevertedAndHeld() {
        SimulatedNode node = fleet.add(NodeSpec.seiNode("gitops-sts", V5, V6_HEIGHT - 20, 0)
                .withWorkload(Workload.STATEFULSET));
        try (GitOpsReverter argo = GitOpsReverter.onStatefulSet(stack.kube.client(), E2eStack.NAMESPACE, "gitops-sts",
                "seid", V5, SELF_HEAL_DELAY)) {
            String id = node.nodeId();
            String incident = id + "#1";
            UpgradeDecided upgrade = stories.decision(incident + "/upgrade/0", UpgradeDecided.class);
            stories.outcomes(upgrade, Map.of("set-image", "applied", "delete-pod", "applied", "condition", "applied",
                    "event", "applied", "hold", "reverted", "reverted-page-trigger:alertmanager", "applied",
                    "reverted-page-trigger:pagerduty", "applied"));
            ActionResultRecorded hold = result(upgrade, "hold");
            assertThat(hold.detail()).contains("the seid image of the pod template of StatefulSet sei/gitops-sts")
                    .contains("set back from " + V6 + " to " + V5 + " by argocd-controller (Update at ")
                    .contains("Argo CD application gitops-sts").contains("re-applied once");
            assertDetectedWithinTheHoldWindow(upgrade, hold);

            // nothing fights: our set-image and our one re-apply are the only changes Argo CD undid
            await("the reverter is left alone").during(HOLD.multipliedBy(2)).atMost(HOLD.multipliedBy(3))
                    .until(() -> argo.reverts() == 2);
            assertThat(stack.cluster.templateImage("gitops-sts")).isEqualTo(V5);

            assertRevertedPage(incident, "argocd-controller");
            // OnDelete: the pod that replaced the halted one still runs the new image while the template is back on
            // the old one (the page says the next restart brings it back); the actuator changes nothing more
            assertThat(stack.cluster.pod("gitops-sts").getSpec().getContainers().get(0).getImage()).isEqualTo(V6);
            assertThat(stack.topics.decisions(id)).extracting(d -> d.kind()).doesNotContain("terminate-pod");
        }
        stack.assertNoDeadLetters();
    }

    @Test
    @DisplayName("Argo CD self-heal on a SeiNetwork: its controller rewrites the child SeiNode; `rollout` is"
            + " `reverted` naming argocd-controller and sei-k8s-controller, paged at once, no fight")
    void aSeiNetworkWhoseImageArgoCdSetsBackIsReportedRevertedThroughItsChild() {
        SimulatedNetwork net = fleet.addNetwork("gitops-net", 1, NodeSpec.seiNode("gitops-net", V5, V6_HEIGHT - 20, 0));
        SimulatedNode node = net.nodes().get(0);
        try (GitOpsReverter argo = GitOpsReverter.onSeiNetwork(stack.kube.client(), E2eStack.NAMESPACE, "gitops-net",
                V5, SELF_HEAL_DELAY)) {
            String incident = node.nodeId() + "#1";
            UpgradeDecided upgrade = stories.decision(incident + "/upgrade/0", UpgradeDecided.class);
            stories.outcomesWithOldPod(upgrade, Map.of("set-image", "applied", "condition", "applied", "event",
                    "applied", "rollout", "reverted", "reverted-page-trigger:alertmanager", "applied",
                    "reverted-page-trigger:pagerduty", "applied"));
            ActionResultRecorded rollout = result(upgrade, "rollout");
            assertThat(rollout.detail()).contains("spec.image of SeiNetwork sei/gitops-net was set back from " + V6
                    + " to " + V5 + " by argocd-controller").contains("Argo CD application gitops-net")
                    .contains("SeiNode sei/" + node.name() + " follows it").contains("sei-k8s-controller")
                    .contains("re-applied once");
            assertDetectedWithinTheHoldWindow(upgrade, rollout);
            await("the reverter is left alone").during(HOLD.multipliedBy(2)).atMost(HOLD.multipliedBy(3))
                    .until(() -> argo.reverts() == 2);
            assertRevertedPage(incident, "argocd-controller");
        }
        stack.assertNoDeadLetters();
    }

    private static ActionResultRecorded result(UpgradeDecided upgrade, String step) {
        return stack.topics.results(upgrade).stream().filter(r -> r.step().equals(step) && r.outcome().isFinal())
                .findFirst().orElseThrow();
    }

    /** The revert is seen within the hold window of the change, and the re-apply's within one more. */
    private static void assertDetectedWithinTheHoldWindow(UpgradeDecided upgrade, ActionResultRecorded last) {
        ActionResultRecorded setImage = result(upgrade, "set-image");
        Duration took = Duration.between(setImage.recordedAt(), last.recordedAt());
        assertThat(took).as("from set-image to the reverted result")
                .isLessThan(HOLD.multipliedBy(2).plus(SELF_HEAL_DELAY.multipliedBy(2)).plusSeconds(3));
    }

    /** One critical PagerDuty trigger on the incident's /reverted key, naming the manager and what to do. */
    private static void assertRevertedPage(String incident, String manager) {
        List<JsonNode> triggers = stack.pagerDutyEvents(incident + "/reverted").stream()
                .filter(e -> "trigger".equals(e.path("event_action").asText())).toList();
        assertThat(triggers).hasSize(1);
        JsonNode payload = triggers.get(0).path("payload");
        assertThat(payload.path("severity").asText()).isEqualTo("critical");
        assertThat(payload.path("summary").asText()).contains(manager).contains("did not hold")
                .contains("supervisor retry");
        assertThat(stack.pagerDutyEvents(incident + "/action-failed")).as("not an action failure").isEmpty();
    }
}
