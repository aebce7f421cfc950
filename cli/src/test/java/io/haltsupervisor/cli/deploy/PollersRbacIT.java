package io.haltsupervisor.cli.deploy;

import io.haltsupervisor.sandbox.kube.RbacCall;
import io.haltsupervisor.schemas.KubeNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.pollers.PollersConfig;
import io.haltsupervisor.pollers.PollersService;
import io.haltsupervisor.sandbox.kafka.KafkaExtension;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.kube.KubeApiExtension;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pollers' RBAC in {@code deploy/base/pollers-rbac.yaml} against the calls the real {@link PollersService}
 * makes: it runs on an embedded broker and the sandbox's in-memory API server, which records every request,
 * over a fleet that exercises every call (a StatefulSet pod running cosmovisor — owner lookup and a Warning
 * event —, a Deployment's pod — ReplicaSet and Deployment lookups —, an image-mapping ConfigMap with an
 * invalid entry — a Warning event). Every call must be granted, and every grant must have been used: the
 * same two-way check as the actuator's {@code RbacIT}, and the source of the list
 * {@link DeployManifestsTest#POLLERS_NAMESPACED} mirrors.
 */
class PollersRbacIT {
    private static final String NS = "sei";
    private static final String SA = "halt-supervisor-pollers";
    @RegisterExtension
    final KafkaExtension kafka = new KafkaExtension();
    @RegisterExtension
    final KubeApiExtension kube = new KubeApiExtension();

    @Test
    void theManifestGrantsExactlyTheCallsThePollersMake() {
        Set<RbacCall> calls = new TreeSet<>(java.util.Comparator.comparing(RbacCall::toString));
        kafka.createTopics(1);
        KubernetesClient c = kube.client();
        c.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder().withNewMetadata().withName("rpc")
                .withNamespace(NS).endMetadata().withNewSpec().withReplicas(1).endSpec().build()).create();
        String stsUid = c.apps().statefulSets().inNamespace(NS).withName("rpc").get().getMetadata().getUid();
        c.pods().inNamespace(NS).resource(seidPod("rpc-0", owner("StatefulSet", "rpc", stsUid), true)).create();
        c.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata().withName("api")
                .withNamespace(NS).endMetadata().withNewSpec().withReplicas(1).endSpec().build()).create();
        String depUid = c.apps().deployments().inNamespace(NS).withName("api").get().getMetadata().getUid();
        c.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder().withNewMetadata()
                .withName("api-5d4f").withNamespace(NS).withOwnerReferences(owner("Deployment", "api", depUid))
                .endMetadata().build()).create();
        String rsUid = c.apps().replicaSets().inNamespace(NS).withName("api-5d4f").get().getMetadata().getUid();
        c.pods().inNamespace(NS).resource(seidPod("api-5d4f-x", owner("ReplicaSet", "api-5d4f", rsUid), false))
                .create();
        // a SeiNetwork's child SeiNode that reports no current image yet, with its StatefulSet and pod: the
        // pollers read the SeiNode's status.currentImage, then the network's status.nodes[]
        GenericKubernetesResource network = new GenericKubernetesResource();
        network.setApiVersion("sei.io/v1alpha1");
        network.setKind("SeiNetwork");
        network.setMetadata(new ObjectMetaBuilder().withName("net").withNamespace(NS).build());
        network.setAdditionalProperty("spec", Map.of("image", "ghcr.io/sei-protocol/seid:v5.9.0", "replicas", 1));
        String netUid = c.genericKubernetesResources(InMemoryKubernetes.SEINETWORK_CONTEXT).inNamespace(NS)
                .resource(network).create().getMetadata().getUid();
        GenericKubernetesResource child = new GenericKubernetesResource();
        child.setApiVersion("sei.io/v1alpha1");
        child.setKind("SeiNode");
        child.setMetadata(new ObjectMetaBuilder().withName("net-0").withNamespace(NS)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("sei.io/v1alpha1")
                        .withKind("SeiNetwork").withName("net").withUid(netUid).withController(true).build())
                .build());
        child.setAdditionalProperty("spec", Map.of("image", "ghcr.io/sei-protocol/seid:v5.9.0"));
        String childUid = c.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NS)
                .resource(child).create().getMetadata().getUid();
        c.pods().inNamespace(NS).resource(seidPod("net-0-0", new OwnerReferenceBuilder()
                .withApiVersion("sei.io/v1alpha1").withKind("SeiNode").withName("net-0").withUid(childUid)
                .withController(true).build(), false)).create();
        c.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("mappings")
                .withNamespace(NS).addToLabels(KubeNames.IMAGE_MAPPINGS_LABEL, "true").endMetadata()
                .addToData("v6", "ghcr.io/sei-protocol/seid:v6.0.1").addToData("v7", "not an image")
                .build()).create();
        kube.api().clearRequests();

        PollersConfig config = PollersConfig.fromEnv(Map.of("POLLER_NAMESPACES", NS, "POD_NAME", "pollers-0"));
        try (PollersService pollers = new PollersService(config, KafkaClientConfig.of(kafka.bootstrapServers()),
                new SimpleMeterRegistry(), c)) {
            pollers.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                List<String> seen = kube.api().requests().stream().map(r -> r.method() + " " + r.path()).toList();
                return pollers.ready()
                        && seen.stream().filter(s -> s.startsWith("POST") && s.contains("/events")).count() >= 2
                        && seen.stream().anyMatch(s -> s.contains("/deployments/api"))
                        && seen.stream().anyMatch(s -> s.contains("/statefulsets/rpc"))
                        && seen.stream().anyMatch(s -> s.contains("/seinetworks/net"));
            });
        }
        kube.api().requests().forEach(r -> calls.add(RbacCall.of(r.method(), r.path())));

        List<HasMetadata> rbac = Manifests.documents(Manifests.deploy().resolve("base/pollers-rbac.yaml")).stream()
                .map(Manifests::typed).toList();
        Map<String, Set<DeployManifestsTest.Grant>> granted = DeployManifestsTest.grants(rbac, "halt-supervisor", SA);
        assertThat(granted.keySet()).as("the pollers are granted rights in %s only", NS).containsExactly(NS);
        Set<DeployManifestsTest.Grant> used = new TreeSet<>(java.util.Comparator.comparing(Object::toString));
        List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> rules = rbac.stream().flatMap(o ->
                o instanceof io.fabric8.kubernetes.api.model.rbac.Role r ? r.getRules().stream()
                : o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRole cr ? cr.getRules().stream()
                : java.util.stream.Stream.empty()).toList();
        for (RbacCall call : calls) {
            assertThat(call.namespace()).as("%s stays in the watched namespace", call).isEqualTo(NS);
            assertThat(call.allowedByAny(rules)).as("a rule of pollers-rbac.yaml allows %s (resource names included)",
                    call).isTrue();
            used.add(new DeployManifestsTest.Grant(call.group(), call.resource(), call.verb(), null));
        }
        assertThat(used).as("calls the pollers made").containsExactlyInAnyOrderElementsOf(granted.get(NS));
        assertThat(used).as("the list DeployManifestsTest mirrors")
                .containsExactlyInAnyOrderElementsOf(DeployManifestsTest.POLLERS_NAMESPACED);
    }

    private static io.fabric8.kubernetes.api.model.OwnerReference owner(String kind, String name, String uid) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind(kind).withName(name).withUid(uid)
                .withController(true).build();
    }

    private static io.fabric8.kubernetes.api.model.Pod seidPod(String name,
            io.fabric8.kubernetes.api.model.OwnerReference owner, boolean cosmovisor) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels(KubeNames.APP_NAME_LABEL, "seid").withOwnerReferences(owner).endMetadata()
                .withNewSpec().addNewContainer().withName("seid").withImage("ghcr.io/sei-protocol/seid:v5.9.0")
                .withCommand(cosmovisor ? List.of("cosmovisor", "run", "start") : List.of("seid", "start"))
                .endContainer().endSpec().build();
    }

}
