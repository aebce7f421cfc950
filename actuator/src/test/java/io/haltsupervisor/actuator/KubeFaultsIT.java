package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.haltsupervisor.actuator.kube.DisruptionGate;
import io.haltsupervisor.actuator.kube.KubeStepExecutor;
import io.haltsupervisor.actuator.kube.KubeTargets;
import io.haltsupervisor.actuator.page.Pagers;
import io.haltsupervisor.actuator.plan.Step.PageStep;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes.Request;
import io.haltsupervisor.sandbox.pager.PagerDutyReceiver;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.Decision;
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
 * Failure paths against the sandbox's in-memory Kubernetes API, which answers like a real one where
 * fabric8's stock mock does not (422 for a failed JSON Patch {@code test} op, 409 for a stale UID
 * precondition on delete) and injects faults: the image guard, retries with backoff on 409/5xx, the pod UID
 * precondition, RBAC failures.
 */
class KubeFaultsIT {
    private static final String NS = "sei";
    private static final String NODE = NS + "/rpc-0";
    private static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    private static final String HOTFIX = "ghcr.io/sei-protocol/seid:v5.9.1-hotfix";
    private static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    private static final String INCIDENT = NODE + "#1";

    private InMemoryKubernetes kube = InMemoryKubernetes.start();
    private final PagerDutyReceiver pd = PagerDutyReceiver.start();
    private final List<ActionResultRecorded> results = new ArrayList<>();
    private final ActuatorConfig config = ActuatorConfig.fromEnv(Map.of("ACTUATOR_PAGERDUTY_ROUTING_KEY", "rk",
            "ACTUATOR_PAGERDUTY_URL", pd.url().toString(), "ACTUATOR_RETRY_INITIAL_BACKOFF", "10ms",
            "ACTUATOR_RETRY_MAX_BACKOFF", "20ms", "ACTUATOR_RETRY_MAX_ATTEMPTS", "4"));

    @AfterEach
    void stop() {
        pd.close();
        kube.close();
    }

    private List<String> run(KubernetesClient client, Decision d) throws InterruptedException {
        KubeTargets targets = new KubeTargets(client);
        targets.detect();
        // no SeiNode controller here: the rollout step of a SeiNode's plan gives up at once (see KubeStepsIT)
        KubeStepExecutor exec = new KubeStepExecutor(targets, "seid", config.policy(), DisruptionGate.OPEN,
                Clock.systemUTC(), "actuator-0", config.httpTimeout(),
                new ActuatorConfig.RolloutSettings(java.time.Duration.ofMillis(50), java.time.Duration.ofMillis(10)));
        Pagers pagers = new Pagers(config, HttpClient.newHttpClient(), Clock.systemUTC());
        results.clear();
        new DecisionRunner(config, new ResultsIndex(), targets::kindOf, (decision, step) -> step instanceof PageStep p
                ? pagers.execute(p) : exec.execute(decision, step), new CollectingSink(results), Sleeper.SYSTEM, Clock.systemUTC(),
                () -> 0.5, StepHook.NONE, new ActuatorMetrics(new SimpleMeterRegistry())).run(d);
        return results.stream().map(r -> r.step() + "=" + r.outcome().token() + "@" + r.attempt()).toList();
    }

    private void statefulSet(String image) {
        kube.client().apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                .withNewMetadata().withName("rpc-0").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(1).withNewTemplate().withNewSpec()
                .addNewContainer().withName("seid").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
    }

    private String stsImage() {
        return kube.client().apps().statefulSets().inNamespace(NS).withName("rpc-0").get().getSpec().getTemplate()
                .getSpec().getContainers().get(0).getImage();
    }

    private static Decision.UpgradeDecided upgrade(String previous, String podUid) {
        return new Decision.UpgradeDecided(1, INCIDENT + "/upgrade/0", INCIDENT, NODE, Instant.now(), 70, "v6", V6,
                previous, new Decision.ImageMappingRef("v6", V6, null, "configmap:sei/upgrades"), "rpc-0-0", podUid);
    }

    @Test
    void theJsonPatchTestGuardRefusesToOverwriteAnImageChangedMeanwhile() throws Exception {
        statefulSet(V5);
        KubernetesClient racing = ActuatorClients.racing(kube, "PATCH", "/statefulsets/rpc-0", () -> kube.client().apps()
                .statefulSets().inNamespace(NS).withName("rpc-0").patch(PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\""
                                + HOTFIX + "\"}]"));
        List<String> outcomes = run(racing, upgrade(V5, null));

        assertThat(stsImage()).as("the operator's hotfix survives").isEqualTo(HOTFIX);
        assertThat(outcomes).containsExactly("set-image=failed-retrying@1", "set-image=failed@2",
                "failure-page-trigger:pagerduty=applied@1");
        assertThat(results.get(0).detail()).contains("changed between read and patch");
        assertThat(results.get(1).detail()).contains("changed meanwhile").contains(HOTFIX);
        Request patch = kube.requests().stream().filter(r -> r.method().equals("PATCH")
                && r.path().contains("/statefulsets/rpc-0?") && r.body().contains(V6)).findFirst().orElseThrow();
        assertThat(patch.body()).contains("{\"op\":\"test\",\"path\":\"/spec/template/spec/containers/0/image\","
                + "\"value\":\"" + V5 + "\"}").contains("{\"op\":\"test\",\"path\":\"/spec/template/spec/containers/0/name\","
                        + "\"value\":\"seid\"}");
        assertThat(pd.events().get(0).get("payload").get("summary").asText()).contains("could not set image");
    }

    @Test
    void withoutAnExpectedImageALostRaceFailsAtOnce() throws Exception {
        kube.client().genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS)
                .resource(new GenericKubernetesResourceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                        .withKind("SeiNode").withNewMetadata().withName("rpc-0").withNamespace(NS).endMetadata()
                        .withAdditionalProperties(Map.of("spec", new HashMap<>(Map.of("image", V5)))).build()).create();
        KubernetesClient racing = ActuatorClients.racing(kube, "PATCH", "/seinodes/rpc-0", () -> kube.client()
                .genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS).withName("rpc-0")
                .patch(PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"replace\",\"path\":\"/spec/image\",\"value\":\"" + HOTFIX + "\"}]"));
        assertThat(run(racing, upgrade(null, null))).startsWith("set-image=failed@1");
        assertThat(results.get(0).detail()).contains("changed between read and patch").contains("not overwriting");
        assertThat(kube.client().genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS)
                .withName("rpc-0").get().<String>get("spec", "image")).isEqualTo(HOTFIX);
    }

    @Test
    void conflictsAndServerErrorsAreRetriedWithEachAttemptRecorded() throws Exception {
        statefulSet(V5);
        kube.failNext("PATCH", "/statefulsets/rpc-0", 409, 1);
        kube.failNext("PATCH", "/statefulsets/rpc-0", 503, 1);
        List<String> outcomes = run(ActuatorClients.of(kube), upgrade(V5, null));
        assertThat(outcomes).startsWith("set-image=failed-retrying@1", "set-image=failed-retrying@2",
                "set-image=applied@3");
        assertThat(results.get(0).detail()).contains("409");
        assertThat(results.get(1).detail()).contains("503");
        assertThat(stsImage()).isEqualTo(V6);
    }

    @Test
    void retriesGiveUpAfterTheLastAttemptAndPage() throws Exception {
        statefulSet(V5);
        kube.failNext("PATCH", "/statefulsets/rpc-0", 500, 10);
        List<String> outcomes = run(ActuatorClients.of(kube), upgrade(V5, null));
        assertThat(outcomes).containsExactly("set-image=failed-retrying@1", "set-image=failed-retrying@2",
                "set-image=failed-retrying@3", "set-image=failed@4", "failure-page-trigger:pagerduty=applied@1");
        assertThat(stsImage()).isEqualTo(V5);
    }

    @Test
    void podsAreDeletedWithAUidPrecondition() throws Exception {
        statefulSet(V5);
        String uid = kube.client().pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata()
                .withName("rpc-0-0").withNamespace(NS).endMetadata().withNewSpec().addNewContainer().withName("seid")
                .withImage(V5).endContainer().endSpec().build()).create().getMetadata().getUid();
        run(ActuatorClients.of(kube), upgrade(V5, uid));
        Request delete = kube.requests().stream().filter(r -> r.method().equals("DELETE")).findFirst().orElseThrow();
        assertThat(delete.path()).isEqualTo("/api/v1/namespaces/sei/pods/rpc-0-0");
        assertThat(delete.body()).isEqualTo("{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\","
                + "\"preconditions\":{\"uid\":\"" + uid + "\"}}");
        assertThat(kube.client().pods().inNamespace(NS).withName("rpc-0-0").get()).isNull();
    }

    @Test
    void aPodDeletionConflictRereadsAndFindsThePodReplaced() throws Exception {
        statefulSet(V5);
        String uid = kube.client().pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata()
                .withName("rpc-0-0").withNamespace(NS).endMetadata().withNewSpec().addNewContainer().withName("seid")
                .withImage(V5).endContainer().endSpec().build()).create().getMetadata().getUid();
        KubernetesClient racing = ActuatorClients.racing(kube, "DELETE", "/pods/rpc-0-0", () -> {
            // the StatefulSet controller replaced the pod between the actuator's read and its delete ...
            kube.client().pods().inNamespace(NS).withName("rpc-0-0").delete();
            kube.client().pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("rpc-0-0")
                    .withNamespace(NS).endMetadata().withNewSpec().addNewContainer().withName("seid").withImage(V6)
                    .endContainer().endSpec().build()).create();
            // ... so the API server fails the UID precondition with 409
        });
        List<String> outcomes = run(racing, upgrade(V5, uid));
        assertThat(outcomes).contains("delete-pod=failed-retrying@1", "delete-pod=already-applied@2");
        assertThat(results.stream().filter(r -> r.step().equals("delete-pod")).toList().get(1).detail())
                .contains("already replaced");
        assertThat(kube.client().pods().inNamespace(NS).withName("rpc-0-0").get()).as("the new pod is kept")
                .isNotNull();
    }

    /** A SeiNode whose controller carries spec.image into a StatefulSet (OnDelete) owning the pod. */
    private String seiNodeWithOwnedPod(String templateImage) {
        kube.client().genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS)
                .resource(new GenericKubernetesResourceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                        .withKind("SeiNode").withNewMetadata().withName("rpc-0").withNamespace(NS).endMetadata()
                        .withAdditionalProperties(Map.of("spec", new HashMap<>(Map.of("image", V5)))).build()).create();
        String stsUid = kube.client().apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                .withNewMetadata().withName("rpc-0-sts").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(1).withNewTemplate().withNewSpec()
                .addNewContainer().withName("seid").withImage(templateImage).endContainer().endSpec().endTemplate()
                .endSpec().build()).create().getMetadata().getUid();
        return kube.client().pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("rpc-0-0")
                .withNamespace(NS).addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet")
                .withName("rpc-0-sts").withUid(stsUid).withController(true).endOwnerReference().endMetadata()
                .withNewSpec().addNewContainer().withName("seid").withImage(V5).endContainer().endSpec().build())
                .create().getMetadata().getUid();
    }

    @Test
    void aSeiNodesPodIsLeftToItsControllerWhichReplacesItItself() throws Exception {
        String uid = seiNodeWithOwnedPod(V5);
        List<String> outcomes = run(ActuatorClients.of(kube), upgrade(V5, uid));
        assertThat(outcomes).startsWith("set-image=applied@1", "delete-pod=already-applied@1");
        assertThat(results.get(1).detail()).contains("left to the controller").contains("no update plan is active");
        assertThat(kube.client().pods().inNamespace(NS).withName("rpc-0-0").get())
                .as("no second, racing delete beside the controller's replace-pod").isNotNull();
        assertThat(kube.requests()).noneMatch(r -> "DELETE".equals(r.method()));
    }

    /** The SeiNode's status.plan as its controller writes it, with the replace-pod task at {@code replacePod}. */
    private void activePlan(String replacePod) {
        kube.client().genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS).withName("rpc-0")
                .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"plan\":{\"id\":"
                        + "\"p1\",\"phase\":\"Active\",\"tasks\":[{\"type\":\"apply-statefulset\",\"id\":\"t1\","
                        + "\"status\":\"Complete\"},{\"type\":\"replace-pod\",\"id\":\"t2\",\"status\":\""
                        + replacePod + "\"},{\"type\":\"observe-image\",\"id\":\"t3\",\"status\":\"Pending\"}]}}}");
    }

    @Test
    void aSeiNodesPodIsLeftToAnActivePlanWhoseReplacePodHasNotRunYet() throws Exception {
        String uid = seiNodeWithOwnedPod(V6);
        activePlan("Pending");
        List<String> outcomes = run(ActuatorClients.of(kube), upgrade(V5, uid));
        assertThat(outcomes).startsWith("set-image=applied@1", "delete-pod=already-applied@1");
        assertThat(results.get(1).detail()).contains("replace-pod has not run yet");
        assertThat(kube.requests()).noneMatch(r -> "DELETE".equals(r.method()));
    }

    @Test
    void aSeiNodesPodIsDeletedWhenItsActivePlanAlreadyRanReplacePodAndWillNotAgain() throws Exception {
        // an update plan to another image already replaced the pod and waits in observe-image; a spec.image
        // changed now is not re-planned, so nobody but the actuator replaces this pod (sei-k8s-controller
        // internal/planner/planner.go, internal/task/observe_image.go at 2d670ad8)
        String uid = seiNodeWithOwnedPod(V6);
        activePlan("Complete");
        List<String> outcomes = run(ActuatorClients.of(kube), upgrade(V5, uid));
        assertThat(outcomes).startsWith("set-image=applied@1", "delete-pod=applied@1");
        assertThat(kube.requests()).filteredOn(r -> "DELETE".equals(r.method())).singleElement()
                .satisfies(r -> assertThat(r.path()).endsWith("/pods/rpc-0-0"));
    }

    @Test
    void forbiddenIsPermanentAndPointsAtRbac() throws Exception {
        statefulSet(V5);
        kube.failNext("PATCH", "/statefulsets/rpc-0", 403, 1);
        List<String> outcomes = run(ActuatorClients.of(kube), upgrade(V5, null));
        assertThat(outcomes).startsWith("set-image=failed@1", "failure-page-trigger:pagerduty=applied@1");
        assertThat(results.get(0).detail()).contains("403").contains("RBAC");
    }

    @Test
    void aConditionWriteThatLostItsResourceVersionRaceIsRetried() throws Exception {
        statefulSet(V5);
        kube.failNext("PATCH", "/statefulsets/rpc-0", 422, 1);
        Decision d = new Decision.MappingAwaited(1, INCIDENT + "/await/0", INCIDENT, NODE, Instant.now(), 70, "v6",
                Decision.WaitReason.ImageMappingMissing, null);
        assertThat(run(ActuatorClients.of(kube), d)).containsSubsequence("condition=failed-retrying@1", "condition=applied@2");
    }

    @Test
    void aSeiNodeCrdWithoutAStatusSubresourceGetsItsConditionOnTheObject() throws Exception {
        kube.close();
        kube = InMemoryKubernetes.startWithoutSeiNodes();
        var crd = InMemoryKubernetes.seiNodeCrd();
        crd.getSpec().getVersions().get(0).setSubresources(null);
        kube.client().apiextensions().v1().customResourceDefinitions().resource(crd).create();
        kube.client().genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS)
                .resource(new GenericKubernetesResourceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                        .withKind("SeiNode").withNewMetadata().withName("rpc-0").withNamespace(NS).endMetadata()
                        .withAdditionalProperties(Map.of("spec", new HashMap<>(Map.of("image", V5)))).build()).create();
        kube.failNext("PATCH", "/seinodes/rpc-0/status", 404, 1);
        Decision d = new Decision.MappingAwaited(1, INCIDENT + "/await/0", INCIDENT, NODE, Instant.now(), 70, "v6",
                Decision.WaitReason.PlanUnknown, null);
        assertThat(run(ActuatorClients.of(kube), d)).contains("condition=applied@1");
        assertThat(kube.client().genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS)
                .withName("rpc-0").get().<List<Map<String, Object>>>get("status", "conditions").get(0))
                .containsEntry("reason", "PlanUnknown");
    }
}
