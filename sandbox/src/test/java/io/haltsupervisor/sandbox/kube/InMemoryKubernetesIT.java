package io.haltsupervisor.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes.Request;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the in-memory API does for us — and so what our code may rely on in tests. */
class InMemoryKubernetesIT {
    private static final String V5 = "ghcr.io/sei-protocol/seid:v5";

    private final InMemoryKubernetes kube = InMemoryKubernetes.start();

    @AfterEach
    void stop() {
        kube.close();
    }

    /** A client without fabric8's own retries, so each fault shows; {@code timeout} per request. */
    private KubernetesClient plainClient(Duration timeout) {
        return kube.newClient(b -> b.withConfig(new ConfigBuilder(kube.client().getConfiguration())
                .withRequestRetryBackoffLimit(0).withRequestTimeout((int) timeout.toMillis()).build()));
    }

    private Pod pod(String name) {
        return kube.client().pods().inNamespace("sei").resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace("sei").endMetadata().withNewSpec().addNewContainer().withName("seid").withImage(V5)
                .endContainer().endSpec().build()).create();
    }

    /** DELETE with a DeleteOptions body, as the actuator sends it (fabric8's delete has no UID precondition). */
    private HttpResponse<String> deleteWith(String path, String deleteOptions) throws Exception {
        String base = kube.url().endsWith("/") ? kube.url() : kube.url() + "/";
        HttpRequest request = kube.client().getHttpClient().newHttpRequestBuilder().uri(base + path.substring(1))
                .delete("application/json", deleteOptions).build();
        return kube.client().getHttpClient().sendAsync(request, String.class).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aMergePatchReplacesAListInsteadOfAppendingToIt() {
        pod("merge-0");
        String status = "{\"status\":{\"containerStatuses\":[{\"name\":\"seid\",\"image\":\"%s\","
                + "\"ready\":%s,\"restartCount\":0,\"imageID\":\"\"}]}}";
        var pods = kube.client().pods().inNamespace("sei").withName("merge-0");
        pods.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), String.format(status, V5, false));
        pods.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), String.format(status, V5, true));
        assertThat(pods.get().getStatus().getContainerStatuses()).singleElement()
                .satisfies(cs -> assertThat(cs.getReady()).isTrue());
        pods.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"a\":\"1\"}}}");
        pods.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"a\":null,\"b\":\"2\"}}}");
        assertThat(pods.get().getMetadata().getLabels()).containsExactly(Map.entry("b", "2"));
    }

    @Test
    void aMergePatchWithAStaleResourceVersionIsAConflict() {
        pod("merge-1");
        var pods = kube.client().pods().inNamespace("sei").withName("merge-1");
        String stale = pods.get().getMetadata().getResourceVersion();
        pods.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"a\":\"1\"}}}");
        assertThatThrownBy(() -> pods.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{"
                + "\"resourceVersion\":\"" + stale + "\",\"labels\":{\"a\":\"2\"}}}"))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
        assertThat(pods.get().getMetadata().getLabels()).containsEntry("a", "1");
    }

    @Test
    void aWriteOfAFieldTheSeiCrdDoesNotDefineIsRefusedWith422() {
        var nodes = kube.client().genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei");
        nodes.resource(new GenericKubernetesResourceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                .withKind("SeiNode").withNewMetadata().withName("strict-0").withNamespace("sei").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("chainId", "c", "image", V5))).build()).create();
        assertThatThrownBy(() -> nodes.withName("strict-0").subresource("status").patch(PatchContext.of(
                PatchType.JSON), "[{\"op\":\"add\",\"path\":\"/status\",\"value\":{\"runningImage\":\"x\"}}]"))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining("unknown field \"status.runningImage\"");
        assertThatThrownBy(() -> nodes.withName("strict-0").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"paused\":\"yes\"}}"))
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("spec.paused: expected boolean");
        nodes.withName("strict-0").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"currentImage\":\"" + V5 + "\"}}");
        assertThat((String) nodes.withName("strict-0").get().get("status", "currentImage")).isEqualTo(V5);
    }

    @Test
    void servesSeiNodesWithJsonPatchGuardedByTestAndAnswersAFailedTestWith422AtOnce() {
        KubernetesClient client = kube.client();
        assertThat(client.apiextensions().v1().customResourceDefinitions()
                .withName(InMemoryKubernetes.SEINODE_CRD_NAME).get()).isNotNull();
        var seiNodes = client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace("sei");
        GenericKubernetesResource node = new GenericKubernetesResourceBuilder()
                .withApiVersion(InMemoryKubernetes.SEI_API_VERSION).withKind(InMemoryKubernetes.SEINODE_KIND)
                .withNewMetadata().withName("rpc-0").withNamespace("sei").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("image", V5)))
                .build();
        seiNodes.resource(node).create();

        seiNodes.withName("rpc-0").patch(PatchContext.of(PatchType.JSON), """
                [{"op":"test","path":"/spec/image","value":"ghcr.io/sei-protocol/seid:v5"},
                 {"op":"replace","path":"/spec/image","value":"ghcr.io/sei-protocol/seid:v6"}]""");
        assertThat(seiNodes.withName("rpc-0").get().<String>get("spec", "image"))
                .isEqualTo("ghcr.io/sei-protocol/seid:v6");

        long start = System.nanoTime();
        assertThatThrownBy(() -> seiNodes.withName("rpc-0").patch(PatchContext.of(PatchType.JSON), """
                [{"op":"test","path":"/spec/image","value":"ghcr.io/sei-protocol/seid:v5"},
                 {"op":"replace","path":"/spec/image","value":"ghcr.io/sei-protocol/seid:v7"}]"""))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
                    assertThat(e.getStatus().getMessage()).contains("rejected our request");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered, not timed out")
                .isLessThan(Duration.ofSeconds(3));
        assertThat(seiNodes.withName("rpc-0").get().<String>get("spec", "image"))
                .as("the test op refused to overwrite an image changed meanwhile")
                .isEqualTo("ghcr.io/sei-protocol/seid:v6");
    }

    @Test
    void aDeleteWhoseUidPreconditionNoLongerMatchesIsAConflictAndDeletesNothing() throws Exception {
        String oldUid = pod("rpc-0-0").getMetadata().getUid();
        kube.client().pods().inNamespace("sei").withName("rpc-0-0").delete();
        kube.client().pods().inNamespace("sei").withName("rpc-0-0").waitUntilCondition(p -> p == null, 5,
                TimeUnit.SECONDS);
        String newUid = pod("rpc-0-0").getMetadata().getUid();
        assertThat(newUid).isNotEqualTo(oldUid);

        HttpResponse<String> stale = deleteWith("/api/v1/namespaces/sei/pods/rpc-0-0",
                "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"preconditions\":{\"uid\":\"" + oldUid + "\"}}");
        assertThat(stale.code()).isEqualTo(409);
        Status status = Serialization.unmarshal(stale.body(), Status.class);
        assertThat(status.getReason()).isEqualTo("Conflict");
        assertThat(status.getMessage()).isEqualTo("Precondition failed: UID in precondition: " + oldUid
                + ", UID in object meta: " + newUid);
        assertThat(status.getDetails().getName()).isEqualTo("rpc-0-0");
        assertThat(status.getDetails().getKind()).isEqualTo("pods");
        assertThat(kube.client().pods().inNamespace("sei").withName("rpc-0-0").get()).as("the new pod is kept")
                .isNotNull();

        HttpResponse<String> current = deleteWith("/api/v1/namespaces/sei/pods/rpc-0-0",
                "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"preconditions\":{\"uid\":\"" + newUid + "\"}}");
        assertThat(current.code()).isEqualTo(200);
        assertThat(kube.client().pods().inNamespace("sei").withName("rpc-0-0").get()).isNull();
    }

    @Test
    void aDeleteWhoseResourceVersionPreconditionIsStaleIsAConflict() {
        Pod pod = pod("rpc-1-0");
        String staleVersion = pod.getMetadata().getResourceVersion();
        kube.client().pods().inNamespace("sei").withName("rpc-1-0").edit(p -> new PodBuilder(p).editMetadata()
                .addToLabels("touched", "yes").endMetadata().build());

        assertThatThrownBy(() -> kube.client().pods().inNamespace("sei").withName("rpc-1-0")
                .lockResourceVersion(staleVersion).delete())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getMessage()).contains("ResourceVersion in precondition: " + staleVersion);
                });
        String currentVersion = kube.client().pods().inNamespace("sei").withName("rpc-1-0").get().getMetadata()
                .getResourceVersion();
        kube.client().pods().inNamespace("sei").withName("rpc-1-0").lockResourceVersion(currentVersion).delete();
        assertThat(kube.client().pods().inNamespace("sei").withName("rpc-1-0").get()).isNull();
        assertThat(kube.requests()).filteredOn(r -> r.method().equals("DELETE")).extracting(Request::code)
                .containsExactly(409, 200);
    }

    @Test
    void injectedFaultsAnswerTheNextMatchingRequestsThenTheStoreAnswersAgain() {
        pod("rpc-2-0");
        kube.clearRequests();
        kube.failNext("GET", "/pods/rpc-2-0", 503, 2);
        kube.failNext("PATCH", "/pods/rpc-2-0", 403, 1);
        try (KubernetesClient client = plainClient(Duration.ofSeconds(5))) {
            var pod = client.pods().inNamespace("sei").withName("rpc-2-0");
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(pod::get).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(503);
                    assertThat(e.getStatus().getReason()).isEqualTo("ServiceUnavailable");
                });
            }
            assertThat(pod.get()).isNotNull();
            assertThatThrownBy(() -> pod.patch(PatchContext.of(PatchType.JSON),
                    "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"a\":\"b\"}}]"))
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
            assertThat(pod.get().getMetadata().getLabels()).as("the refused patch never reached the store")
                    .isNullOrEmpty();
        }
        assertThat(kube.requests()).extracting(r -> r.method() + " " + r.code())
                .startsWith("GET 503", "GET 503", "GET 200").containsOnlyOnce("PATCH 403")
                .doesNotContain("PATCH 200");
        assertThat(kube.requests()).filteredOn(r -> r.code() == 503).as("each fault used once").hasSize(2);
        Request patch = kube.requests().stream().filter(r -> r.method().equals("PATCH")).findFirst().orElseThrow();
        assertThat(patch.path()).isEqualTo("/api/v1/namespaces/sei/pods/rpc-2-0");
        assertThat(patch.body()).contains("\"op\":\"add\"");
    }

    @Test
    void aDelayedAnswerArrivesLateAndAHungRequestTimesOut() {
        pod("rpc-3-0");
        try (KubernetesClient client = plainClient(Duration.ofSeconds(1))) {
            var pod = client.pods().inNamespace("sei").withName("rpc-3-0");

            kube.failNext("GET", "/pods/rpc-3-0", 500, 1, Duration.ofMillis(400));
            long start = System.nanoTime();
            assertThatThrownBy(pod::get).isInstanceOfSatisfying(KubernetesClientException.class,
                    e -> assertThat(e.getCode()).isEqualTo(500));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));

            kube.hangNext("GET", "/pods/rpc-3-0", 1);
            assertThatThrownBy(pod::get).as("never answered: the client's 1 s timeout")
                    .isInstanceOf(KubernetesClientException.class);
            assertThat(kube.requests().get(kube.requests().size() - 1).code()).isZero();

            kube.delayNext("PATCH", "/pods/rpc-3-0", Duration.ofSeconds(3), 1);
            assertThatThrownBy(() -> pod.patch(PatchContext.of(PatchType.JSON),
                    "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"landed\":\"yes\"}}]"))
                    .as("the answer comes after the client gave up").isInstanceOf(KubernetesClientException.class);
            assertThat(pod.get().getMetadata().getLabels()).as("but the change was made")
                    .containsEntry("landed", "yes");
        }
    }

    @Test
    void serverExpectationsAreAnsweredBeforeTheStore() {
        pod("rpc-4-0");
        kube.server().expect().get().withPath("/api/v1/namespaces/sei/pods/rpc-4-0")
                .andReturn(500, "boom").once();
        try (KubernetesClient client = plainClient(Duration.ofSeconds(5))) {
            var pod = client.pods().inNamespace("sei").withName("rpc-4-0");
            assertThatThrownBy(pod::get).isInstanceOfSatisfying(KubernetesClientException.class,
                    e -> assertThat(e.getCode()).isEqualTo(500));
            assertThat(pod.get()).as("then the store again").isNotNull();
        }
    }

    @Test
    void startsWithoutTheSeiNodeCrdWhenAsked() {
        try (InMemoryKubernetes plain = InMemoryKubernetes.startWithoutSeiNodes()) {
            assertThat(plain.client().apiextensions().v1().customResourceDefinitions()
                    .withName(InMemoryKubernetes.SEINODE_CRD_NAME).get()).isNull();
            assertThat(plain.url()).startsWith("http");
            assertThat(plain.requests()).extracting(Request::method).containsExactly("GET");
        }
    }
}
