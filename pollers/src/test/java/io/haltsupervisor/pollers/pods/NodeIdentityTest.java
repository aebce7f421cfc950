package io.haltsupervisor.pollers.pods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeIdentityTest {
    private final Map<String, HasMetadata> objects = new HashMap<>();
    private final NodeIdentity.OwnerLookup lookup = (ns, kind, name) -> Optional.ofNullable(objects.get(kind + "/" + ns + "/" + name));

    static OwnerReference ref(String apiVersion, String kind, String name, Boolean controller) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name)
                .withUid(name + "-uid").withController(controller).build();
    }

    static Pod pod(OwnerReference... owners) {
        return new PodBuilder().withNewMetadata().withName("rpc-0").withNamespace("sei").withOwnerReferences(owners)
                .endMetadata().build();
    }

    @Test
    void podOfAStatefulSetOwnedByASeiNodeIsTheSeiNode() {
        objects.put("StatefulSet/sei/rpc-sts", new StatefulSetBuilder().withNewMetadata().withName("rpc-sts")
                .withNamespace("sei").withOwnerReferences(ref("sei.io/v1alpha1", "SeiNode", "rpc", true)).endMetadata()
                .build());
        assertThat(NodeIdentity.resolve(pod(ref("apps/v1", "StatefulSet", "rpc-sts", true)), lookup))
                .isEqualTo("sei/rpc");
    }

    @Test
    void podOfAPlainStatefulSetIsTheStatefulSet() {
        objects.put("StatefulSet/sei/rpc", new StatefulSetBuilder().withNewMetadata().withName("rpc")
                .withNamespace("sei").endMetadata().build());
        assertThat(NodeIdentity.resolve(pod(ref("apps/v1", "StatefulSet", "rpc", true)), lookup)).isEqualTo("sei/rpc");
    }

    @Test
    void aStatefulSetThatCannotBeFoundStillNamesTheNode() {
        assertThat(NodeIdentity.resolve(pod(ref("apps/v1", "StatefulSet", "gone", true)), lookup)).isEqualTo("sei/gone");
    }

    @Test
    void podOwnedDirectlyByASeiNodeIsTheSeiNode() {
        assertThat(NodeIdentity.resolve(pod(ref("sei.io/v1alpha1", "SeiNode", "val", true)), lookup))
                .isEqualTo("sei/val");
    }

    @Test
    void podOfADeploymentIsTheDeployment() {
        objects.put("ReplicaSet/sei/rpc-7d9f", new ReplicaSetBuilder().withNewMetadata().withName("rpc-7d9f")
                .withNamespace("sei").withOwnerReferences(ref("apps/v1", "Deployment", "rpc", true)).endMetadata().build());
        objects.put("Deployment/sei/rpc", new DeploymentBuilder().withNewMetadata().withName("rpc").withNamespace("sei")
                .endMetadata().build());
        assertThat(NodeIdentity.resolve(pod(ref("apps/v1", "ReplicaSet", "rpc-7d9f", true)), lookup))
                .isEqualTo("sei/rpc");
    }

    @Test
    void podOfADeploymentOwnedByASeiNodeIsTheSeiNode() {
        objects.put("ReplicaSet/sei/rpc-7d9f", new ReplicaSetBuilder().withNewMetadata().withName("rpc-7d9f")
                .withNamespace("sei").withOwnerReferences(ref("apps/v1", "Deployment", "rpc", true)).endMetadata().build());
        objects.put("Deployment/sei/rpc", new DeploymentBuilder().withNewMetadata().withName("rpc").withNamespace("sei")
                .withOwnerReferences(ref("sei.io/v1alpha1", "SeiNode", "archive", true)).endMetadata().build());
        assertThat(NodeIdentity.resolve(pod(ref("apps/v1", "ReplicaSet", "rpc-7d9f", true)), lookup))
                .isEqualTo("sei/archive");
    }

    @Test
    void podOfABareReplicaSetOrOtherOwnerOrNoneIsThePod() {
        objects.put("ReplicaSet/sei/lonely", new ReplicaSetBuilder().withNewMetadata().withName("lonely")
                .withNamespace("sei").endMetadata().build());
        assertThat(NodeIdentity.resolve(pod(ref("apps/v1", "ReplicaSet", "lonely", true)), lookup)).isEqualTo("sei/rpc-0");
        assertThat(NodeIdentity.resolve(pod(ref("batch/v1", "Job", "snapshot", true)), lookup)).isEqualTo("sei/rpc-0");
        assertThat(NodeIdentity.resolve(pod(), lookup)).isEqualTo("sei/rpc-0");
    }

    @Test
    void aSeiNodeKindFromAnotherGroupIsNotASeiNode() {
        assertThat(NodeIdentity.resolve(pod(ref("example.com/v1", "SeiNode", "impostor", true)), lookup))
                .isEqualTo("sei/rpc-0");
    }

    @Test
    void theControllerReferenceWinsOverOthers() {
        objects.put("StatefulSet/sei/rpc", new StatefulSetBuilder().withNewMetadata().withName("rpc")
                .withNamespace("sei").endMetadata().build());
        assertThat(NodeIdentity.resolve(pod(ref("v1", "ConfigMap", "cfg", false),
                ref("apps/v1", "StatefulSet", "rpc", true)), lookup)).isEqualTo("sei/rpc");
        assertThat(NodeIdentity.resolve(pod(ref("v1", "ConfigMap", "cfg", false),
                ref("apps/v1", "StatefulSet", "rpc", false)), lookup)).as("two non-controller refs: ambiguous")
                .isEqualTo("sei/rpc-0");
    }

    @Test
    void lookupFailuresPropagateSoTheCallerRetries() {
        NodeIdentity.OwnerLookup down = (ns, kind, name) -> {
            throw new IllegalStateException("API unavailable");
        };
        assertThatThrownBy(() -> NodeIdentity.resolve(pod(ref("apps/v1", "StatefulSet", "rpc", true)), down))
                .hasMessage("API unavailable");
    }
}
