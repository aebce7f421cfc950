package io.haltsupervisor.cli.e2e;

import static io.haltsupervisor.cli.e2e.Chain.V5;
import static io.haltsupervisor.cli.e2e.Chain.V6;
import static io.haltsupervisor.cli.e2e.Chain.V6_HEIGHT;
import static io.haltsupervisor.cli.e2e.E2eStack.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.haltsupervisor.cli.e2e.ClusterView.Condition;
import io.haltsupervisor.sandbox.fleet.NodeSpec;
import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import io.haltsupervisor.sandbox.fleet.SimulatedNetwork;
import io.haltsupervisor.sandbox.fleet.SimulatedNode;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Decision.IncidentResolved;
import io.haltsupervisor.schemas.Decision.QuarantineDecided;
import io.haltsupervisor.schemas.Decision.RollbackDecided;
import io.haltsupervisor.schemas.Decision.UpgradeDecided;
import io.haltsupervisor.schemas.HaltObserved;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The supervisor under the sandbox's simulated sei-k8s-controller ({@code SeiControllers}: SeiNetwork children
 * rewritten from their network, each SeiNode rolling its image with its own pod replacement), end to end on the
 * real broker: a network upgrading at a height, 71 and 72 on a network, and a standalone SeiNode whose controller
 * replaces the pod. Each scenario asserts the decisions, every step's outcome, the objects' final specs and
 * statuses and the pages — and, after several more reconcile loops of the simulated controller, that nothing the
 * supervisor set was reverted.
 */
class SeiControllerScenariosIT {
    /** Reconcile loops of the simulated controller that must leave the supervisor's changes in place. */
    private static final int LOOPS_AFTER = 5;

    @RegisterExtension
    static final E2eExtension E2E = E2eExtension.stack("sei-controller").mapping("v6", Chain.mapping(V6, V6_HEIGHT))
            .env("DECIDER_BREAKER_THRESHOLD", "1000").env("ACTUATOR_IMAGE_ALLOW", Chain.IMAGE_ALLOW)
            // the simulated chain makes a block every 100 ms
            .env("DECIDER_MIN_BLOCK_TIME", "50ms");
    static E2eStack stack;
    static Stories stories;
    SimulatedFleet fleet;

    // ------------------------------------------------------------------ helpers

    private String networkImage(String network) {
        return stack.cluster.seiNetwork(network).get("spec", "image");
    }

    private long networkGeneration(String network) {
        return stack.cluster.seiNetwork(network).getMetadata().getGeneration();
    }

    /** Waits until the simulated controller reconciled the network and each of its nodes {@code n} more times. */
    private void reconcileLoops(SimulatedNetwork net, int n) {
        int network = net.reconciles();
        List<Integer> nodes = net.nodes().stream().map(node -> fleet.reconciles(node.name())).toList();
        await("the simulated controller reconciles " + n + " more times").atMost(PATIENCE).until(() -> {
            if (net.reconciles() < network + n) {
                return false;
            }
            for (int i = 0; i < nodes.size(); i++) {
                if (fleet.reconciles(net.nodes().get(i).name()) < nodes.get(i) + n) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The node's SeiNode as the controller reports it: spec.image, status.currentImage, its update condition. */
    private void assertRolledTo(String name, String image) {
        GenericKubernetesResource node = stack.cluster.seiNode(name);
        assertThat((String) node.get("spec", "image")).as("%s spec.image", name).isEqualTo(image);
        assertThat(stack.cluster.seiNodeStatus(name)).as("%s status", name).containsEntry("currentImage", image)
                .containsEntry("phase", "Running").doesNotContainKey("plan");
        assertThat(ClusterView.conditionOf(node, "NodeUpdateInProgress")).as("%s NodeUpdateInProgress", name)
                .isEqualTo("False/UpdateComplete");
        assertThat(stack.cluster.pod(name).getSpec().getContainers().get(0).getImage()).isEqualTo(image);
    }

    private List<JsonNode> pagerDutyTriggers(String dedupKey) {
        return stack.pagerDutyEvents(dedupKey).stream()
                .filter(e -> "trigger".equals(e.path("event_action").asText())).toList();
    }

    // ------------------------------------------------------------------ scenarios

    @Test
    @DisplayName("SeiNetwork of 3 reaching an upgrade height: 3 incidents, one network image change, the controller"
            + " rolls all 3, all resolve, and nothing is reverted")
    void aNetworkUpgradingAtAHeightChangesTheNetworkImageOnceAndResolvesEveryNode() {
        SimulatedNetwork net = fleet.addNetwork("net-up", 3, NodeSpec.seiNode("net-up", V5, V6_HEIGHT - 30, 0));
        List<String> halted = new ArrayList<>();
        for (SimulatedNode node : net.nodes()) {
            halted.add(stack.cluster.podUid(node.name()));
        }
        List<UpgradeDecided> upgrades = new ArrayList<>();
        for (SimulatedNode node : net.nodes()) {
            UpgradeDecided up = stories.decision(node.nodeId() + "#1/upgrade/0", UpgradeDecided.class);
            HaltObserved halt = stack.topics.halts(node.nodeId()).get(0);
            assertThat(halt.reasonCode()).isEqualTo(70);
            assertThat(halt.intent().planName()).isEqualTo("v6");
            assertThat(up.planName()).isEqualTo("v6");
            assertThat(up.targetImage()).isEqualTo(V6);
            assertThat(up.previousImage()).isEqualTo(V5);
            upgrades.add(up);
        }
        // one effective change: the first decision to reach the actuator sets the network's image, the others
        // find it done; none deletes a pod (the SeiNode controller replaces each one itself); each confirms from
        // its SeiNode's status that the controller rolled the image out
        List<String> setImage = new ArrayList<>();
        for (UpgradeDecided up : upgrades) {
            await("results of " + up.decisionId()).atMost(PATIENCE)
                    .until(() -> stack.topics.finalOutcomes(up).keySet().containsAll(List.of("set-image",
                            "delete-pod", "condition", "event", "rollout")));
            Map<String, String> outcomes = stack.topics.finalOutcomes(up);
            assertThat(outcomes.keySet()).containsExactly("set-image", "delete-pod", "condition", "event", "rollout");
            assertThat(outcomes).containsEntry("delete-pod", "already-applied").containsEntry("condition", "applied")
                    .containsEntry("event", "applied").containsEntry("rollout", "applied");
            assertThat(stack.topics.results(up)).filteredOn(r -> r.step().equals("delete-pod"))
                    .extracting(r -> r.detail()).singleElement().asString()
                    .containsAnyOf("left to the controller", "already replaced");
            assertThat(stack.topics.results(up)).filteredOn(r -> r.step().equals("rollout"))
                    .extracting(r -> r.detail()).singleElement().asString()
                    .contains("status.currentImage is " + V6).contains("NodeUpdateInProgress=False/UpdateComplete");
            setImage.add(outcomes.get("set-image"));
        }
        assertThat(setImage).containsExactlyInAnyOrder("applied", "already-applied", "already-applied");
        assertThat(networkImage("net-up")).isEqualTo(V6);
        assertThat(networkGeneration("net-up")).as("one spec change of the network").isEqualTo(2);

        for (int i = 0; i < 3; i++) {
            SimulatedNode node = net.nodes().get(i);
            String incident = node.nodeId() + "#1";
            IncidentResolved resolved = stories.decision(incident + "/resolve/1", IncidentResolved.class);
            assertThat(resolved.image()).isEqualTo(V6);
            stories.outcomes(resolved, Stories.resolveSteps(false));
            stack.assertDecisionLog(node.nodeId(), incident + "/upgrade/0", incident + "/resolve/1");
            assertThat(stack.cluster.podUid(node.name())).as("replaced by the controller").isNotEqualTo(halted.get(i));
            assertThat(node.runningImage()).isEqualTo(V6);
            assertThat(stack.pagerDutyTriggersAbout(node.nodeId())).as("an upgrade pages no one").isEmpty();
            stack.assertPagerDutyResolvedExactlyWhatWasTriggered(node.nodeId());
        }

        reconcileLoops(net, LOOPS_AFTER);
        assertThat(networkImage("net-up")).as("still ours after more reconciles").isEqualTo(V6);
        assertThat(networkGeneration("net-up")).isEqualTo(2);
        GenericKubernetesResource network = stack.cluster.seiNetwork("net-up");
        assertThat((Object) network.get("status", "upToDateReplicas")).isEqualTo(3);
        assertThat(ClusterView.conditionOf(network, "RolloutInProgress")).isEqualTo("False/AllUpToDate");
        for (SimulatedNode node : net.nodes()) {
            assertRolledTo(node.name(), V6);
            assertThat(node.ready()).isTrue();
            assertThat(stack.cluster.conditionHistory("SeiNode", node.name())).extracting(Condition::toString)
                    .containsExactly("True/UpgradeStarted", "False/Resolved");
            assertThat(stack.cluster.condition(node.name(), NodeSpec.Workload.SEINODE)).extracting(Condition::toString)
                    .as("our condition survives the controller's status writes").isEqualTo("False/Resolved");
            assertThat(stack.cluster.podDeletions(node.name())).as("one delete: the controller's").isEqualTo(1);
        }
        stack.assertNoDeadLetters();
    }

    @Test
    @DisplayName("71 on a SeiNetwork: each node paged critically, the network rolled back once to the image it ran,"
            + " all resolve, the too-new image is not put back")
    void aTooNewImageOnANetworkIsRolledBackOnTheNetworkOnce() {
        SimulatedNetwork net = fleet.addNetwork("net-new", 2, NodeSpec.seiNode("net-new", V5, 500_000, 0));
        for (SimulatedNode node : net.nodes()) {
            stories.healthyOn(node.nodeId(), V5);
        }
        await("the network reports every node up to date").atMost(PATIENCE).until(() -> Integer.valueOf(2)
                .equals(stack.cluster.seiNetwork("net-new").get("status", "upToDateReplicas")));
        // an operator ships a binary too new for the chain, for the whole network
        stack.kube.client().genericKubernetesResources(InMemoryKubernetes.SEINETWORK_CONTEXT)
                .inNamespace(E2eStack.NAMESPACE).withName("net-new")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"image\":\"" + V6 + "\"}}");

        List<String> setImage = new ArrayList<>();
        for (SimulatedNode node : net.nodes()) {
            String incident = node.nodeId() + "#1";
            RollbackDecided rollback = stories.decision(incident + "/rollback/0", RollbackDecided.class);
            assertThat(rollback.reasonCode()).isEqualTo(71);
            assertThat(rollback.targetImage()).isEqualTo(V5);
            assertThat(rollback.tooNewImage()).isEqualTo(V6);
            // the too-new pod is replaced once: by the child's controller for the rolled-back spec, or — when its
            // plan to the too-new image still waits in observe-image, which re-plans nothing — by the actuator
            await("results of " + rollback.decisionId()).atMost(PATIENCE)
                    .until(() -> stack.topics.finalOutcomes(rollback).containsKey("rollout"));
            String set = stack.topics.finalOutcomes(rollback).get("set-image");
            stories.outcomesWithOldPod(rollback, Map.of("page-trigger:alertmanager", "applied",
                    "page-trigger:pagerduty", "applied", "set-image", set, "condition", "applied", "event", "applied",
                    "rollout", "applied"));
            Map<String, String> outcomes = stack.topics.finalOutcomes(rollback);
            assertThat(List.copyOf(outcomes.keySet()).subList(0, 2)).as("paged before anything else")
                    .allMatch(step -> step.startsWith("page-trigger:"));
            setImage.add(outcomes.get("set-image"));
            List<JsonNode> pages = pagerDutyTriggers(incident);
            assertThat(pages).hasSize(1);
            assertThat(pages.get(0).path("payload").path("severity").asText()).isEqualTo("critical");
            assertThat(pages.get(0).path("payload").path("class").asText()).isEqualTo("BinaryTooNew");
        }
        assertThat(setImage).containsExactlyInAnyOrder("applied", "already-applied");
        for (SimulatedNode node : net.nodes()) {
            String incident = node.nodeId() + "#1";
            IncidentResolved resolved = stories.decision(incident + "/resolve/1", IncidentResolved.class);
            assertThat(resolved.image()).isEqualTo(V5);
            stories.outcomes(resolved, Stories.resolveSteps(true));
            stack.assertDecisionLog(node.nodeId(), incident + "/rollback/0", incident + "/resolve/1");
            assertThat(stories.pagerDutyActions(incident)).containsExactly("trigger", "resolve");
            stack.assertPagerDutyResolvedExactlyWhatWasTriggered(node.nodeId());
        }

        reconcileLoops(net, LOOPS_AFTER);
        assertThat(networkImage("net-new")).isEqualTo(V5);
        assertThat(networkGeneration("net-new")).as("the operator's change and our one rollback").isEqualTo(3);
        for (SimulatedNode node : net.nodes()) {
            assertRolledTo(node.name(), V5);
            assertThat(stack.cluster.podDeletions(node.name()))
                    .as("the V5 pod for the too-new image, then the too-new pod; once each").isEqualTo(2);
            assertThat(node.ready()).isTrue();
            assertThat(stack.cluster.condition(node.name(), NodeSpec.Workload.SEINODE)).extracting(Condition::toString)
                    .isEqualTo("False/Resolved");
            stories.noActiveAlert(node.nodeId());
        }
        stack.assertNoDeadLetters();
    }

    @Test
    @DisplayName("72 on a SeiNetwork: paged critically with why it is not quarantined (a node's pause would be"
            + " reverted, the network's would stop every validator); nothing is changed")
    void aDowngradeOnANetworkIsPagedNotQuarantinedWhereItWouldBeReverted() {
        SimulatedNetwork net = fleet.addNetwork("net-down", 2, NodeSpec.seiNode("net-down", V5, 1_500_000, 1));
        for (SimulatedNode node : net.nodes()) {
            String incident = node.nodeId() + "#1";
            QuarantineDecided quarantine = stories.decision(incident + "/quarantine/0", QuarantineDecided.class);
            assertThat(quarantine.reasonCode()).isEqualTo(72);
            assertThat(quarantine.image()).isEqualTo(V5);
            stories.outcomes(quarantine, Map.of("page-trigger:alertmanager", "applied", "page-trigger:pagerduty",
                    "applied", "quarantine", "refused-by-policy", "failure-page-trigger:alertmanager", "applied",
                    "failure-page-trigger:pagerduty", "applied"));
            assertThat(stack.topics.results(quarantine)).filteredOn(r -> r.step().equals("quarantine"))
                    .extracting(r -> r.detail()).singleElement().asString()
                    .contains("owned by SeiNetwork sei/net-down").contains("would be reverted")
                    .contains("all 2 of its validators");
            assertThat(pagerDutyTriggers(incident)).singleElement()
                    .satisfies(p -> assertThat(p.path("payload").path("class").asText()).isEqualTo("DowngradeDetected"));
            assertThat(pagerDutyTriggers(incident + "/action-failed")).singleElement()
                    .satisfies(p -> assertThat(p.path("payload").path("summary").asText())
                            .contains("would be reverted"));
        }

        reconcileLoops(net, LOOPS_AFTER);
        GenericKubernetesResource network = stack.cluster.seiNetwork("net-down");
        assertThat((Object) network.get("spec", "paused")).isEqualTo(false);
        assertThat(networkImage("net-down")).isEqualTo(V5);
        assertThat(networkGeneration("net-down")).as("the network was not touched").isEqualTo(1);
        for (SimulatedNode node : net.nodes()) {
            assertThat(stack.cluster.seiNodePaused(node.name())).isFalse();
            assertThat(stack.cluster.condition(node.name(), NodeSpec.Workload.SEINODE))
                    .as("no condition claims a quarantine that did not happen").isNull();
            assertThat(stack.topics.decisions(node.nodeId())).extracting(Decision::decisionId)
                    .containsExactly(node.nodeId() + "#1/quarantine/0");
            assertThat(stack.assertPagerDutyResolvedExactlyWhatWasTriggered(node.nodeId()))
                    .containsOnlyKeys(node.nodeId() + "#1", node.nodeId() + "#1/action-failed");
        }
        stack.assertNoDeadLetters();
    }

    @Test
    @DisplayName("Standalone SeiNode upgrade: the controller replaces the pod (one delete, not two), reports"
            + " status.currentImage and UpdateComplete; resolved; nothing reverted")
    void aStandaloneSeiNodesPodIsReplacedByItsControllerOnly() {
        String name = "solo-up";
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V5, V6_HEIGHT - 20, 0));
        String id = node.nodeId();
        String incident = id + "#1";
        UpgradeDecided upgrade = stories.decision(incident + "/upgrade/0", UpgradeDecided.class);
        assertThat(upgrade.targetImage()).isEqualTo(V6);
        stories.outcomes(upgrade, Map.of("set-image", "applied", "delete-pod", "already-applied", "condition",
                "applied", "event", "applied", "rollout", "applied"));
        IncidentResolved resolved = stories.decision(incident + "/resolve/1", IncidentResolved.class);
        assertThat(resolved.image()).isEqualTo(V6);
        stories.outcomes(resolved, Stories.resolveSteps(false));
        stack.assertDecisionLog(id, incident + "/upgrade/0", incident + "/resolve/1");

        int loops = fleet.reconciles(name);
        await("more reconciles").atMost(PATIENCE).until(() -> fleet.reconciles(name) >= loops + LOOPS_AFTER);
        assertRolledTo(name, V6);
        assertThat(stack.cluster.podUid(name)).isNotEqualTo(upgrade.podUid());
        assertThat(stack.cluster.podDeletions(name)).as("the controller's replace-pod only").isEqualTo(1);
        assertThat(stack.topics.results(upgrade)).filteredOn(r -> r.step().equals("delete-pod"))
                .extracting(r -> r.detail()).singleElement().asString().contains("left to the controller");
        assertThat(stack.cluster.conditionHistory("SeiNode", name)).extracting(Condition::toString)
                .containsExactly("True/UpgradeStarted", "False/Resolved");
        assertThat(node.ready()).isTrue();
        assertThat(stack.pagerDutyTriggersAbout(id)).isEmpty();
        stack.assertPagerDutyResolvedExactlyWhatWasTriggered(id);
        stack.assertNoDeadLetters();
    }

    @Test
    @DisplayName("Standalone SeiNode whose controller fails the update (UpdateFailed): the rollout step fails with"
            + " the controller's message, an action-failed page carries it, the pod is never deleted by us")
    void aFailedControllerUpdateBecomesAnActionFailedPageWithTheControllersMessage() {
        String name = "solo-fail";
        String error = "pulling image " + V6 + ": manifest unknown";
        fleet.failUpdatesTo(V6, error);
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V5, V6_HEIGHT - 20, 0));
        String id = node.nodeId();
        String incident = id + "#1";
        UpgradeDecided upgrade = stories.decision(incident + "/upgrade/0", UpgradeDecided.class);
        assertThat(upgrade.targetImage()).isEqualTo(V6);
        stories.outcomes(upgrade, Map.of("set-image", "applied", "delete-pod", "already-applied", "condition",
                "applied", "event", "applied", "rollout", "failed", "failure-page-trigger:alertmanager", "applied",
                "failure-page-trigger:pagerduty", "applied"));
        String detail = stack.topics.results(upgrade).stream().filter(r -> r.step().equals("rollout"))
                .filter(r -> r.outcome().token().equals("failed")).map(r -> r.detail()).findFirst().orElseThrow();
        assertThat(detail).startsWith("the SeiNode controller failed the update of SeiNode sei/" + name + " to " + V6
                + ": NodeUpdateInProgress=False/UpdateFailed: plan ").contains("failed: replace-pod: " + error)
                .endsWith("; status.currentImage is still " + V5);
        List<JsonNode> failed = pagerDutyTriggers(incident + "/action-failed");
        assertThat(failed).singleElement().satisfies(p -> {
            assertThat(p.path("payload").path("severity").asText()).isEqualTo("critical");
            assertThat(p.path("payload").path("summary").asText()).isEqualTo("halt-supervisor could not confirm the"
                    + " SeiNode controller rolled out " + V6 + " for " + id + " (upgrade decision): " + detail);
        });
        assertThat(pagerDutyTriggers(incident)).as("the upgrade itself pages no one").isEmpty();

        int loops = fleet.reconciles(name);
        await("more reconciles").atMost(PATIENCE).until(() -> fleet.reconciles(name) >= loops + LOOPS_AFTER);
        assertThat((String) stack.cluster.seiNode(name).get("spec", "image")).as("our spec.image stays").isEqualTo(V6);
        assertThat(stack.cluster.seiNodeStatus(name)).containsEntry("currentImage", V5);
        assertThat(stack.cluster.podUid(name)).as("the halted pod was never deleted").isEqualTo(upgrade.podUid());
        assertThat(stack.cluster.podDeletions(name)).isZero();
        assertThat(stack.cluster.condition(name, NodeSpec.Workload.SEINODE)).extracting(Condition::toString)
                .as("our condition survives the controller's status writes").isEqualTo("True/UpgradeStarted");
        assertThat(stack.topics.decisions(id)).extracting(Decision::decisionId).containsExactly(incident + "/upgrade/0");
        stack.assertNoDeadLetters();
    }
}
