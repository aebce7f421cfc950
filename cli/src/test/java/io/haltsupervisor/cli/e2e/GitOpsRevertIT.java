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
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Decision.HaltPaged;
import io.haltsupervisor.schemas.Decision.IncidentResolved;
import io.haltsupervisor.schemas.Decision.OperatorCommandApplied;
import io.haltsupervisor.schemas.Decision.UpgradeDecided;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A change that does not hold, end to end on the real broker and the sandbox's in-memory Kubernetes API (fabric8's
 * CRUD mock, not a real API server; it records {@code metadata.managedFields} as one does): a simulated Argo CD
 * self-heal ({@link GitOpsReverter}) keeps the old image "in Git" for a StatefulSet, or for a SeiNetwork whose
 * simulated sei-k8s-controller then rewrites its child SeiNode. The actuator re-applies once, records the last step
 * {@code reverted} within the hold window, names the manager from managedFields and the object it came through,
 * pages at once with its own dedup key, and does not fight: the reverter sets the image back exactly twice. The node
 * is then held for a human across incidents: the incident resolves once the node runs the target image (the pod that
 * replaced the halted one, created before the revert), the {@code /reverted} page stays open, a later halt only
 * pages, and the operator's {@code release} ends the hold and the page. Without a reverter the same plans record
 * {@code applied} (HaltScenariosIT, SeiControllerScenariosIT).
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

            assertHeldAcrossIncidentsUntilReleased(node, incident, "argocd-controller");
            assertThat(argo.reverts()).as("nothing fought meanwhile").isEqualTo(2);
        }
        stack.assertNoDeadLetters();
    }

    /**
     * The actuator put the node on hold with the revert (an audited {@code hold} by halt-supervisor-actuator, which
     * {@code incidents --held} shows): the incident resolves (the pod that replaced the halted one runs the target
     * image) but the {@code /reverted} page stays open; the next restart brings the old image back from the
     * template, the node halts again and the new incident only pages ({@code NodeOnHold}) — no second upgrade, no
     * fight; the operator's {@code release} lifts the hold and resolves the {@code /reverted} page.
     */
    private void assertHeldAcrossIncidentsUntilReleased(SimulatedNode node, String incident, String manager) {
        String id = node.nodeId();
        assertHeldByTheActuator(id, incident, manager);
        assertThat(stack.supervisor("incidents", "--held")).contains(id).contains("halt-supervisor-actuator")
                .contains(manager);

        Decision resolve = stories.firstDecision(id, IncidentResolved.class);
        assertThat(resolve.incidentId()).isEqualTo(incident);
        await("the resolve acted on").atMost(PATIENCE)
                .until(() -> stack.topics.finalOutcomes(resolve).containsKey("event"));
        assertThat(stories.pagerDutyActions(incident + "/reverted")).as("the reverted page outlives its incident")
                .containsExactly("trigger");
        assertThat(stack.activeAlertsOfIncident(incident)).extracting(a -> a.path("labels").path("page").asText())
                .containsExactly("reverted");

        // the next restart: the StatefulSet controller recreates the pod from the template Argo CD keeps on the old
        // image, whose binary halts again for the same plan
        stack.kube.client().pods().inNamespace(E2eStack.NAMESPACE).withName(node.podName()).delete();
        HaltPaged onHold = stories.decision(id + "#2/page/0", HaltPaged.class);
        assertThat(onHold.pageReason()).isEqualTo(Decision.PageReason.NodeOnHold);
        assertThat(stack.topics.decisions(id)).filteredOn(UpgradeDecided.class::isInstance).as("one upgrade only")
                .hasSize(1);
        assertThat(stack.cluster.templateImage(node.name())).isEqualTo(V5);

        stack.supervisor("release", id, "--by", "e2e-operator", "--reason", "v6 put in Git");
        await("the reverted page resolved by the release").atMost(PATIENCE)
                .until(() -> stories.pagerDutyActions(incident + "/reverted"), a -> a.equals(List.of("trigger",
                        "resolve")));
        await("the reverted alert ended").atMost(PATIENCE)
                .until(() -> stack.activeAlertsOfIncident(incident).isEmpty());
        assertThat(stack.supervisor("incidents", "--held")).contains("no node on hold");
        stack.assertPagerDutyResolvedExactlyWhatWasTriggered(id);
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
            assertHeldByTheActuator(node.nodeId(), incident, "argocd-controller");
        }
        stack.assertNoDeadLetters();
    }

    /** The decider applied the hold the actuator recorded with the revert, naming the change and the manager. */
    private static void assertHeldByTheActuator(String id, String incident, String manager) {
        OperatorCommandApplied hold = await("the actuator's hold applied").atMost(PATIENCE)
                .until(() -> stack.topics.decisions(id).stream().filter(OperatorCommandApplied.class::isInstance)
                        .map(OperatorCommandApplied.class::cast).filter(o -> o.command() == Command.HOLD).findFirst(),
                        Optional::isPresent).get();
        assertThat(hold.by()).isEqualTo("halt-supervisor-actuator");
        assertThat(hold.reason()).contains(incident + "/upgrade/0").contains("by " + manager);
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
                .contains("supervisor release").contains("supervisor retry");
        assertThat(stack.pagerDutyEvents(incident + "/action-failed")).as("not an action failure").isEmpty();
    }
}
