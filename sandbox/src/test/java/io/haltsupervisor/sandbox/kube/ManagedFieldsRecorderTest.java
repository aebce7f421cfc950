package io.haltsupervisor.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManagedFieldsRecorderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T1 = Instant.parse("2026-12-03T16:00:01.500Z");
    private static final Instant T2 = Instant.parse("2026-12-03T16:00:02Z");
    private static final String IMAGE = "k:{\"name\":\"seid\"}";

    private static JsonNode sts(String image) throws Exception {
        return JSON.readTree("{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"n\","
                + "\"resourceVersion\":\"7\"},\"spec\":{\"replicas\":1,\"template\":{\"spec\":{\"containers\":["
                + "{\"name\":\"seid\",\"image\":\"" + image + "\"}]}}}}");
    }

    private static JsonNode imageOwner(ArrayNode entries, String manager) {
        for (JsonNode e : entries) {
            if (e.path("manager").asText().equals(manager)) {
                return e.path("fieldsV1").path("f:spec").path("f:template").path("f:spec").path("f:containers")
                        .path(IMAGE).path("f:image");
            }
        }
        return null;
    }

    @Test
    void theManagerIsTheFieldManagerParameterElseTheUserAgentPrefix() {
        assertThat(ManagedFieldsRecorder.manager("/apis/apps/v1/x?fieldManager=halt-supervisor", "fabric8/7"))
                .isEqualTo("halt-supervisor");
        assertThat(ManagedFieldsRecorder.manager("/apis/apps/v1/x", "sei-k8s-controller/simulated"))
                .isEqualTo("sei-k8s-controller");
        assertThat(ManagedFieldsRecorder.manager("/apis/apps/v1/x", null)).isEqualTo("unknown");
    }

    @Test
    void theLastWriterOfAFieldOwnsItAndTheEarlierOneLosesIt() throws Exception {
        ArrayNode created = ManagedFieldsRecorder.record(null, sts("v5"), "argocd-controller", null, T1);
        assertThat(created).hasSize(1);
        assertThat(created.get(0).path("operation").asText()).isEqualTo("Update");
        assertThat(created.get(0).path("time").asText()).isEqualTo("2026-12-03T16:00:01Z");
        assertThat(imageOwner(created, "argocd-controller").isObject()).isTrue();

        ObjectNode before = (ObjectNode) sts("v5");
        ((ObjectNode) before.get("metadata")).set("managedFields", created);
        ArrayNode patched = ManagedFieldsRecorder.record(before, sts("v6"), "halt-supervisor", null, T2);
        assertThat(imageOwner(patched, "halt-supervisor").isObject()).isTrue();
        assertThat(imageOwner(patched, "argocd-controller").isMissingNode()).as("argocd keeps replicas, not the image")
                .isTrue();
        JsonNode argo = patched.get(0);
        assertThat(argo.path("fieldsV1").path("f:spec").has("f:replicas")).isTrue();
        assertThat(argo.path("fieldsV1").path("f:metadata").has("f:resourceVersion"))
                .as("system fields are nobody's").isFalse();
    }

    @Test
    void aStatusWriteCountsOnlyStatusAndIsItsOwnEntry() throws Exception {
        JsonNode before = JSON.readTree("{\"apiVersion\":\"sei.io/v1alpha1\",\"metadata\":{},\"spec\":{\"image\":\"a\"}}");
        JsonNode after = JSON.readTree("{\"apiVersion\":\"sei.io/v1alpha1\",\"metadata\":{},\"spec\":{\"image\":\"b\"},"
                + "\"status\":{\"currentImage\":\"a\"}}");
        ArrayNode entries = ManagedFieldsRecorder.record(before, after, "sei-k8s-controller", "status", T1);
        assertThat(entries).singleElement().satisfies(e -> {
            assertThat(e.path("subresource").asText()).isEqualTo("status");
            assertThat(e.path("fieldsV1").has("f:spec")).isFalse();
            assertThat(e.path("fieldsV1").path("f:status").has("f:currentImage")).isTrue();
        });
    }
}
