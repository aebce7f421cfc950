package io.haltsupervisor.cli.e2e;

import static io.haltsupervisor.cli.e2e.Chain.V5;
import static io.haltsupervisor.cli.e2e.Chain.V6;
import static io.haltsupervisor.cli.e2e.Chain.V6_HEIGHT;
import static io.haltsupervisor.cli.e2e.Chain.V7;
import static io.haltsupervisor.cli.e2e.Chain.V7_HEIGHT;
import static io.haltsupervisor.cli.e2e.Chain.V8_HEIGHT;
import static io.haltsupervisor.cli.e2e.Chain.V8_UNTRUSTED;
import static io.haltsupervisor.cli.e2e.E2eStack.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.haltsupervisor.cli.e2e.ClusterView.Condition;
import io.haltsupervisor.sandbox.fleet.NodeSpec;
import io.haltsupervisor.sandbox.fleet.NodeSpec.Workload;
import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import io.haltsupervisor.sandbox.fleet.SimulatedNode;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Decision.HaltPaged;
import io.haltsupervisor.schemas.Decision.IncidentResolved;
import io.haltsupervisor.schemas.Decision.MappingAwaited;
import io.haltsupervisor.schemas.Decision.OperatorCommandApplied;
import io.haltsupervisor.schemas.Decision.QuarantineDecided;
import io.haltsupervisor.schemas.Decision.RollbackDecided;
import io.haltsupervisor.schemas.Decision.UpgradeDecided;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.ObservationSource;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every halt scenario of the supervisor's contract, end to end on one stack ({@link E2eStack}): a simulated
 * {@code seid} halts (on {@code /status}, or by exit code), the pollers observe it, the decider decides, the
 * actuator acts on the (in-memory) cluster and pages PagerDuty (loopback receiver) and Alertmanager (real).
 * Each scenario asserts the topics (read committed), the cluster and the pages, that the node's decision log is
 * exactly the story's decisions — one per incident where the story has one; the exact sequence per incident
 * where it has several by design — and that no dead letter appeared.
 *
 * <p>Configuration beyond the suite's defaults: the fleet breaker is raised out of reach (several scenarios hit
 * 71/72 within its window; {@link FleetBreakerIT} tests it), and the image allow-list is Sei's own registry
 * ({@code v8}'s mapping points elsewhere: scenario 10). Dry-run has its own stack ({@link DryRunIT}).
 */
class HaltScenariosIT {
    @RegisterExtension
    static final E2eExtension E2E = E2eExtension.stack("scenarios").mapping("v6", Chain.mapping(V6, V6_HEIGHT))
            .mapping("v8", Chain.mapping(V8_UNTRUSTED, V8_HEIGHT))
            .env("DECIDER_BREAKER_THRESHOLD", "1000").env("ACTUATOR_IMAGE_ALLOW", Chain.IMAGE_ALLOW);
    static E2eStack stack;
    static Stories stories;
    SimulatedFleet fleet;

    /**
     * Every scenario: PagerDuty got one trigger per key the story paged, one resolve per such key once the
     * incident resolved, and nothing else (the extension stops the fleet afterwards).
     */
    @AfterEach
    void pagerDutyResolvedWhatWasTriggered() {
        for (String name : fleet.names()) {
            stack.assertPagerDutyResolvedExactlyWhatWasTriggered(SimulatedFleet.nodeId(name));
        }
    }

    // ------------------------------------------------------------------ 1. 70 with a mapping, stay-alive

    @Test
    @DisplayName("1. 70 with mapping, stay-alive SeiNode: upgraded, pod recreated, condition and event, resolved")
    void upgradesAStayAliveSeiNodeWhoseMappingExists() {
        upgradesAStayAliveNode("upgrade-seinode", Workload.SEINODE);
    }

    @Test
    @DisplayName("1b. 70 with mapping, stay-alive plain StatefulSet: template patched, pod recreated, resolved")
    void upgradesAStayAliveStatefulSetWhoseMappingExists() {
        upgradesAStayAliveNode("upgrade-statefulset", Workload.STATEFULSET);
    }

    private void upgradesAStayAliveNode(String name, Workload workload) {
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V5, V6_HEIGHT - 20, 0).withWorkload(workload));
        String id = node.nodeId();
        String incident = id + "#1";

        UpgradeDecided upgrade = stories.decision(incident + "/upgrade/0", UpgradeDecided.class);
        HaltObserved halt = stack.topics.halts(id).get(0);
        assertThat(halt.source()).as("seen on /status").isEqualTo(ObservationSource.STATUS);
        assertThat(halt.reasonCode()).isEqualTo(70);
        assertThat(halt.intent().planName()).isEqualTo("v6");
        assertThat(halt.intent().height()).isEqualTo(V6_HEIGHT);
        assertThat(upgrade.planName()).isEqualTo("v6");
        assertThat(upgrade.targetImage()).isEqualTo(V6);
        assertThat(upgrade.previousImage()).isEqualTo(V5);
        assertThat(upgrade.mapping().plan()).isEqualTo("v6");
        assertThat(upgrade.mapping().image()).isEqualTo(V6);
        assertThat(upgrade.podName()).isEqualTo(name + "-0");
        assertThat(upgrade.podUid()).isNotBlank();
        if (workload == Workload.SEINODE) {
            // the SeiNode's controller replaces the pod itself (replace-pod): the actuator does not delete it too,
            // and confirms the rollout from the SeiNode's status.currentImage and NodeUpdateInProgress
            stories.outcomes(upgrade, Map.of("set-image", "applied", "delete-pod", "already-applied", "condition",
                    "applied", "event", "applied", "rollout", "applied"));
            assertThat(stories.stepOrder(upgrade)).as("image, pod left to the controller, condition, event, rollout")
                    .containsExactly("set-image", "delete-pod", "condition", "event", "rollout");
        } else {
            // and confirms, for the hold window, that nobody set the template back and the new pod runs the image
            stories.outcomes(upgrade, Map.of("set-image", "applied", "delete-pod", "applied", "condition",
                    "applied", "event", "applied", "hold", "applied"));
            assertThat(stories.stepOrder(upgrade)).as("image, then pod, then condition and event, then hold")
                    .containsExactly("set-image", "delete-pod", "condition", "event", "hold");
            assertThat(stack.topics.results(upgrade)).filteredOn(r -> r.step().equals("hold"))
                    .extracting(r -> r.detail()).singleElement().asString().contains("kept " + V6)
                    .contains("runs " + V6);
        }

        IncidentResolved resolved = stories.decision(incident + "/resolve/1", IncidentResolved.class);
        assertThat(resolved.image()).isEqualTo(V6);
        stories.outcomes(resolved, Stories.resolveSteps(false));
        // exactly one decision for the halt (the upgrade), then the resolution; nothing else, nothing twice
        stack.assertDecisionLog(id, incident + "/upgrade/0", incident + "/resolve/1");

        // the cluster: new image, the halted pod replaced, condition and events
        assertThat(stack.cluster.nodeImage(name, workload)).isEqualTo(V6);
        assertThat(stack.cluster.templateImage(name)).isEqualTo(V6);
        assertThat(stack.cluster.podUid(name)).as("the halted pod was deleted and recreated")
                .isNotEqualTo(upgrade.podUid());
        assertThat(stack.cluster.pod(name).getSpec().getContainers().get(0).getImage()).isEqualTo(V6);
        assertThat(node.runningImage()).isEqualTo(V6);
        assertThat(node.ready()).isTrue();
        assertThat(stack.cluster.conditionHistory(name, workload)).extracting(Condition::toString)
                .containsExactly("True/UpgradeStarted", "False/Resolved");
        assertThat(stack.cluster.eventSummaries(name))
                .containsExactly("Normal Resolve/IncidentResolved", "Normal Upgrade/UpgradeStarted");
        Event upgraded = stack.cluster.events(name).stream().filter(e -> "UpgradeStarted".equals(e.getReason()))
                .findFirst().orElseThrow();
        if (workload == Workload.SEINODE) {
            assertThat(upgraded.getRegarding().getKind()).isEqualTo("SeiNode");
            assertThat(upgraded.getRelated().getName()).isEqualTo(name + "-0");
        } else {
            assertThat(upgraded.getRegarding().getKind()).isEqualTo("Pod");
            assertThat(upgraded.getRelated().getKind()).isEqualTo("StatefulSet");
        }
        assertThat(upgraded.getNote()).contains(V5 + " -> " + V6);

        // an upgrade pages no one
        assertThat(stack.pagerDutyTriggersAbout(id)).isEmpty();
        assertThat(stack.activeAlerts(id)).isEmpty();
        stack.assertNoDeadLetters();
    }

    // ------------------------------------------------------------------ 2. 70 by exit code only

    @Test
    @DisplayName("2. 70 from an older seid (no halt_intent): exit-code path, plan found by the mapping's height")
    void upgradesAnOlderSeidFromItsExitCodeFindingThePlanByHeight() {
        String name = "older-seid";
        // 5 s of blocks before the halt: the poller sees the node's height first (a heartbeat every second)
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V5, V6_HEIGHT - 50, 0).olderSeid()
                .withWorkload(Workload.STATEFULSET));
        String id = node.nodeId();
        String incident = id + "#1";

        UpgradeDecided upgrade = stories.decision(incident + "/upgrade/0", UpgradeDecided.class);
        assertThat(upgrade.planName()).as("found from the mapping's upgrade height").isEqualTo("v6");
        assertThat(upgrade.mapping().upgradeHeight()).isEqualTo(V6_HEIGHT);
        assertThat(upgrade.targetImage()).isEqualTo(V6);
        assertThat(upgrade.previousImage()).isEqualTo(V5);
        List<HaltObserved> halts = stack.topics.halts(id);
        assertThat(halts).isNotEmpty().allSatisfy(h -> {
            assertThat(h.source()).isEqualTo(ObservationSource.EXIT_CODE);
            assertThat(h.reasonCode()).isEqualTo(70);
            assertThat(h.intent()).isNull();
            assertThat(h.containerId()).isNotBlank();
        });
        // what the plan was found from: the node's last height seen on /status, just below the upgrade height
        List<Long> heights = stack.topics.nodeObservations(id).stream()
                .filter(NodeStatusObserved.class::isInstance).map(o -> ((NodeStatusObserved) o).latestBlockHeight())
                .toList();
        assertThat(heights).as("heights seen on /status before the halt").isNotEmpty()
                .first().satisfies(h -> assertThat(h).isBetween(V6_HEIGHT - 50, V6_HEIGHT - 1));
        stories.outcomes(upgrade, Map.of("set-image", "applied", "delete-pod", "applied", "condition", "applied",
                "event", "applied", "hold", "applied"));

        IncidentResolved resolved = stories.decision(incident + "/resolve/1", IncidentResolved.class);
        assertThat(resolved.image()).isEqualTo(V6);
        stories.outcomes(resolved, Stories.resolveSteps(false));
        // one decision for the halt however many exit-code observations (restarts) came before the upgrade
        stack.assertDecisionLog(id, incident + "/upgrade/0", incident + "/resolve/1");

        assertThat(stack.cluster.templateImage(name)).isEqualTo(V6);
        assertThat(stack.cluster.podUid(name)).isNotEqualTo(upgrade.podUid());
        assertThat(node.runningImage()).isEqualTo(V6);
        assertThat(stack.cluster.conditionHistory(name, Workload.STATEFULSET)).extracting(Condition::toString)
                .containsExactly("True/UpgradeStarted", "False/Resolved");
        assertThat(stack.cluster.eventSummaries(name))
                .containsExactly("Normal Resolve/IncidentResolved", "Normal Upgrade/UpgradeStarted");
        assertThat(stack.pagerDutyTriggersAbout(id)).isEmpty();
        stack.assertNoDeadLetters();
    }

    // ------------------------------------------------------------------ 3. 70 without a mapping

    @Test
    @DisplayName("3. 70 with no mapping: Upgrading=Unknown/ImageMappingMissing, Warning event, page; "
            + "mapping published later: upgraded, page resolved")
    void awaitsAMissingMappingThenUpgradesWhenItIsPublished() {
        String name = "await-mapping";
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V6, V7_HEIGHT - 20, 1));
        String id = node.nodeId();
        String incident = id + "#1";

        MappingAwaited awaited = stories.decision(incident + "/await-mapping/0", MappingAwaited.class);
        assertThat(awaited.planName()).isEqualTo("v7");
        assertThat(awaited.waitReason()).isEqualTo(Decision.WaitReason.ImageMappingMissing);
        stories.outcomes(awaited, Map.of("page-trigger:alertmanager", "applied", "page-trigger:pagerduty", "applied",
                "condition", "applied", "event", "applied"));
        assertThat(stack.cluster.condition(name, Workload.SEINODE)).extracting(Condition::toString)
                .isEqualTo("Unknown/ImageMappingMissing");
        assertThat(stack.cluster.eventSummaries(name)).containsExactly("Warning AwaitMapping/ImageMappingMissing");
        List<JsonNode> triggers = stack.pagerDutyTriggersAbout(id);
        assertThat(triggers).hasSize(1);
        assertThat(triggers.get(0).path("dedup_key").asText()).isEqualTo(incident);
        assertThat(triggers.get(0).path("routing_key").asText()).isEqualTo(E2eStack.ROUTING_KEY);
        assertThat(triggers.get(0).path("payload").path("severity").asText()).isEqualTo("critical");
        assertThat(Stories.labels(stories.activeAlert(incident))).contains(entry("alertname", "SeidHalted"),
                entry("node", id), entry("reason", "ImageMappingMissing"), entry("plan", "v7"),
                entry("severity", "critical"), entry("page", "halt"));
        assertThat(stack.cluster.seiNodeImage(name)).as("nothing applied while waiting").isEqualTo(V6);
        assertThat(node.ready()).isFalse();

        // the operator adds the mapping to the ConfigMap; the pollers mirror it, the decider decides again
        stack.cluster.putMapping(E2eStack.MAPPING_CONFIGMAP, "v7", Chain.mapping(V7, V7_HEIGHT));
        UpgradeDecided upgrade = stories.decision(incident + "/upgrade/1", UpgradeDecided.class);
        assertThat(upgrade.targetImage()).isEqualTo(V7);
        assertThat(upgrade.mapping().plan()).isEqualTo("v7");
        assertThat(stack.topics.values(Topics.IMAGE_MAPPINGS, "v7", ImageMappingChanged.class))
                .extracting(ImageMappingChanged::image).containsExactly(V7);
        stories.outcomes(upgrade, Map.of("set-image", "applied", "delete-pod", "already-applied", "condition",
                "applied", "event", "applied", "rollout", "applied"));
        IncidentResolved resolved = stories.decision(incident + "/resolve/2", IncidentResolved.class);
        assertThat(resolved.image()).isEqualTo(V7);
        stories.outcomes(resolved, Stories.resolveSteps(true));
        // three decisions by design, each once: await the mapping, upgrade when it arrives, resolve
        stack.assertDecisionLog(id, incident + "/await-mapping/0", incident + "/upgrade/1", incident + "/resolve/2");

        assertThat(stack.cluster.seiNodeImage(name)).isEqualTo(V7);
        assertThat(node.runningImage()).isEqualTo(V7);
        assertThat(stack.cluster.conditionHistory(name, Workload.SEINODE)).extracting(Condition::toString)
                .containsExactly("Unknown/ImageMappingMissing", "True/UpgradeStarted", "False/Resolved");
        assertThat(stack.cluster.eventSummaries(name)).containsExactly("Normal Resolve/IncidentResolved",
                "Normal Upgrade/UpgradeStarted", "Warning AwaitMapping/ImageMappingMissing");
        assertThat(stories.pagerDutyActions(incident)).containsExactly("trigger", "resolve");
        stories.noActiveAlert(id);
        stack.assertNoDeadLetters();
    }

    // ------------------------------------------------------------------ 4. 71

    @Test
    @DisplayName("4. 71: critical page at once, rollback to the previous running image; the too-new image is "
            + "never applied again, not after a second 71, not as an upgrade")
    void rollsBackATooNewBinaryAndNeverAppliesItAgain() {
        String name = "too-new";
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V5, 500_000, 0));
        String id = node.nodeId();
        stories.healthyOn(id, V5);

        // an operator ships a binary too new for the chain
        stack.cluster.shipImage(fleet, name, Workload.SEINODE, V6);
        RollbackDecided first = stories.decision(id + "#1/rollback/0", RollbackDecided.class);
        assertThat(first.reasonCode()).isEqualTo(71);
        assertThat(first.targetImage()).isEqualTo(V5);
        assertThat(first.tooNewImage()).isEqualTo(V6);
        // the too-new pod is replaced once: by the controller's plan for the rolled-back spec, or — when its plan to
        // the too-new image still waits in observe-image, which re-plans nothing — by the actuator
        stories.outcomesWithOldPod(first, Map.of("page-trigger:alertmanager", "applied", "page-trigger:pagerduty",
                "applied", "set-image", "applied", "condition", "applied", "event", "applied", "rollout", "applied"));
        assertThat(stories.stepOrder(first).subList(0, 2)).as("paged before anything else")
                .allMatch(step -> step.startsWith("page-trigger:"));
        stories.outcomes(stories.decision(id + "#1/resolve/1", IncidentResolved.class), Stories.resolveSteps(true));
        assertThat(stack.cluster.podDeletions(name)).as("the V5 pod for the too-new image, then the too-new pod; once"
                + " each").isEqualTo(2);
        assertThat(stack.cluster.conditionHistory(name, Workload.SEINODE)).extracting(Condition::toString)
                .containsExactly("True/RollbackStarted", "False/Resolved");
        assertThat(stack.cluster.eventSummaries(name)).contains("Warning Rollback/RollbackStarted");

        // healthy on the previous image again, and the same mistake once more
        assertThat(node.runningImage()).isEqualTo(V5);
        stack.cluster.shipImage(fleet, name, Workload.SEINODE, V6);
        RollbackDecided second = stories.decision(id + "#2/rollback/0", RollbackDecided.class);
        assertThat(second.targetImage()).isEqualTo(V5);
        assertThat(second.tooNewImage()).isEqualTo(V6);
        stories.outcomesWithOldPod(second, Map.of("page-trigger:alertmanager", "applied", "page-trigger:pagerduty",
                "applied", "set-image", "applied", "condition", "applied", "event", "applied", "rollout", "applied"));
        stories.outcomes(stories.decision(id + "#2/resolve/1", IncidentResolved.class), Stories.resolveSteps(true));

        // and the chain reaches v6, whose mapping is the image this node rejected: paged, not applied
        node.height(V6_HEIGHT - 5);
        HaltPaged refused = stories.decision(id + "#3/page/0", HaltPaged.class);
        assertThat(refused.reasonCode()).isEqualTo(70);
        assertThat(refused.pageReason()).isEqualTo(Decision.PageReason.TooNewImageRefused);
        assertThat(refused.severity()).isEqualTo(Decision.Severity.critical);
        stories.outcomes(refused, Map.of("page-trigger:alertmanager", "applied", "page-trigger:pagerduty", "applied",
                "event", "applied"));

        // three incidents: one decision per halt (rollback, rollback, page), plus the two resolutions
        stack.assertDecisionLog(id, id + "#1/rollback/0", id + "#1/resolve/1", id + "#2/rollback/0",
                id + "#2/resolve/1", id + "#3/page/0");
        assertThat(stack.topics.decisions(id)).noneMatch(d -> d instanceof UpgradeDecided);
        assertThat(stack.cluster.seiNodeImage(name)).isEqualTo(V5);
        assertThat(node.runningImage()).isEqualTo(V5);
        assertThat(stack.pagerDutyTriggersAbout(id)).extracting(e -> e.path("dedup_key").asText() + " "
                + e.path("payload").path("severity").asText())
                .containsExactly(id + "#1 critical", id + "#2 critical", id + "#3 critical");
        assertThat(Stories.labels(stories.activeAlert(id + "#3"))).contains(entry("reason", "TooNewImageRefused"));
        await("only incident #3's alert is still active").atMost(PATIENCE).until(() -> stack.activeAlerts(id)
                .stream().map(a -> a.path("labels").path("incident").asText()).toList().equals(List.of(id + "#3")));
        stack.assertNoDeadLetters();
    }

    // ------------------------------------------------------------------ 5. 72

    @Test
    @DisplayName("5. 72, SeiNode: critical page, quarantine (paused); nothing else until release")
    void quarantinesADowngradedSeiNodeUntilReleased() {
        quarantinesUntilReleased("downgrade-seinode", Workload.SEINODE);
    }

    @Test
    @DisplayName("5b. 72, plain StatefulSet: critical page, quarantine (scaled to 0); nothing else until release")
    void quarantinesADowngradedStatefulSetUntilReleased() {
        quarantinesUntilReleased("downgrade-statefulset", Workload.STATEFULSET);
    }

    private void quarantinesUntilReleased(String name, Workload workload) {
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V6, 1_500_000, 1).withWorkload(workload));
        String id = node.nodeId();
        String incident = id + "#1";
        stories.healthyOn(id, V6);

        // an operator rolls back past a completed upgrade
        stack.cluster.shipImage(fleet, name, workload, V5);
        QuarantineDecided quarantine = stories.decision(incident + "/quarantine/0", QuarantineDecided.class);
        assertThat(quarantine.reasonCode()).isEqualTo(72);
        assertThat(quarantine.image()).isEqualTo(V5);
        stories.outcomes(quarantine, Map.of("page-trigger:alertmanager", "applied", "page-trigger:pagerduty",
                "applied", "quarantine", "applied", "condition", "applied", "event", "applied"));
        if (workload == Workload.SEINODE) {
            assertThat(stack.cluster.seiNodePaused(name)).isTrue();
        } else {
            assertThat(stack.cluster.replicas(name)).isZero();
            assertThat(stack.cluster.statefulSet(name).getMetadata().getAnnotations())
                    .containsEntry("halt-supervisor.io/quarantine-previous-replicas", "1");
        }
        await("the quarantined node's pod is gone").atMost(PATIENCE).until(() -> stack.cluster.pod(name) == null);
        assertThat(stack.cluster.condition(name, workload)).extracting(Condition::toString)
                .isEqualTo("False/Quarantined");
        assertThat(stack.cluster.eventSummaries(name)).containsExactly("Warning Quarantine/Quarantined");
        assertThat(stack.pagerDutyTriggersAbout(id)).extracting(e -> e.path("payload").path("severity").asText())
                .containsExactly("critical");
        assertThat(Stories.labels(stories.activeAlert(incident))).contains(entry("reason", "DowngradeDetected"),
                entry("severity", "critical"));

        // nothing else happens until an operator releases it: no decision, no restart, no new image
        await("nothing happens to a quarantined node").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> stack.topics.decisions(id).size() == 1 && stack.cluster.pod(name) == null
                        && V5.equals(stack.cluster.nodeImage(name, workload)));

        // the operator restores a correct binary, then releases the node (the CLI, as in the runbook)
        stack.cluster.setImage(name, workload, V6);
        stack.supervisor("release", id, "--by", "e2e-operator", "--reason", "restored " + V6);
        OperatorCommandApplied release = stories.firstDecision(id, OperatorCommandApplied.class);
        assertThat(release.command()).isEqualTo(OperatorCommandIssued.Command.RELEASE);
        assertThat(release.releasedQuarantine()).isTrue();
        assertThat(release.by()).isEqualTo("e2e-operator");
        stories.outcomes(release, Map.of("release-quarantine", "applied", "condition", "applied", "event",
                "applied"));
        IncidentResolved resolved = stories.decision(incident + "/resolve/1", IncidentResolved.class);
        assertThat(resolved.image()).isEqualTo(V6);
        stories.outcomes(resolved, Stories.resolveSteps(true));
        // one decision for the halt (quarantine), the operator's release, the resolution: each once
        stack.assertDecisionLog(id, incident + "/quarantine/0", release.decisionId(), incident + "/resolve/1");

        assertThat(node.runningImage()).isEqualTo(V6);
        assertThat(node.ready()).isTrue();
        if (workload == Workload.SEINODE) {
            assertThat(stack.cluster.seiNodePaused(name)).isFalse();
        } else {
            assertThat(stack.cluster.replicas(name)).isEqualTo(1);
        }
        assertThat(stack.cluster.conditionHistory(name, workload)).extracting(Condition::toString)
                .containsExactly("False/Quarantined", "False/QuarantineReleased", "False/Resolved");
        assertThat(stories.pagerDutyActions(incident)).containsExactly("trigger", "resolve");
        stories.noActiveAlert(id);
        stack.assertNoDeadLetters();
    }

    // ------------------------------------------------------------------ 6. 73 (reserved)

    @Test
    @DisplayName("6. 73 (reserved): paged as an unrecognised graceful halt, no cluster change")
    void pagesAReservedCodeWithoutTouchingTheCluster() {
        String name = "reserved-code";
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V5, 500_000, 0));
        String id = node.nodeId();
        String incident = id + "#1";
        stories.healthyOn(id, V5);
        String podUid = stack.cluster.podUid(name);

        node.forceHalt(73);
        HaltPaged page = stories.decision(incident + "/page/0", HaltPaged.class);
        assertThat(page.reasonCode()).isEqualTo(73);
        assertThat(page.pageReason()).isEqualTo(Decision.PageReason.UnrecognisedHalt);
        assertThat(stack.topics.halts(id)).first().satisfies(h -> {
            assertThat(h.reasonCode()).isEqualTo(73);
            assertThat(h.reason()).isEqualTo("reserved_upgrade");
        });
        stories.outcomes(page, Map.of("page-trigger:alertmanager", "applied", "page-trigger:pagerduty", "applied",
                "event", "applied"));
        assertThat(stack.pagerDutyTriggersAbout(id)).hasSize(1).first()
                .satisfies(e -> assertThat(e.path("payload").path("summary").asText()).contains("73"));
        assertThat(Stories.labels(stories.activeAlert(incident))).contains(entry("reason", "UnrecognisedHalt"));

        // no cluster change at all
        assertThat(stack.cluster.seiNodeImage(name)).isEqualTo(V5);
        assertThat(stack.cluster.seiNodePaused(name)).isFalse();
        assertThat(stack.cluster.replicas(name)).isEqualTo(1);
        assertThat(stack.cluster.podUid(name)).isEqualTo(podUid);
        assertThat(stack.cluster.condition(name, Workload.SEINODE)).isNull();
        assertThat(stack.cluster.eventSummaries(name)).containsExactly("Warning Page/UnrecognisedHalt");

        // once a human has dealt with it, the node runs again and the page resolves
        node.clearForcedHalt();
        stories.outcomes(stories.decision(incident + "/resolve/1", IncidentResolved.class), Stories.resolveSteps(true));
        // one decision for the halt (the page), then the resolution
        stack.assertDecisionLog(id, incident + "/page/0", incident + "/resolve/1");
        assertThat(stack.cluster.podUid(name)).isEqualTo(podUid);
        assertThat(stories.pagerDutyActions(incident)).containsExactly("trigger", "resolve");
        stories.noActiveAlert(id);
        stack.assertNoDeadLetters();
    }

    // ------------------------------------------------------------------ 7. crash loop

    @Test
    @DisplayName("7. Crash loop: the same exit code across 5 restarts is one incident, one decision, one page")
    void foldsACrashLoopIntoOneIncident() {
        String name = "crash-loop";
        // an older seid (no stay-alive) in a StatefulSet (restartPolicy Always), too new from its first run:
        // nothing to roll back to, so it is paged and keeps crash-looping until a human steps in
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V6, 500_000, 0).olderSeid()
                .withWorkload(Workload.STATEFULSET));
        String id = node.nodeId();
        String incident = id + "#1";

        HaltPaged page = stories.decision(incident + "/page/0", HaltPaged.class);
        assertThat(page.reasonCode()).isEqualTo(71);
        assertThat(page.pageReason()).isEqualTo(Decision.PageReason.NoPreviousImage);
        await("the initial exit and 5 restarts, each observed").atMost(PATIENCE)
                .until(() -> stack.topics.halts(id).size() >= 6 && node.restartCount() >= 5);
        // six exit-code observations, one incident, exactly one decision
        stack.assertDecisionLog(id, incident + "/page/0");
        List<HaltObserved> halts = stack.topics.halts(id);
        assertThat(halts).allSatisfy(h -> {
            assertThat(h.source()).isEqualTo(ObservationSource.EXIT_CODE);
            assertThat(h.reasonCode()).isEqualTo(71);
        });
        assertThat(halts).extracting(HaltObserved::containerId).as("one observation per container instance")
                .doesNotHaveDuplicates();
        assertThat(halts).extracting(HaltObserved::restartCount).contains(0, 1, 2, 3, 4, 5);
        stories.outcomes(page, Map.of("page-trigger:alertmanager", "applied", "page-trigger:pagerduty", "applied",
                "event", "applied"));
        assertThat(stack.pagerDutyTriggersAbout(id)).extracting(e -> e.path("dedup_key").asText())
                .containsExactly(incident);
        assertThat(Stories.labels(stories.activeAlert(incident))).contains(entry("reason", "NoPreviousImage"));
        assertThat(stack.activeAlerts(id)).hasSize(1);

        // a human puts the node on the image it should run: healthy, resolved
        stack.cluster.shipImage(fleet, name, Workload.STATEFULSET, V5);
        stories.outcomes(stories.decision(incident + "/resolve/1", IncidentResolved.class), Stories.resolveSteps(true));
        stack.assertDecisionLog(id, incident + "/page/0", incident + "/resolve/1");
        assertThat(stories.pagerDutyActions(incident)).containsExactly("trigger", "resolve");
        stories.noActiveAlert(id);
        stack.assertNoDeadLetters();
    }

    // ------------------------------------------------------------------ 8. cosmovisor

    @Test
    @DisplayName("8. Cosmovisor pod exiting 1: no halt decision; Warning event that the exit-code path is blind")
    void flagsCosmovisorWhoseExitCodeMasksTheHalt() {
        String name = "cosmovisor";
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V5, V6_HEIGHT - 20, 0).withCosmovisor()
                .withWorkload(Workload.STATEFULSET));
        String id = node.nodeId();

        // it reaches the upgrade height and halts (70), but cosmovisor exits 1, restart after restart
        PodStateObserved exited = await("the pod observed exiting 1").atMost(PATIENCE)
                .until(() -> stack.topics.podStates(id).stream()
                        .filter(p -> Integer.valueOf(1).equals(p.lastExitCode())).findFirst(),
                        Optional::isPresent).get();
        assertThat(exited.cosmovisor()).isTrue();
        assertThat(exited.ready()).isFalse();
        await("a few restarts").atMost(PATIENCE).until(() -> node.restartCount() >= 2);
        assertThat(stack.topics.podStates(id)).as("every pod observation flags cosmovisor")
                .allMatch(PodStateObserved::cosmovisor);

        Event warning = await("the CosmovisorDetected event").atMost(PATIENCE)
                .until(() -> stack.cluster.events(name).stream()
                        .filter(e -> "CosmovisorDetected".equals(e.getReason())).findFirst(),
                        Optional::isPresent).get();
        assertThat(warning.getType()).isEqualTo("Warning");
        assertThat(warning.getRegarding().getKind()).isEqualTo("Pod");
        assertThat(warning.getRegarding().getName()).isEqualTo(name + "-0");
        assertThat(warning.getNote()).contains("cosmovisor").contains("70-89");
        assertThat(stack.registry.get("halt_supervisor.podwatcher.cosmovisor.pods").gauge().value())
                .isGreaterThanOrEqualTo(1);

        // the exit-code path is blind: no halt observation, no decision, no page
        assertThat(stack.topics.halts(id)).isEmpty();
        stack.assertDecisionLog(id); // no incident, so no decision at all
        assertThat(stack.pagerDutyEventsAbout(id)).isEmpty();
        assertThat(stack.activeAlerts(id)).isEmpty();
        assertThat(stack.cluster.eventSummaries(name)).containsExactly("Warning DetectCosmovisor/CosmovisorDetected");
        stack.assertNoDeadLetters();
    }

    // ------------------------------------------------------------------ 10. allow-list

    @Test
    @DisplayName("10. Mapped image outside the allow-list: refused-by-policy, page, cluster unchanged")
    void refusesAMappedImageOutsideTheAllowList() {
        String name = "untrusted-image";
        SimulatedNode node = fleet.add(NodeSpec.seiNode(name, V7, V8_HEIGHT - 20, 2));
        String id = node.nodeId();
        String incident = id + "#1";

        UpgradeDecided upgrade = stories.decision(incident + "/upgrade/0", UpgradeDecided.class);
        assertThat(upgrade.targetImage()).isEqualTo(V8_UNTRUSTED);
        String podUid = upgrade.podUid();
        stories.outcomes(upgrade, Map.of("set-image", "refused-by-policy", "failure-page-trigger:alertmanager",
                "applied", "failure-page-trigger:pagerduty", "applied"));
        ActionResultRecorded refused = stack.topics.results(upgrade).stream()
                .filter(r -> r.step().equals("set-image")).findFirst().orElseThrow();
        assertThat(refused.detail()).contains(V8_UNTRUSTED);
        // exactly one decision: the refusal is the actuator's, the incident stays open with its human
        stack.assertDecisionLog(id, incident + "/upgrade/0");

        List<JsonNode> triggers = stack.pagerDutyTriggersAbout(id);
        assertThat(triggers).hasSize(1);
        assertThat(triggers.get(0).path("dedup_key").asText()).isEqualTo(incident + "/action-failed");
        assertThat(triggers.get(0).path("payload").path("severity").asText()).isEqualTo("critical");
        assertThat(Stories.labels(stories.activeAlert(incident))).contains(
                entry("alertname", "HaltSupervisorActionFailed"), entry("page", "action-failed"));

        // the cluster is as it was: same image, same (halted) pod, no condition, no event
        assertThat(stack.cluster.seiNodeImage(name)).isEqualTo(V7);
        assertThat(stack.cluster.templateImage(name)).isEqualTo(V7);
        assertThat(stack.cluster.podUid(name)).isEqualTo(podUid);
        assertThat(stack.cluster.condition(name, Workload.SEINODE)).isNull();
        assertThat(stack.cluster.eventSummaries(name)).isEmpty();
        assertThat(node.ready()).isFalse();
        stack.assertNoDeadLetters();
    }
}
