package io.haltsupervisor.sandbox.fleet;

import io.haltsupervisor.schemas.KubeNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.kube.KubeApiExtension;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The simulator plays controller and kubelet on the in-memory API (not a real cluster). */
class SimulatedFleetIT {
    static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    static final ChainModel CHAIN = new ChainModel(List.of(new ChainModel.Upgrade("v6", 1_000, "{}")),
            Map.of(V5, 0, V6, 1));

    @RegisterExtension
    final KubeApiExtension kube = new KubeApiExtension();
    SimulatedSeidServer seids;
    SimulatedFleet fleet;
    KubernetesClient client;

    @BeforeEach
    void start() {
        client = kube.client();
        seids = SimulatedSeidServer.start();
        fleet = new SimulatedFleet(client, seids, CHAIN, Duration.ofHours(1), Duration.ZERO);
    }

    @AfterEach
    void stop() {
        fleet.close();
        seids.close();
    }

    private Pod pod(String name) {
        return client.pods().inNamespace(SimulatedFleet.NAMESPACE).withName(name + "-0").get();
    }

    private static ContainerStatus seid(Pod pod) {
        return pod.getStatus().getContainerStatuses().get(0);
    }

    private GenericKubernetesResource seiNode(String name) {
        return client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei")
                .withName(name).get();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> seiNodeStatus(String name) {
        Object status = seiNode(name).getAdditionalProperties().get("status");
        return status == null ? Map.of() : (Map<String, Object>) status;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> condition(String name, String type) {
        Object conditions = seiNodeStatus(name).get("conditions");
        if (conditions instanceof List<?> list) {
            for (Object c : list) {
                if (c instanceof Map<?, ?> m && type.equals(m.get("type"))) {
                    return (Map<String, Object>) m;
                }
            }
        }
        return Map.of();
    }

    private void ticks(int n) {
        for (int i = 0; i < n; i++) {
            fleet.tick();
        }
    }

    @Test
    void aSeiNetworkCreatesOwnedChildrenAndRewritesWhatOthersChangeOnThem() {
        SimulatedNetwork net = fleet.addNetwork("val", 3, NodeSpec.seiNode("val", V5, 500, 0));
        ticks(2);
        for (int i = 0; i < 3; i++) {
            GenericKubernetesResource child = seiNode("val-" + i);
            assertThat(child.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
                assertThat(ref.getKind()).isEqualTo("SeiNetwork");
                assertThat(ref.getController()).isTrue();
            });
            assertThat(child.getMetadata().getLabels()).containsEntry("sei.io/seinetwork", "val")
                    .containsEntry("sei.io/seinetwork-ordinal", Integer.toString(i));
            assertThat((String) child.get("spec", "image")).isEqualTo(V5);
            assertThat(pod("val-" + i)).isNotNull();
        }
        // someone sets a child's image and an annotation: the network puts both back on its next reconcile
        client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei").withName("val-1")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"x\":\"y\"}},"
                        + "\"spec\":{\"image\":\"" + V6 + "\",\"paused\":true}}");
        fleet.tick();
        assertThat((String) seiNode("val-1").get("spec", "image")).isEqualTo(V5);
        assertThat((Object) seiNode("val-1").get("spec", "paused")).isEqualTo(false);
        assertThat(seiNode("val-1").getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(net.image()).isEqualTo(V5);
        assertThat((Object) net.object().get("status", "upToDateReplicas")).isEqualTo(3);
    }

    @Test
    void aNetworkImageChangeRollsEveryChildThroughItsOwnUpdatePlan() {
        SimulatedNetwork net = fleet.addNetwork("roll", 2, NodeSpec.seiNode("roll", V5, 500, 0));
        ticks(2);
        List<String> uids = List.of(pod("roll-0").getMetadata().getUid(), pod("roll-1").getMetadata().getUid());
        client.genericKubernetesResources(InMemoryKubernetes.SEINETWORK_CONTEXT).inNamespace("sei").withName("roll")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"image\":\"" + V6 + "\"}}");
        fleet.tick();
        assertThat((Object) net.object().get("status", "upToDateReplicas")).isEqualTo(0);
        ticks(5);
        for (int i = 0; i < 2; i++) {
            assertThat(seiNodeStatus("roll-" + i)).containsEntry("currentImage", V6);
            assertThat(condition("roll-" + i, "NodeUpdateInProgress")).containsEntry("reason", "UpdateComplete");
            assertThat(pod("roll-" + i).getMetadata().getUid()).isNotEqualTo(uids.get(i));
            assertThat(seid(pod("roll-" + i)).getImage()).isEqualTo(V6);
        }
        assertThat((Object) net.object().get("status", "upToDateReplicas")).isEqualTo(2);
        assertThat(net.nodes()).extracting(SimulatedNode::runningImage).containsOnly(V6);
    }

    @Test
    void aConditionAnotherWriterAddsSurvivesTheControllersStatusWrites() {
        fleet.add(NodeSpec.seiNode("cond-0", V5, 500, 0));
        ticks(2);
        String rv = seiNode("cond-0").getMetadata().getResourceVersion();
        client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei").withName("cond-0")
                .subresource("status").patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"test\",\"path\":"
                        + "\"/metadata/resourceVersion\",\"value\":\"" + rv + "\"},{\"op\":\"add\",\"path\":"
                        + "\"/status/conditions/-\",\"value\":{\"type\":\"Upgrading\",\"status\":\"True\","
                        + "\"reason\":\"UpgradeStarted\",\"message\":\"m\",\"lastTransitionTime\":"
                        + "\"2026-01-01T00:00:00Z\"}}]");
        client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei").withName("cond-0")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"image\":\"" + V6 + "\"}}");
        ticks(6);
        assertThat(condition("cond-0", "NodeUpdateInProgress")).containsEntry("reason", "UpdateComplete");
        assertThat(condition("cond-0", "Upgrading")).as("kept by every status patch of the controller")
                .containsEntry("reason", "UpgradeStarted");
    }

    @Test
    void aFailingRolloutEndsWithUpdateFailedAndTheControllersMessage() {
        fleet.add(NodeSpec.seiNode("fail-0", V5, 500, 0));
        ticks(2);
        fleet.failUpdatesTo(V6, "image pull failed: manifest unknown");
        client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei").withName("fail-0")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"image\":\"" + V6 + "\"}}");
        ticks(3);
        assertThat(condition("fail-0", "NodeUpdateInProgress")).containsEntry("status", "False")
                .containsEntry("reason", "UpdateFailed");
        assertThat((String) condition("fail-0", "NodeUpdateInProgress").get("message"))
                .contains("replace-pod: image pull failed: manifest unknown");
        assertThat(seiNodeStatus("fail-0")).containsEntry("currentImage", V5);
    }

    @Test
    void aStayAliveNodeHaltsWith70AtTheUpgradeHeightAndRunsAgainOnTheNewImage() {
        SimulatedNode node = fleet.add(NodeSpec.seiNode("rpc-0", V5, 990, 0));
        fleet.tick();
        assertThat(seid(pod("rpc-0")).getReady()).isTrue();
        assertThat(pod("rpc-0").getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("StatefulSet");

        node.height(1_000);
        fleet.tick();
        assertThat(node.seid().intent().reason()).isEqualTo(70);
        assertThat(node.seid().intent().planName()).isEqualTo("v6");
        assertThat(node.seid().height()).isEqualTo(999);
        assertThat(seid(pod("rpc-0")).getReady()).isFalse();
        assertThat(seid(pod("rpc-0")).getState().getRunning()).as("stay-alive keeps running").isNotNull();

        String oldUid = pod("rpc-0").getMetadata().getUid();
        client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei").withName("rpc-0")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"image\":\"" + V6 + "\"}}");
        fleet.tick();
        assertThat(SimulatedFleet.seidContainerImage(client.apps().statefulSets().inNamespace("sei")
                .withName("rpc-0").get())).isEqualTo(V6);
        assertThat(condition("rpc-0", "NodeUpdateInProgress")).containsEntry("status", "True")
                .containsEntry("reason", "UpdateStarted");
        assertThat(seiNodeStatus("rpc-0")).containsEntry("currentImage", V5);

        // the controller's own plan deletes the halted pod (replace-pod) and observes the new image
        for (int i = 0; i < 4; i++) {
            fleet.tick();
        }
        assertThat(seiNodeStatus("rpc-0")).containsEntry("currentImage", V6).containsEntry("phase", "Running")
                .doesNotContainKey("plan");
        assertThat(condition("rpc-0", "NodeUpdateInProgress")).containsEntry("status", "False")
                .containsEntry("reason", "UpdateComplete");
        Pod recreated = pod("rpc-0");
        assertThat(recreated.getMetadata().getUid()).isNotEqualTo(oldUid);
        assertThat(seid(recreated).getImage()).isEqualTo(V6);
        assertThat(seid(recreated).getReady()).isTrue();
        assertThat(node.applied()).isEqualTo(1);
        assertThat(node.seid().intent()).isNull();
        assertThat(node.seid().version()).isEqualTo("v6.0.1");
    }

    @Test
    void anOlderSeidExitsWith70AndCrashLoopsWithRisingRestartCount() {
        SimulatedNode node = fleet.add(NodeSpec.seiNode("old-0", V5, 1_000, 0).olderSeid());
        fleet.tick();
        ContainerStatus first = seid(pod("old-0"));
        assertThat(first.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
        assertThat(first.getLastState().getTerminated().getExitCode()).isEqualTo(70);
        String firstContainer = first.getLastState().getTerminated().getContainerID();
        for (int restart = 1; restart <= 3; restart++) {
            fleet.tick(); // restart (zero back-off) and halt again
            ContainerStatus cs = seid(pod("old-0"));
            assertThat(cs.getRestartCount()).isEqualTo(restart);
            assertThat(cs.getLastState().getTerminated().getExitCode()).isEqualTo(70);
            assertThat(cs.getLastState().getTerminated().getContainerID()).isNotEqualTo(firstContainer);
        }
        assertThat(node.seid().intent()).isNull();
    }

    @Test
    void cosmovisorMasksTheCodeWith1() {
        fleet.add(NodeSpec.seiNode("cv-0", V5, 1_000, 0).withCosmovisor());
        fleet.tick();
        Pod pod = pod("cv-0");
        assertThat(seid(pod).getLastState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(pod.getSpec().getContainers().get(0).getCommand()).startsWith("cosmovisor");
        assertThat(pod.getSpec().getContainers().get(0).getEnv()).anyMatch(e -> e.getName().equals("DAEMON_NAME"));
    }

    @Test
    void aTooNewBinaryHaltsWith71AndADowngradeWith72() {
        SimulatedNode tooNew = fleet.add(NodeSpec.seiNode("new-0", V6, 500, 0));
        SimulatedNode downgraded = fleet.add(NodeSpec.seiNode("down-0", V5, 1_500, 1));
        fleet.tick();
        assertThat(tooNew.seid().intent().reason()).isEqualTo(71);
        assertThat(downgraded.seid().intent().reason()).isEqualTo(72);
    }

    @Test
    void aForcedReservedCodeHaltsStayAliveOrExitsUntilCleared() {
        SimulatedNode stayAlive = fleet.add(NodeSpec.seiNode("r-0", V5, 500, 0));
        SimulatedNode exiting = fleet.add(NodeSpec.seiNode("r-1", V5, 500, 0).olderSeid());
        fleet.tick();
        assertThat(stayAlive.ready()).isTrue();
        assertThat(exiting.ready()).isTrue();

        stayAlive.forceHalt(73);
        exiting.forceHalt(80);
        fleet.tick();
        assertThat(stayAlive.seid().intent().reason()).isEqualTo(73);
        assertThat(stayAlive.seid().intent().planName()).isNull();
        assertThat(stayAlive.ready()).isFalse();
        assertThat(seid(pod("r-1")).getLastState().getTerminated().getExitCode()).isEqualTo(80);

        stayAlive.clearForcedHalt();
        exiting.clearForcedHalt();
        fleet.tick(); // zero back-off: the exited one restarts now
        assertThat(stayAlive.seid().intent()).isNull();
        assertThat(stayAlive.ready()).isTrue();
        assertThat(exiting.ready()).isTrue();
        assertThat(exiting.restartCount()).isEqualTo(1);
    }

    @Test
    void forcingANonHaltCodeIsRefused() {
        SimulatedNode node = fleet.add(NodeSpec.seiNode("r-2", V5, 500, 0));
        assertThatThrownBy(() -> node.forceHalt(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70–89");
    }

    @Test
    void pausingASeiNodeScalesToZeroAndRemovesThePod() {
        fleet.add(NodeSpec.seiNode("q-0", V5, 500, 0));
        fleet.tick();
        assertThat(pod("q-0")).isNotNull();
        client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei").withName("q-0")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"paused\":true}}");
        fleet.tick();
        assertThat(client.apps().statefulSets().inNamespace("sei").withName("q-0").get().getSpec().getReplicas())
                .isZero();
        assertThat(pod("q-0")).isNull();
        assertThat(condition("q-0", "Paused")).containsEntry("status", "True").containsEntry("reason", "Paused");
    }

    @Test
    void aPlainStatefulSetNodeHasNoSeiNodeOwner() {
        fleet.add(NodeSpec.seiNode("sts-0", V5, 500, 0).withWorkload(NodeSpec.Workload.STATEFULSET));
        fleet.tick();
        assertThat(client.apps().statefulSets().inNamespace("sei").withName("sts-0").get().getMetadata()
                .getOwnerReferences()).isEmpty();
        assertThat(pod("sts-0").getMetadata().getAnnotations()).containsKey(KubeNames.STATUS_URL_ANNOTATION);
    }
}
