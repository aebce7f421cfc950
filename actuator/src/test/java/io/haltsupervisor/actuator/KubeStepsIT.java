package io.haltsupervisor.actuator;

import io.haltsupervisor.schemas.KubeNames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.actuator.kube.KubeStepExecutor;
import io.haltsupervisor.actuator.kube.KubeTargets;
import io.haltsupervisor.actuator.kube.DisruptionGate;
import io.haltsupervisor.actuator.page.Pagers;
import io.haltsupervisor.actuator.plan.Conditions;
import io.haltsupervisor.actuator.plan.Step;
import io.haltsupervisor.actuator.plan.Step.PageStep;
import io.haltsupervisor.actuator.plan.TargetKind;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.pager.PagerDutyReceiver;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each target kind (SeiNode, StatefulSet, Deployment) × each decision kind, against the sandbox's in-memory
 * Kubernetes API (fabric8's CRUD mock — an in-memory stand-in, not a real API server: it enforces no delete
 * preconditions and has no controllers, so "the pod was recreated" is not simulated here) and a loopback
 * PagerDuty. Decisions run through the real planner, policy and executors; only Kafka is left out
 * (results are collected in a list; {@code ActuatorServiceIT} covers Kafka).
 */
class KubeStepsIT {
    private static final String NS = "sei";
    private static final String NODE = NS + "/rpc-0";
    private static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    private static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    private static final String V7 = "ghcr.io/sei-protocol/seid:v7.0.0";
    private static final String INCIDENT = NODE + "#1";
    private static final Instant T = Instant.now();

    private final InMemoryKubernetes kube = InMemoryKubernetes.start();
    private final KubernetesClient client = kube.client();
    private final KubernetesClient actuatorClient = KubeTargets.actuatorClient(client, java.time.Duration.ofSeconds(10));
    private final PagerDutyReceiver pd = PagerDutyReceiver.start();
    private final List<ActionResultRecorded> results = new ArrayList<>();
    private final ActuatorConfig config = ActuatorConfig.fromEnv(Map.of("ACTUATOR_INSTANCE", "actuator-test-0",
            "ACTUATOR_PAGERDUTY_ROUTING_KEY", "routing-key-1", "ACTUATOR_PAGERDUTY_URL", pd.url().toString(),
            "ACTUATOR_RETRY_INITIAL_BACKOFF", "10ms", "ACTUATOR_RETRY_MAX_BACKOFF", "50ms"));
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        actuatorClient.close();
        pd.close();
        kube.close();
    }

    /** Runs a decision as a fresh actuator would (an empty index unless {@code index} is shared). */
    private List<ActionResultRecorded> run(Decision d, ResultsIndex index) throws InterruptedException {
        KubeTargets targets = new KubeTargets(actuatorClient);
        targets.detect();
        KubeStepExecutor kubeExec = new KubeStepExecutor(targets, config.containerName(), config.policy(),
                DisruptionGate.OPEN, Clock.systemUTC(), config.instance(), config.httpTimeout());
        Pagers pagers = new Pagers(config, http, Clock.systemUTC());
        int before = results.size();
        // this API has no SeiNode controller to roll an image out: the rollout step is run against hand-written
        // controller statuses in the confirmRollout tests below, and under the simulated controller in the cli e2e;
        // nor a StatefulSet controller to recreate pods: the hold step runs under the simulated fleet
        // (SimulatedFleetIT, the cli e2e HaltScenariosIT and GitOpsRevertIT)
        new DecisionRunner(config, index, targets::kindOf, (decision, step) -> step instanceof PageStep p
                ? pagers.execute(p) : step instanceof Step.ConfirmRollout || step instanceof Step.ConfirmHold
                ? StepOutcome.applied(NO_CONTROLLER)
                : kubeExec.execute(decision, step), new CollectingSink(results), Sleeper.SYSTEM,
                Clock.systemUTC(), () -> 0.5, StepHook.NONE, new ActuatorMetrics(new SimpleMeterRegistry())).run(d);
        return List.copyOf(results.subList(before, results.size()));
    }

    /** A fresh results index per run: every step runs (the re-runs below test what the cluster says). */
    private List<ActionResultRecorded> run(Decision d) throws InterruptedException {
        return run(d, new ResultsIndex());
    }

    private static final String NO_CONTROLLER = "not run: no SeiNode controller in this in-memory API";

    /** Final outcome per step, without the rollout and hold steps (no controllers here: see the run above). */
    private static Map<String, Outcome> outcomes(List<ActionResultRecorded> rs) {
        Map<String, Outcome> m = new java.util.LinkedHashMap<>();
        rs.stream().filter(r -> !r.step().equals("rollout") && !r.step().equals("hold"))
                .forEach(r -> m.put(r.step(), r.outcome()));
        return m;
    }

    /** What a first run of an image plan on {@code kind} records: applied, but a SeiNode's pod is its controller's. */
    private static Outcome firstRun(TargetKind kind, String step) {
        return step.equals("delete-pod") && (kind == TargetKind.SEINODE || kind == TargetKind.SEINETWORK_MEMBER)
                ? Outcome.ALREADY_APPLIED : Outcome.APPLIED;
    }

    // --- fixtures -------------------------------------------------------------------------------------------

    private static List<Container> containers(String image) {
        return List.of(new ContainerBuilder().withName("log-shipper").withImage("fluent/fluent-bit:3").build(),
                new ContainerBuilder().withName("seid").withImage(image).build());
    }

    private void seed(TargetKind kind, String image, int replicas) {
        switch (kind) {
            case SEINODE -> client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS)
                    .resource(new GenericKubernetesResourceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                            .withKind("SeiNode").withNewMetadata().withName("rpc-0").withNamespace(NS).endMetadata()
                            .withAdditionalProperties(Map.of("spec", new HashMap<>(Map.of("image", image,
                                    "chainId", "pacific-1")))).build()).create();
            case STATEFULSET -> client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                    .withNewMetadata().withName("rpc-0").withNamespace(NS).endMetadata()
                    .withNewSpec().withReplicas(replicas).withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                    .withNewTemplate().withNewSpec().withContainers(containers(image)).endSpec().endTemplate()
                    .endSpec().build()).create();
            case DEPLOYMENT -> client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                    .withNewMetadata().withName("rpc-0").withNamespace(NS).endMetadata()
                    .withNewSpec().withReplicas(replicas)
                    .withNewTemplate().withNewSpec().withContainers(containers(image)).endSpec().endTemplate()
                    .endSpec().build()).create();
            default -> throw new IllegalArgumentException(kind.name());
        }
    }

    private String podUid(String image) {
        Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("rpc-0-0")
                .withNamespace(NS).endMetadata().withNewSpec().withContainers(containers(image)).endSpec().build())
                .create();
        return pod.getMetadata().getUid();
    }

    private HasMetadata object(TargetKind kind) {
        return switch (kind) {
            case SEINODE -> client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS)
                    .withName("rpc-0").get();
            case STATEFULSET -> client.apps().statefulSets().inNamespace(NS).withName("rpc-0").get();
            case DEPLOYMENT -> client.apps().deployments().inNamespace(NS).withName("rpc-0").get();
            default -> throw new IllegalArgumentException(kind.name());
        };
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> spec(TargetKind kind) {
        return (Map<String, Object>) ((GenericKubernetesResource) object(kind)).getAdditionalProperties().get("spec");
    }

    private String image(TargetKind kind) {
        return switch (kind) {
            case SEINODE -> (String) spec(kind).get("image");
            case STATEFULSET -> client.apps().statefulSets().inNamespace(NS).withName("rpc-0").get().getSpec()
                    .getTemplate().getSpec().getContainers().get(1).getImage();
            default -> client.apps().deployments().inNamespace(NS).withName("rpc-0").get().getSpec().getTemplate()
                    .getSpec().getContainers().get(1).getImage();
        };
    }

    private int replicas(TargetKind kind) {
        return kind == TargetKind.STATEFULSET
                ? client.apps().statefulSets().inNamespace(NS).withName("rpc-0").get().getSpec().getReplicas()
                : client.apps().deployments().inNamespace(NS).withName("rpc-0").get().getSpec().getReplicas();
    }

    /** The Upgrading condition: from the SeiNode's status, or from the workload's annotation. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> condition(TargetKind kind) {
        HasMetadata o = object(kind);
        if (kind == TargetKind.SEINODE) {
            Map<String, Object> status = (Map<String, Object>) ((GenericKubernetesResource) o).getAdditionalProperties()
                    .get("status");
            List<Map<String, Object>> conditions = (List<Map<String, Object>>) status.get("conditions");
            return conditions.stream().filter(c -> "Upgrading".equals(c.get("type"))).findFirst().orElseThrow();
        }
        try {
            return Json.MAPPER.readValue(o.getMetadata().getAnnotations().get(KubeNames.CONDITION_ANNOTATION), Map.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<Event> events() {
        return client.events().v1().events().inNamespace(NS).list().getItems();
    }

    private Event onlyEvent(String reason) {
        List<Event> matching = events().stream().filter(e -> reason.equals(e.getReason())).toList();
        assertThat(matching).as("events with reason " + reason).hasSize(1);
        return matching.get(0);
    }

    private boolean podExists() {
        return client.pods().inNamespace(NS).withName("rpc-0-0").get() != null;
    }

    private static Decision.UpgradeDecided upgrade(String podUid) {
        return new Decision.UpgradeDecided(1, INCIDENT + "/upgrade/0", INCIDENT, NODE, T, 70, "v6", V6, V5,
                new Decision.ImageMappingRef("v6", V6, 151_000_000L, "configmap:sei/upgrades"), "rpc-0-0", podUid);
    }

    private static Decision.OperatorCommandApplied operator(Command c, boolean releasedQuarantine, String id) {
        return new Decision.OperatorCommandApplied(1, INCIDENT + "/operator/" + id, INCIDENT, NODE, T, id, c, "alice",
                "on it", releasedQuarantine, c.token() + " applied");
    }

    // --- the matrix -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "STATEFULSET", "DEPLOYMENT"})
    void upgradeSetsTheImageRecreatesTheOldPodWhereNeededAndReportsIt(TargetKind kind) throws Exception {
        seed(kind, V5, 1);
        String uid = podUid(V5);
        List<ActionResultRecorded> first = run(upgrade(uid));

        assertThat(image(kind)).isEqualTo(V6);
        assertThat(podExists()).as("a Deployment's rollout and a SeiNode's controller replace the pod themselves;"
                + " the actuator deletes it only for a plain StatefulSet").isEqualTo(kind.rollsPodItself());
        outcomes(first).forEach((step, outcome) -> assertThat(outcome).as(step).isEqualTo(firstRun(kind, step)));
        if (kind == TargetKind.SEINODE) {
            assertThat(first).filteredOn(r -> r.step().equals("delete-pod")).singleElement()
                    .satisfies(r -> assertThat(r.detail()).isEqualTo("pod sei/rpc-0-0 left to the controller of SeiNode"
                            + " sei/rpc-0: no update plan is active, and the one it builds for the new spec.image"
                            + " replaces the pod (replace-pod)"));
            assertThat(first).extracting(ActionResultRecorded::step).endsWith("rollout");
        }
        assertThat(first.get(0).target()).isEqualTo(kind.display() + " " + NODE);
        Map<String, Object> condition = condition(kind);
        assertThat(condition).containsEntry("type", "Upgrading").containsEntry("status", "True")
                .containsEntry("reason", "UpgradeStarted");
        assertThat(((Number) condition.get("observedGeneration")).longValue())
                .isEqualTo(object(kind).getMetadata().getGeneration());
        Event event = onlyEvent("UpgradeStarted");
        assertThat(event.getType()).isEqualTo("Normal");
        assertThat(event.getAction()).isEqualTo("Upgrade");
        assertThat(event.getReportingController()).isEqualTo("halt-supervisor");
        assertThat(event.getReportingInstance()).isEqualTo("actuator-test-0");
        assertThat(event.getEventTime()).isNotNull();
        assertThat(event.getNote()).contains(V6);
        if (kind == TargetKind.SEINODE) {
            assertThat(event.getRegarding().getKind()).isEqualTo("SeiNode");
            assertThat(event.getRegarding().getName()).isEqualTo("rpc-0");
        } else {
            assertThat(event.getRegarding().getKind()).isEqualTo("Pod");
            assertThat(event.getRegarding().getName()).isEqualTo("rpc-0-0");
            assertThat(event.getRegarding().getUid()).isEqualTo(uid);
            assertThat(event.getRelated().getKind()).isEqualTo(kind.display());
        }
        assertThat(pd.requests()).as("an upgrade pages no one").isEmpty();

        // a second actuator that never learnt the results (crash before recording): nothing changes
        Object transition = condition.get("lastTransitionTime");
        List<ActionResultRecorded> again = run(upgrade(uid));
        assertThat(outcomes(again).values()).containsOnly(Outcome.ALREADY_APPLIED);
        assertThat(image(kind)).isEqualTo(V6);
        assertThat(events()).hasSize(1);
        assertThat(condition(kind).get("lastTransitionTime")).isEqualTo(transition);
    }

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "STATEFULSET", "DEPLOYMENT"})
    void awaitMappingSetsUnknownPagesAndWarns(TargetKind kind) throws Exception {
        seed(kind, V5, 1);
        List<ActionResultRecorded> rs = run(new Decision.MappingAwaited(1, INCIDENT + "/await/0", INCIDENT, NODE, T, 70,
                "v6", Decision.WaitReason.ImageMappingMissing, "rpc-0-0"));
        assertThat(outcomes(rs)).containsExactly(Map.entry("page-trigger:pagerduty", Outcome.APPLIED),
                Map.entry("condition", Outcome.APPLIED), Map.entry("event", Outcome.APPLIED));
        assertThat(condition(kind)).containsEntry("status", "Unknown").containsEntry("reason", "ImageMappingMissing");
        assertThat(onlyEvent("ImageMappingMissing").getType()).isEqualTo("Warning");
        assertThat(pd.events()).hasSize(1);
        assertThat(pd.events().get(0).get("dedup_key").asText()).isEqualTo(INCIDENT);
        assertThat(image(kind)).isEqualTo(V5);
    }

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "STATEFULSET", "DEPLOYMENT"})
    void rollbackPagesThenRestoresThePreviousImage(TargetKind kind) throws Exception {
        seed(kind, V7, 1);
        String uid = podUid(V7);
        List<ActionResultRecorded> rs = run(new Decision.RollbackDecided(1, INCIDENT + "/rollback/0", INCIDENT, NODE, T,
                71, "v7", V5, V7, "rpc-0-0", uid));
        outcomes(rs).forEach((step, outcome) -> assertThat(outcome).as(step).isEqualTo(firstRun(kind, step)));
        assertThat(rs.get(0).step()).isEqualTo("page-trigger:pagerduty");
        assertThat(image(kind)).isEqualTo(V5);
        assertThat(podExists()).isEqualTo(kind.rollsPodItself());
        assertThat(condition(kind)).containsEntry("status", "True").containsEntry("reason", "RollbackStarted");
        assertThat(onlyEvent("RollbackStarted").getType()).isEqualTo("Warning");
        JsonNode page = pd.events().get(0);
        assertThat(page.get("payload").get("severity").asText()).isEqualTo("critical");
        assertThat(page.get("payload").get("class").asText()).isEqualTo("BinaryTooNew");
    }

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "STATEFULSET", "DEPLOYMENT"})
    void quarantineStopsTheNodeAndAReleaseRestoresIt(TargetKind kind) throws Exception {
        seed(kind, V5, 3);
        List<ActionResultRecorded> rs = run(new Decision.QuarantineDecided(1, INCIDENT + "/quarantine/0", INCIDENT,
                NODE, T, 72, "v6", V5, "rpc-0-0", null));
        assertThat(rs).extracting(ActionResultRecorded::outcome).containsOnly(Outcome.APPLIED);
        if (kind == TargetKind.SEINODE) {
            assertThat(spec(kind)).containsEntry("paused", true);
        } else {
            assertThat(replicas(kind)).isZero();
            assertThat(object(kind).getMetadata().getAnnotations())
                    .containsEntry(KubeNames.QUARANTINE_PREVIOUS_REPLICAS_ANNOTATION, "3")
                    .hasEntrySatisfying(KubeNames.QUARANTINE_REASON_ANNOTATION,
                            v -> assertThat(v).contains("downgrade detected"));
        }
        assertThat(condition(kind)).containsEntry("status", "False").containsEntry("reason", "Quarantined");
        assertThat(onlyEvent("Quarantined").getType()).isEqualTo("Warning");
        assertThat(pd.events().get(0).get("payload").get("class").asText()).isEqualTo("DowngradeDetected");
        Object transition = condition(kind).get("lastTransitionTime");

        List<ActionResultRecorded> released = run(operator(Command.RELEASE, true, "cmd-release"));
        assertThat(outcomes(released)).containsExactly(Map.entry("release-quarantine", Outcome.APPLIED),
                Map.entry("condition", Outcome.APPLIED), Map.entry("event", Outcome.APPLIED));
        if (kind == TargetKind.SEINODE) {
            assertThat(spec(kind)).containsEntry("paused", false);
        } else {
            assertThat(replicas(kind)).isEqualTo(3);
            assertThat(object(kind).getMetadata().getAnnotations()).doesNotContainKeys(
                    KubeNames.QUARANTINE_PREVIOUS_REPLICAS_ANNOTATION, KubeNames.QUARANTINE_REASON_ANNOTATION);
        }
        assertThat(condition(kind)).as("a release notes the condition without a status change")
                .containsEntry("status", "False").containsEntry("reason", "QuarantineReleased")
                .containsEntry("lastTransitionTime", transition);
        assertThat(onlyEvent("QuarantineReleased").getType()).isEqualTo("Normal");

        assertThat(run(operator(Command.RELEASE, true, "cmd-release-2")).get(0).outcome())
                .as("releasing twice").isEqualTo(Outcome.ALREADY_APPLIED);
    }

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "STATEFULSET", "DEPLOYMENT"})
    void pageOnlyDecisionPagesAndWarnsWithoutTouchingTheNode(TargetKind kind) throws Exception {
        seed(kind, V5, 1);
        String version = object(kind).getMetadata().getResourceVersion();
        List<ActionResultRecorded> rs = run(new Decision.HaltPaged(1, INCIDENT + "/page/0", INCIDENT, NODE, T, 84, null,
                Decision.Severity.error, Decision.PageReason.UnrecognisedHalt, "graceful but unrecognised halt code 84"));
        assertThat(rs).extracting(ActionResultRecorded::outcome).containsOnly(Outcome.APPLIED);
        assertThat(onlyEvent("UnrecognisedHalt").getType()).isEqualTo("Warning");
        assertThat(pd.events().get(0).get("payload").get("severity").asText()).isEqualTo("error");
        assertThat(object(kind).getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "STATEFULSET", "DEPLOYMENT"})
    void terminatePodDeletesTheHaltedPodOnce(TargetKind kind) throws Exception {
        seed(kind, V5, 1);
        String uid = podUid(V5);
        Decision d = new Decision.PodTerminationDecided(1, INCIDENT + "/terminate/0", INCIDENT, NODE, T, "rpc-0-0", uid,
                300);
        assertThat(run(d)).extracting(ActionResultRecorded::outcome).containsOnly(Outcome.APPLIED);
        assertThat(podExists()).isFalse();
        assertThat(onlyEvent("GraceWindowExpired").getType()).isEqualTo("Warning");
        String newUid = podUid(V5);
        assertThat(newUid).isNotEqualTo(uid);
        List<ActionResultRecorded> again = run(d);
        assertThat(again.get(0).outcome()).isEqualTo(Outcome.ALREADY_APPLIED);
        assertThat(again.get(0).detail()).contains("already replaced");
        assertThat(podExists()).as("the replacement pod is left alone").isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "STATEFULSET", "DEPLOYMENT"})
    void escalationPagesUnderItsOwnKey(TargetKind kind) throws Exception {
        seed(kind, V5, 1);
        run(new Decision.IncidentEscalated(1, INCIDENT + "/escalate/0", INCIDENT, NODE, T, 70, "v6", T.minusSeconds(900),
                "unresolved after 15m"));
        assertThat(pd.events()).hasSize(1);
        assertThat(pd.events().get(0).get("dedup_key").asText()).isEqualTo(INCIDENT + "/escalation");
        assertThat(onlyEvent("IncidentEscalated").getType()).isEqualTo("Warning");
    }

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "STATEFULSET", "DEPLOYMENT"})
    void resolveClearsThePagesAndTheCondition(TargetKind kind) throws Exception {
        seed(kind, V5, 1);
        ResultsIndex index = new ResultsIndex(); // one actuator: the resolve knows what the incident paged
        run(new Decision.MappingAwaited(1, INCIDENT + "/await/0", INCIDENT, NODE, T, 70, "v6",
                Decision.WaitReason.ImageMappingMissing, null), index);
        run(upgrade(podUid(V5)), index);
        List<ActionResultRecorded> rs = run(new Decision.IncidentResolved(1, INCIDENT + "/resolve/0", INCIDENT, NODE, T,
                70, "v6", V6, T.minusSeconds(60), "running target image"), index);
        assertThat(rs).extracting(ActionResultRecorded::outcome).containsOnly(Outcome.APPLIED);
        assertThat(condition(kind)).containsEntry("status", "False").containsEntry("reason", "Resolved");
        assertThat(onlyEvent("IncidentResolved").getType()).isEqualTo("Normal");
        assertThat(pd.events()).extracting(e -> e.get("event_action").asText() + " " + e.get("dedup_key").asText())
                .as("the page the incident triggered is resolved, and only that one")
                .containsExactly("trigger " + INCIDENT, "resolve " + INCIDENT);
    }

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "STATEFULSET", "DEPLOYMENT"})
    void operatorAckHoldAndRetry(TargetKind kind) throws Exception {
        seed(kind, V5, 1);
        ResultsIndex index = new ResultsIndex(); // one actuator: the ack knows what the incident paged
        run(new Decision.MappingAwaited(1, INCIDENT + "/await/0", INCIDENT, NODE, T, 70, "v6",
                Decision.WaitReason.ImageMappingMissing, null), index);
        Object transition = condition(kind).get("lastTransitionTime");

        run(operator(Command.ACK, false, "cmd-ack"), index);
        assertThat(pd.events()).extracting(e -> e.get("event_action").asText() + " " + e.get("dedup_key").asText())
                .as("only the triggered page is acknowledged").containsExactly("trigger " + INCIDENT,
                        "acknowledge " + INCIDENT);
        assertThat(onlyEvent("OperatorAcknowledged").getType()).isEqualTo("Normal");

        run(operator(Command.HOLD, false, "cmd-hold"));
        assertThat(condition(kind)).containsEntry("status", "Unknown").containsEntry("reason", "OperatorHold")
                .containsEntry("lastTransitionTime", transition);
        assertThat(onlyEvent("OperatorHold").getNote()).contains("alice");

        run(operator(Command.RETRY, false, "cmd-retry"));
        assertThat(onlyEvent("OperatorRetry").getType()).isEqualTo("Normal");
        assertThat(image(kind)).isEqualTo(V5);
    }

    // --- beyond the matrix ---------------------------------------------------------------------------------

    @Test
    void fleetDecisionsOnlyPage() throws Exception {
        ResultsIndex index = new ResultsIndex();
        run(new Decision.FleetHoldDecided(1, "_fleet#1/fleet-hold", "_fleet#1", null, T,
                List.of("sei/a-0", "sei/b-0", "sei/c-0"), 3, 600), index);
        run(new Decision.FleetReleased(1, "_fleet#1/fleet-release/cmd-2", "_fleet#1", null, T, "cmd-2", "bob", "ok"),
                index);
        assertThat(pd.events()).extracting(e -> e.get("event_action").asText() + " " + e.get("dedup_key").asText())
                .containsExactly("trigger _fleet#1", "resolve _fleet#1");
        assertThat(pd.events().get(0).get("payload").get("source").asText()).isEqualTo("fleet");
        assertThat(events()).isEmpty();
    }

    @Test
    void anImageFromAnotherRepositoryIsRefusedAndPaged() throws Exception {
        seed(TargetKind.STATEFULSET, V5, 1);
        Decision d = new Decision.UpgradeDecided(1, INCIDENT + "/upgrade/0", INCIDENT, NODE, T, 70, "v6",
                "docker.io/someone/seid:v6", V5, new Decision.ImageMappingRef("v6", "docker.io/someone/seid:v6", null,
                        "cli:mallory"), "rpc-0-0", null);
        List<ActionResultRecorded> rs = run(d);
        assertThat(outcomes(rs)).containsExactly(Map.entry("set-image", Outcome.REFUSED_BY_POLICY),
                Map.entry("failure-page-trigger:pagerduty", Outcome.APPLIED));
        assertThat(rs.get(0).detail()).contains("not in the repository");
        assertThat(image(TargetKind.STATEFULSET)).isEqualTo(V5);
        assertThat(pd.events().get(0).get("dedup_key").asText()).isEqualTo(INCIDENT + "/action-failed");
    }

    @Test
    void aNodeThatDoesNotExistFailsAndPages() throws Exception {
        List<ActionResultRecorded> rs = run(upgrade(null));
        assertThat(outcomes(rs)).containsExactly(Map.entry("set-image", Outcome.FAILED),
                Map.entry("failure-page-trigger:pagerduty", Outcome.APPLIED));
        assertThat(rs.get(0).detail()).isEqualTo("no SeiNode, StatefulSet or Deployment sei/rpc-0");
        assertThat(rs.get(0).target()).isEqualTo("node sei/rpc-0");
    }

    // --- SeiNodes a SeiNetwork owns ---------------------------------------------------------------------------

    /** A SeiNetwork {@code net} on {@code image} and its SeiNodes {@code net-0…} with a controller ownerReference. */
    private void seedNetwork(String image, int replicas) {
        GenericKubernetesResource network = client.genericKubernetesResources(InMemoryKubernetes.SEINETWORK_CONTEXT)
                .inNamespace(NS).resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion(InMemoryKubernetes.SEI_API_VERSION).withKind("SeiNetwork").withNewMetadata()
                        .withName("net").withNamespace(NS).endMetadata()
                        .withAdditionalProperties(Map.of("spec", new HashMap<>(Map.of("image", image, "replicas",
                                replicas, "genesis", Map.of("chainId", "arctic-1"))))).build()).create();
        for (int i = 0; i < replicas; i++) {
            client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS).resource(
                    new GenericKubernetesResourceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                            .withKind("SeiNode").withNewMetadata().withName("net-" + i).withNamespace(NS)
                            .addNewOwnerReference().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                            .withKind("SeiNetwork").withName("net").withUid(network.getMetadata().getUid())
                            .withController(true).endOwnerReference().endMetadata()
                            .withAdditionalProperties(Map.of("spec", new HashMap<>(Map.of("image", image,
                                    "chainId", "arctic-1")))).build()).create();
        }
    }

    private GenericKubernetesResource seiObject(io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext ctx,
            String name) {
        return client.genericKubernetesResources(ctx).inNamespace(NS).withName(name).get();
    }

    private static Decision.UpgradeDecided upgradeOf(String node) {
        String incident = NS + "/" + node + "#1";
        return new Decision.UpgradeDecided(1, incident + "/upgrade/0", incident, NS + "/" + node, T, 70, "v6", V6, V5,
                new Decision.ImageMappingRef("v6", V6, 151_000_000L, "configmap:sei/upgrades"), node + "-0", null);
    }

    @Test
    void aNetworkMembersUpgradeSetsTheSeiNetworksImageOnceForAllItsNodes() throws Exception {
        seedNetwork(V5, 3);
        KubeTargets targets = new KubeTargets(actuatorClient);
        targets.detect();
        assertThat(targets.kindOf("sei/net-1")).isEqualTo(TargetKind.SEINETWORK_MEMBER);
        assertThat(targets.resolve("sei/net-1").orElseThrow().imageHolder().display()).isEqualTo("SeiNetwork sei/net");

        List<ActionResultRecorded> first = run(upgradeOf("net-0"));
        assertThat(outcomes(first)).containsExactly(Map.entry("set-image", Outcome.APPLIED),
                Map.entry("delete-pod", Outcome.ALREADY_APPLIED), Map.entry("condition", Outcome.APPLIED),
                Map.entry("event", Outcome.APPLIED));
        assertThat(first.get(0).detail()).isEqualTo("SeiNetwork sei/net image " + V5 + " -> " + V6
                + " (the image of every node of the network; SeiNode sei/net-0 follows it)");
        assertThat((String) seiObject(InMemoryKubernetes.SEINETWORK_CONTEXT, "net").get("spec", "image")).isEqualTo(V6);
        assertThat((String) seiObject(InMemoryKubernetes.SEINODE_CONTEXT, "net-0").get("spec", "image"))
                .as("the child is left to the network's controller").isEqualTo(V5);
        assertThat(seiObject(InMemoryKubernetes.SEINODE_CONTEXT, "net-0").getMetadata().getAnnotations())
                .as("nothing we need is kept where the network rewrites it").isNullOrEmpty();

        for (String other : List.of("net-1", "net-2")) {
            List<ActionResultRecorded> rs = run(upgradeOf(other));
            assertThat(outcomes(rs)).containsExactly(Map.entry("set-image", Outcome.ALREADY_APPLIED),
                    Map.entry("delete-pod", Outcome.ALREADY_APPLIED), Map.entry("condition", Outcome.APPLIED),
                    Map.entry("event", Outcome.APPLIED));
            assertThat(rs.get(0).detail()).startsWith("SeiNetwork sei/net already has image " + V6);
        }
        long networkPatches = kube.requests().stream().filter(r -> "PATCH".equals(r.method())
                && r.path().contains("/seinetworks/net")).count();
        assertThat(networkPatches).as("one effective change for the whole network").isEqualTo(1);
    }

    @Test
    void aNetworkMemberIsNotQuarantinedButPagedWithTheReason() throws Exception {
        seedNetwork(V5, 3);
        String incident = "sei/net-1#1";
        List<ActionResultRecorded> rs = run(new Decision.QuarantineDecided(1, incident + "/quarantine/0", incident,
                "sei/net-1", T, 72, "v6", V5, "net-1-0", null));
        assertThat(outcomes(rs)).containsExactly(Map.entry("page-trigger:pagerduty", Outcome.APPLIED),
                Map.entry("quarantine", Outcome.REFUSED_BY_POLICY),
                Map.entry("failure-page-trigger:pagerduty", Outcome.APPLIED));
        assertThat(rs.get(1).detail()).contains("owned by SeiNetwork sei/net").contains("would be reverted")
                .contains("all 3 of its validators");
        assertThat((Object) seiObject(InMemoryKubernetes.SEINODE_CONTEXT, "net-1").get("spec", "paused")).isNull();
        assertThat((Object) seiObject(InMemoryKubernetes.SEINETWORK_CONTEXT, "net").get("spec", "paused")).isNull();
        assertThat(pd.events()).extracting(e -> e.path("payload").path("summary").asText())
                .anySatisfy(summary -> assertThat(summary).contains("would be reverted"));
    }

    @Test
    void aNetworkMemberWhoseNetworkIsGoneIsNotPatchedWhereTheChangeWouldNotLast() throws Exception {
        client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS).resource(
                new GenericKubernetesResourceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                        .withKind("SeiNode").withNewMetadata().withName("net-0").withNamespace(NS)
                        .addNewOwnerReference().withApiVersion(InMemoryKubernetes.SEI_API_VERSION).withKind("SeiNetwork")
                        .withName("net").withUid("gone").withController(true).endOwnerReference().endMetadata()
                        .withAdditionalProperties(Map.of("spec", new HashMap<>(Map.of("image", V5, "chainId", "c"))))
                        .build()).create();
        List<ActionResultRecorded> rs = run(upgradeOf("net-0"));
        assertThat(rs.get(0).step()).isEqualTo("set-image");
        assertThat(rs.get(0).outcome()).isEqualTo(Outcome.FAILED);
        assertThat(rs.get(0).detail()).contains("SeiNetwork sei/net").contains("not found");
        assertThat((String) seiObject(InMemoryKubernetes.SEINODE_CONTEXT, "net-0").get("spec", "image")).isEqualTo(V5);
    }

    @Test
    void aWorkloadWithoutTheSeidContainerFailsNamingTheSetting() throws Exception {
        client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                .withNewMetadata().withName("rpc-0").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(1).withNewTemplate().withNewSpec()
                .addNewContainer().withName("node").withImage(V5).endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        List<ActionResultRecorded> rs = run(upgrade(null));
        assertThat(rs.get(0).outcome()).isEqualTo(Outcome.FAILED);
        assertThat(rs.get(0).detail()).contains("no container named 'seid'").contains("ACTUATOR_CONTAINER_NAME");
    }

    @Test
    void anImageChangedByAnOperatorBeforeTheActuatorActsIsNotOverwritten() throws Exception {
        seed(TargetKind.SEINODE, "ghcr.io/sei-protocol/seid:v5.9.1-hotfix", 1);
        List<ActionResultRecorded> rs = run(upgrade(null));
        assertThat(rs.get(0).outcome()).isEqualTo(Outcome.FAILED);
        assertThat(rs.get(0).detail()).contains("changed meanwhile").contains("v5.9.1-hotfix");
        assertThat(image(TargetKind.SEINODE)).isEqualTo("ghcr.io/sei-protocol/seid:v5.9.1-hotfix");
    }

    @Test
    void withoutTheSeiNodeCrdWorkloadsAreTheTargets() throws Exception {
        try (InMemoryKubernetes plain = InMemoryKubernetes.startWithoutSeiNodes()) {
            KubeTargets targets = new KubeTargets(plain.client());
            assertThat(targets.detect()).isFalse();
            assertThat(targets.kindOf(NODE)).isEqualTo(TargetKind.MISSING);
            plain.client().apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                    .withNewMetadata().withName("rpc-0").withNamespace(NS).endMetadata().withNewSpec()
                    .withNewTemplate().withNewSpec().withContainers(containers(V5)).endSpec().endTemplate().endSpec()
                    .build()).create();
            assertThat(targets.kindOf(NODE)).isEqualTo(TargetKind.DEPLOYMENT);
            assertThat(targets.notFound("sei/x")).isEqualTo("no StatefulSet or Deployment sei/x");
        }
    }

    // --- the rollout step, against hand-written controller statuses ------------------------------------------

    private KubeStepExecutor rolloutExecutor(Duration timeout) {
        KubeTargets targets = new KubeTargets(actuatorClient);
        targets.detect();
        return new KubeStepExecutor(targets, "seid", config.policy(), DisruptionGate.OPEN, Clock.systemUTC(),
                "actuator-test-0", Duration.ofSeconds(10),
                new ActuatorConfig.RolloutSettings(timeout, Duration.ofMillis(20)));
    }

    /** Writes the SeiNode's status as its controller would (JSON merge patch on the status subresource). */
    private void controllerStatus(String currentImage, String updateStatus, String reason, String message,
            long observedGeneration) {
        Map<String, Object> status = new HashMap<>();
        status.put("currentImage", currentImage);
        status.put("conditions", List.of(Map.of("type", "NodeUpdateInProgress", "status", updateStatus,
                "reason", reason, "message", message, "lastTransitionTime", "2026-12-03T10:00:00Z",
                "observedGeneration", observedGeneration)));
        client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS).withName("rpc-0")
                .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                        Json.write(Map.of("status", status)));
    }

    private long generation() {
        return object(TargetKind.SEINODE).getMetadata().getGeneration();
    }

    @Test
    void confirmRolloutIsAppliedOnceTheControllerReportsTheImageAsCurrent() throws Exception {
        seed(TargetKind.SEINODE, V6, 1);
        controllerStatus(V6, "False", "UpdateComplete", "plan p1 completed", generation());
        StepOutcome outcome = rolloutExecutor(Duration.ofSeconds(5)).execute(upgrade(null),
                new Step.ConfirmRollout(V6));
        assertThat(outcome).isEqualTo(StepOutcome.applied("SeiNode sei/rpc-0 status.currentImage is " + V6
                + "; NodeUpdateInProgress=False/UpdateComplete (plan p1 completed)"));
    }

    @Test
    void confirmRolloutFailsWithTheControllersMessageOnUpdateFailedForTheCurrentSpec() throws Exception {
        seed(TargetKind.SEINODE, V6, 1);
        controllerStatus(V5, "False", "UpdateFailed", "plan p2 failed: replace-pod: boom", generation());
        StepOutcome outcome = rolloutExecutor(Duration.ofSeconds(5)).execute(upgrade(null),
                new Step.ConfirmRollout(V6));
        assertThat(outcome).isEqualTo(new StepOutcome.Failed("the SeiNode controller failed the update of SeiNode"
                + " sei/rpc-0 to " + V6 + ": NodeUpdateInProgress=False/UpdateFailed: plan p2 failed: replace-pod:"
                + " boom; status.currentImage is still " + V5));
    }

    @Test
    void confirmRolloutWaitsPastAnUpdateFailedOfAnEarlierSpecUntilTheImageIsCurrent() throws Exception {
        seed(TargetKind.SEINODE, V6, 1);
        controllerStatus(V5, "False", "UpdateFailed", "plan p0 failed: an earlier spec", generation() - 1);
        java.util.concurrent.CompletableFuture<StepOutcome> confirmed = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return rolloutExecutor(Duration.ofSeconds(20)).execute(upgrade(null),
                                new Step.ConfirmRollout(V6));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
        org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !confirmed.isDone());
        controllerStatus(V6, "False", "UpdateComplete", "plan p3 completed", generation());
        assertThat(confirmed.get(10, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(StepOutcome.Done.class)
                .extracting(StepOutcome::detail).asString().contains("plan p3 completed");
    }

    @Test
    void confirmRolloutFailsAfterTheTimeoutSayingWhatItLastSaw() throws Exception {
        seed(TargetKind.SEINODE, V6, 1);
        controllerStatus(V5, "True", "UpdateStarted", "image drift detected", generation());
        StepOutcome outcome = rolloutExecutor(Duration.ofMillis(200)).execute(upgrade(null),
                new Step.ConfirmRollout(V6));
        assertThat(outcome).isEqualTo(new StepOutcome.Failed("the SeiNode controller did not report " + V6
                + " rolled out within 200ms (ACTUATOR_ROLLOUT_TIMEOUT): status.currentImage " + V5
                + ", NodeUpdateInProgress=True/UpdateStarted (image drift detected)"));
    }
}
