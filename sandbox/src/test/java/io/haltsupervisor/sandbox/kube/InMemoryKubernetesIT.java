package io.haltsupervisor.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the in-memory API does for us — and so what our code may rely on in tests. */
class InMemoryKubernetesIT {

    @Test
    void servesSeiNodesWithJsonPatchGuardedByTest() {
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            KubernetesClient client = kube.client();
            assertThat(client.apiextensions().v1().customResourceDefinitions()
                    .withName(InMemoryKubernetes.SEINODE_CRD_NAME).get()).isNotNull();
            var seiNodes = client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei");
            GenericKubernetesResource node = new GenericKubernetesResourceBuilder()
                    .withApiVersion(InMemoryKubernetes.SEI_API_VERSION).withKind(InMemoryKubernetes.SEINODE_KIND)
                    .withNewMetadata().withName("rpc-0").withNamespace("sei").endMetadata()
                    .withAdditionalProperties(Map.of("spec", Map.of("image", "ghcr.io/sei-protocol/seid:v5")))
                    .build();
            seiNodes.resource(node).create();

            seiNodes.withName("rpc-0").patch(PatchContext.of(PatchType.JSON), """
                    [{"op":"test","path":"/spec/image","value":"ghcr.io/sei-protocol/seid:v5"},
                     {"op":"replace","path":"/spec/image","value":"ghcr.io/sei-protocol/seid:v6"}]""");
            assertThat(seiNodes.withName("rpc-0").get().<String>get("spec", "image"))
                    .isEqualTo("ghcr.io/sei-protocol/seid:v6");

            assertThatThrownBy(() -> seiNodes.withName("rpc-0").patch(PatchContext.of(PatchType.JSON), """
                    [{"op":"test","path":"/spec/image","value":"ghcr.io/sei-protocol/seid:v5"},
                     {"op":"replace","path":"/spec/image","value":"ghcr.io/sei-protocol/seid:v7"}]"""))
                    .isInstanceOf(KubernetesClientException.class);
            assertThat(seiNodes.withName("rpc-0").get().<String>get("spec", "image"))
                    .as("the test op refused to overwrite an image changed meanwhile")
                    .isEqualTo("ghcr.io/sei-protocol/seid:v6");
        }
    }

    @Test
    void startsWithoutTheSeiNodeCrdWhenAsked() {
        try (InMemoryKubernetes kube = InMemoryKubernetes.startWithoutSeiNodes()) {
            assertThat(kube.client().apiextensions().v1().customResourceDefinitions()
                    .withName(InMemoryKubernetes.SEINODE_CRD_NAME).get()).isNull();
            assertThat(kube.url()).startsWith("http");
        }
    }
}
