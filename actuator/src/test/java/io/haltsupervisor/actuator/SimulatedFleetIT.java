package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.actuator.kube.DisruptionGate;
import io.haltsupervisor.actuator.kube.KubeStepExecutor;
import io.haltsupervisor.actuator.kube.KubeTargets;
import io.haltsupervisor.actuator.plan.Step.PageStep;
import io.haltsupervisor.sandbox.fleet.ChainModel;
import io.haltsupervisor.sandbox.fleet.NodeSpec;
import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import io.haltsupervisor.sandbox.fleet.SimulatedNode;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The actuator against the sandbox's simulated fleet (controllers and kubelet played over the in-memory API,
 * ticking in the background): a halted node ends up running the new image, a quarantined one stops and comes
 * back when released. Covers the SeiNode path where the SeiNode controller carries {@code spec.image} into an
 * {@code OnDelete} StatefulSet asynchronously.
 */
class SimulatedFleetIT {
    private static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    private static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    private static final ChainModel CHAIN = new ChainModel(List.of(new ChainModel.Upgrade("v6", 1_000, "{}")),
            Map.of(V5, 0, V6, 1));

    private InMemoryKubernetes kube;
    private SimulatedSeidServer seids;
    private SimulatedFleet fleet;
    private KubernetesClient actuatorClient;
    private final List<ActionResultRecorded> results = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        kube = InMemoryKubernetes.start();
        seids = SimulatedSeidServer.start();
        fleet = new SimulatedFleet(kube.client(), seids, CHAIN, Duration.ofHours(1), Duration.ZERO);
        actuatorClient = KubeTargets.actuatorClient(kube.client(), Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        fleet.close();
        actuatorClient.close();
        seids.close();
        kube.close();
    }

    private List<String> run(Decision d) throws InterruptedException {
        ActuatorConfig config = ActuatorConfig.fromEnv(Map.of("ACTUATOR_RETRY_INITIAL_BACKOFF", "50ms",
                "ACTUATOR_RETRY_MAX_BACKOFF", "200ms", "ACTUATOR_RETRY_MAX_ATTEMPTS", "20",
                "ACTUATOR_ROLLOUT_TIMEOUT", "20s", "ACTUATOR_ROLLOUT_POLL_INTERVAL", "50ms"));
        KubeTargets targets = new KubeTargets(actuatorClient);
        targets.detect();
        KubeStepExecutor exec = new KubeStepExecutor(targets, "seid", config.policy(), DisruptionGate.OPEN,
                Clock.systemUTC(), "actuator-0", Duration.ofSeconds(10), config.rollout());
        results.clear();
        new DecisionRunner(config, new ResultsIndex(), targets::kindOf, (decision, step) -> step instanceof PageStep
                ? StepOutcome.applied("pages are not under test here") : exec.execute(decision, step), new CollectingSink(results),
                Sleeper.SYSTEM, Clock.systemUTC(), () -> 0.5, StepHook.NONE,
                new ActuatorMetrics(new SimpleMeterRegistry())).run(d);
        return results.stream().filter(r -> r.outcome().isFinal()).map(r -> r.step() + "=" + r.outcome().token())
                .toList();
    }

    private SimulatedNode haltedAtTheUpgrade(NodeSpec spec) {
        SimulatedNode node = fleet.add(spec);
        fleet.tick();
        node.height(1_000);
        fleet.tick();
        assertThat(node.seid().intent().reason()).isEqualTo(70);
        assertThat(node.ready()).isFalse();
        return node;
    }

    private Decision.UpgradeDecided upgrade(SimulatedNode node) {
        String incident = node.nodeId() + "#1";
        String uid = kube.client().pods().inNamespace("sei").withName(node.podName()).get().getMetadata().getUid();
        return new Decision.UpgradeDecided(1, incident + "/upgrade/0", incident, node.nodeId(), Instant.now(), 70, "v6",
                V6, V5, new Decision.ImageMappingRef("v6", V6, 1_000L, "configmap:sei/upgrades"), node.podName(), uid);
    }

    @Test
    void aHaltedSeiNodeIsUpgradedByItsControllerWhichReplacesThePodItself() throws Exception {
        SimulatedNode node = haltedAtTheUpgrade(NodeSpec.seiNode("rpc-0", V5, 990, 0));
        Decision.UpgradeDecided upgrade = upgrade(node);
        fleet.start(Duration.ofMillis(100));
        assertThat(run(upgrade)).containsExactly("set-image=applied", "delete-pod=already-applied",
                "condition=applied", "event=applied", "rollout=applied");
        assertThat(results).filteredOn(r -> r.step().equals("delete-pod")).singleElement()
                .satisfies(r -> assertThat(r.detail()).as("the actuator leaves the pod to the SeiNode controller")
                        .contains("left to the controller"));
        await().atMost(Duration.ofSeconds(20)).until(() -> V6.equals(node.runningImage()) && node.ready());
        assertThat(kube.client().pods().inNamespace("sei").withName(node.podName()).get().getMetadata().getUid())
                .as("replaced by the controller's replace-pod").isNotEqualTo(upgrade.podUid());
    }

    @Test
    void aHaltedStatefulSetNodeIsUpgraded() throws Exception {
        SimulatedNode node = haltedAtTheUpgrade(NodeSpec.seiNode("val-0", V5, 990, 0)
                .withWorkload(NodeSpec.Workload.STATEFULSET));
        fleet.start(Duration.ofMillis(100));
        assertThat(run(upgrade(node))).containsExactly("set-image=applied", "delete-pod=applied",
                "condition=applied", "event=applied", "hold=applied");
        await().atMost(Duration.ofSeconds(20)).until(() -> V6.equals(node.runningImage()) && node.ready());
    }

    @Test
    void aQuarantinedSeiNodeStopsAndComesBackWhenReleased() throws Exception {
        SimulatedNode node = fleet.add(NodeSpec.seiNode("rpc-1", V5, 990, 0));
        fleet.start(Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(10)).until(node::ready);
        String incident = node.nodeId() + "#1";
        assertThat(run(new Decision.QuarantineDecided(1, incident + "/quarantine/0", incident, node.nodeId(),
                Instant.now(), 72, "v6", V5, node.podName(), null))).contains("quarantine=applied");
        await().atMost(Duration.ofSeconds(10)).until(() -> kube.client().pods().inNamespace("sei")
                .withName(node.podName()).get() == null);

        assertThat(run(new Decision.OperatorCommandApplied(1, incident + "/operator/c1", incident, node.nodeId(),
                Instant.now(), "c1", Command.RELEASE, "alice", "restored", true, "quarantine released")))
                .contains("release-quarantine=applied");
        await().atMost(Duration.ofSeconds(10)).until(node::ready);
        assertThat(results).extracting(ActionResultRecorded::outcome).doesNotContain(Outcome.FAILED);
    }
}
