package io.haltsupervisor.actuator;

import io.haltsupervisor.sandbox.kube.RbacCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.actuator.kube.DisruptionGate;
import io.haltsupervisor.actuator.kube.KubeStepExecutor;
import io.haltsupervisor.actuator.kube.KubeTargets;
import io.haltsupervisor.actuator.plan.Step.PageStep;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/base/actuator-rbac.yaml} grants exactly what the actuator uses: every step kind is run for
 * every target kind against an in-memory API server that records the calls; each call must be allowed by the
 * manifest's rules for the actuator's ServiceAccount, and each rule must be needed by some call.
 */
class RbacIT {
    private static final Path RBAC = Path.of("..", "deploy", "base", "actuator-rbac.yaml");
    private static final String SA = "halt-supervisor-actuator";
    private static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    private static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    private static final Instant T = Instant.now();

    @Test
    void theManifestGrantsExactlyTheCallsTheActuatorMakes() throws Exception {
        Set<RbacCall> calls = new LinkedHashSet<>();
        try (InMemoryKubernetes kube = InMemoryKubernetes.start();
                KubernetesClient actuatorClient = ActuatorClients.of(kube)) {
            KubernetesClient c = kube.client();
            c.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei").resource(
                    new GenericKubernetesResourceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                            .withKind("SeiNode").withNewMetadata().withName("a").withNamespace("sei").endMetadata()
                            .withAdditionalProperties(Map.of("spec", new HashMap<>(Map.of("image", V5)))).build())
                    .create();
            c.apps().statefulSets().inNamespace("sei").resource(new StatefulSetBuilder().withNewMetadata()
                    .withName("b").withNamespace("sei").endMetadata().withNewSpec().withReplicas(1).withNewTemplate()
                    .withNewSpec().addNewContainer().withName("seid").withImage(V5).endContainer().endSpec()
                    .endTemplate().endSpec().build()).create();
            c.apps().deployments().inNamespace("sei").resource(new DeploymentBuilder().withNewMetadata()
                    .withName("c").withNamespace("sei").endMetadata().withNewSpec().withReplicas(1).withNewTemplate()
                    .withNewSpec().addNewContainer().withName("seid").withImage(V5).endContainer().endSpec()
                    .endTemplate().endSpec().build()).create();
            GenericKubernetesResource network = c.genericKubernetesResources(InMemoryKubernetes.SEINETWORK_CONTEXT)
                    .inNamespace("sei").resource(new GenericKubernetesResourceBuilder()
                            .withApiVersion(InMemoryKubernetes.SEI_API_VERSION).withKind("SeiNetwork")
                            .withNewMetadata().withName("n").withNamespace("sei").endMetadata()
                            .withAdditionalProperties(Map.of("spec", new HashMap<>(Map.of("image", V5, "replicas", 1,
                                    "genesis", Map.of("chainId", "arctic-1")))))
                            .build()).create();
            c.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei").resource(
                    new GenericKubernetesResourceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                            .withKind("SeiNode").withNewMetadata().withName("n-0").withNamespace("sei")
                            .addNewOwnerReference().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                            .withKind("SeiNetwork").withName("n").withUid(network.getMetadata().getUid())
                            .withController(true).endOwnerReference().endMetadata()
                            .withAdditionalProperties(Map.of("spec", new HashMap<>(Map.of("image", V5)))).build())
                    .create();
            for (String pod : List.of("a-0", "b-0", "c-0", "n-0-0")) {
                c.pods().inNamespace("sei").resource(new PodBuilder().withNewMetadata().withName(pod)
                        .withNamespace("sei").endMetadata().withNewSpec().addNewContainer().withName("seid")
                        .withImage(V5).endContainer().endSpec().build()).create();
            }
            kube.clearRequests();

            ActuatorConfig config = ActuatorConfig.fromEnv(Map.of("ACTUATOR_RETRY_MAX_ATTEMPTS", "1"));
            KubeTargets targets = new KubeTargets(actuatorClient);
            targets.detect();
            // no SeiNode controller here: the rollout step reads the SeiNode (its calls are what counts) and gives up
            KubeStepExecutor exec = new KubeStepExecutor(targets, "seid", config.policy(), DisruptionGate.OPEN,
                    Clock.systemUTC(), "actuator-0", Duration.ofSeconds(10),
                    new ActuatorConfig.RolloutSettings(Duration.ofMillis(100), Duration.ofMillis(20)));
            DecisionRunner runner = new DecisionRunner(config, new ResultsIndex(), targets::kindOf, (d, s) ->
                    s instanceof PageStep ? StepOutcome.applied("pages are not Kubernetes calls") : exec.execute(d, s),
                    new CollectingSink(new java.util.ArrayList<>()), Sleeper.SYSTEM, Clock.systemUTC(), () -> 0.5,
                    StepHook.NONE,
                    new ActuatorMetrics(new SimpleMeterRegistry()));
            for (String name : List.of("a", "b", "c", "n-0")) {
                String node = "sei/" + name;
                String inc = node + "#1";
                String uid = c.pods().inNamespace("sei").withName(name + "-0").get().getMetadata().getUid();
                runner.run(new Decision.UpgradeDecided(1, inc + "/u", inc, node, T, 70, "v6", V6, V5,
                        new Decision.ImageMappingRef("v6", V6, null, "test"), name + "-0", uid));
                runner.run(new Decision.QuarantineDecided(1, inc + "/q", inc, node, T, 72, "v6", V6, null, null));
                runner.run(new Decision.OperatorCommandApplied(1, inc + "/r", inc, node, T, "r", Command.RELEASE, "a",
                        null, true, "released"));
                runner.run(new Decision.PodTerminationDecided(1, inc + "/t", inc, node, T, name + "-0", null, 1));
            }
            // a SeiNode CRD without the status subresource: the condition goes onto the object itself
            kube.failNext("PATCH", "/seinodes/a/status", 404, 1);
            runner.run(new Decision.MappingAwaited(1, "sei/a#2/w", "sei/a#2", "sei/a", T, 70, null,
                    Decision.WaitReason.PlanUnknown, null));

            for (InMemoryKubernetes.Request r : kube.requests()) {
                calls.add(RbacCall.of(r.method(), r.path()));
            }
        }

        List<HasMetadata> manifest;
        try (InputStream in = Files.newInputStream(RBAC); KubernetesClient parser = new io.fabric8.kubernetes.client
                .KubernetesClientBuilder().build()) {
            manifest = parser.load(in).items();
        }
        Map<String, List<PolicyRule>> clusterRoles = new HashMap<>();
        manifest.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .forEach(r -> clusterRoles.put(r.getMetadata().getName(), r.getRules()));
        List<PolicyRule> clusterWide = manifest.stream().filter(ClusterRoleBinding.class::isInstance)
                .map(ClusterRoleBinding.class::cast)
                .filter(b -> b.getSubjects().stream().anyMatch(s -> SA.equals(s.getName())))
                .flatMap(b -> clusterRoles.get(b.getRoleRef().getName()).stream()).toList();
        Map<String, List<PolicyRule>> perNamespace = new HashMap<>();
        manifest.stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast)
                .filter(b -> b.getSubjects().stream().anyMatch(s -> SA.equals(s.getName())))
                .forEach(b -> perNamespace.computeIfAbsent(b.getMetadata().getNamespace(), k -> new java.util.ArrayList<>())
                        .addAll(clusterRoles.get(b.getRoleRef().getName())));

        assertThat(calls).as("the actuator made calls").hasSizeGreaterThan(5);
        Set<String> usedGrants = new LinkedHashSet<>();
        for (RbacCall call : calls) {
            List<PolicyRule> rules = new java.util.ArrayList<>(clusterWide);
            if (call.namespace() != null) {
                rules.addAll(perNamespace.getOrDefault(call.namespace(), List.of()));
            }
            PolicyRule allowing = rules.stream().filter(call::allowedBy).findFirst().orElse(null);
            assertThat(allowing).as("a rule allowing " + call).isNotNull();
            usedGrants.add(call.group() + " " + call.resource() + " " + call.verb());
        }
        Set<String> granted = new LinkedHashSet<>();
        clusterRoles.values().forEach(rules -> rules.forEach(rule -> rule.getApiGroups().forEach(g ->
                rule.getResources().forEach(res -> rule.getVerbs().forEach(v -> granted.add(g + " " + res + " " + v))))));
        assertThat(granted).as("every grant is used by some call").containsExactlyInAnyOrderElementsOf(usedGrants);
    }
}
