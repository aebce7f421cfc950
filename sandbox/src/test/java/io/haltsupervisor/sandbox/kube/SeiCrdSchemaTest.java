package io.haltsupervisor.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.haltsupervisor.schemas.SeiResources;
import org.junit.jupiter.api.Test;

/** The sandbox's Sei CRDs define every field the project reads or writes, and reject fields they do not define. */
class SeiCrdSchemaTest {

    @Test
    void everyFieldTheProjectUsesIsDefinedByTheSandboxCrds() {
        assertThat(SeiResources.FIELDS_USED).isNotEmpty().allSatisfy(f -> assertThat(
                InMemoryKubernetes.schemaOf(f.plural()).orElseThrow().defines(f.pointer()))
                .as("%s defines %s", f.plural(), f.pointer()).isTrue());
    }

    @Test
    void aFieldNameThatIsNotInTheCrdIsNotDefined() {
        CrdSchema nodes = InMemoryKubernetes.schemaOf(SeiResources.SEINODE_PLURAL).orElseThrow();
        assertThat(nodes.defines("/status/runningImage")).isFalse();
        assertThat(nodes.defines("/spec/sidecar/image")).as("only kept as an unknown field").isFalse();
        assertThat(nodes.defines("/spec/podLabels/anything")).isTrue();
    }

    @Test
    void violationsNameUnknownFieldsAndWrongTypes() {
        CrdSchema nodes = InMemoryKubernetes.schemaOf(SeiResources.SEINODE_PLURAL).orElseThrow();
        JsonNode object = Serialization.unmarshal("{\"apiVersion\":\"sei.io/v1alpha1\",\"kind\":\"SeiNode\","
                + "\"metadata\":{\"name\":\"a\",\"annotations\":{\"k\":\"v\"}},\"spec\":{\"chainId\":\"c\",\"image\":"
                + "\"i\",\"paused\":\"yes\",\"sidecar\":{\"whatever\":1}},\"status\":{\"runningImage\":\"x\","
                + "\"conditions\":[{\"type\":\"T\",\"status\":\"Maybe\"}]}}", JsonNode.class);
        assertThat(nodes.violations(object)).containsExactlyInAnyOrder("spec.paused: expected boolean, got string",
                "unknown field \"status.runningImage\"",
                "status.conditions[0].status: unsupported value \"Maybe\", expected one of [\"True\",\"False\",\"Unknown\"]");
    }
}
