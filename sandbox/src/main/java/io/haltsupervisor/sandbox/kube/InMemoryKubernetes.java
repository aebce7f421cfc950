package io.haltsupervisor.sandbox.kube;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;

/**
 * An in-memory Kubernetes API for dev mode and tests: fabric8's mock server in CRUD mode on loopback,
 * with the {@code SeiNode} custom resource definition ({@code sei.io/v1alpha1}) installed.
 *
 * <p><strong>This is not a real API server.</strong> It stores objects and serves create, get, list,
 * watch (informers), delete, JSON Patch, JSON merge patch on maps and scalars, status subresources and
 * {@code events.k8s.io/v1} Events. It has no controllers (nothing creates pods for a StatefulSet, no
 * kubelet restarts containers: the sandbox's simulator plays those parts), no admission, no strategic
 * merge patch or server-side apply (415), a merge patch on a list appends instead of replacing, and
 * preconditions and resourceVersion conflicts are only partly enforced. Test against a real cluster
 * before trusting anything that depends on those.
 */
public final class InMemoryKubernetes implements AutoCloseable {
    public static final String SEI_GROUP = "sei.io";
    public static final String SEI_VERSION = "v1alpha1";
    public static final String SEI_API_VERSION = SEI_GROUP + "/" + SEI_VERSION;
    public static final String SEINODE_KIND = "SeiNode";
    public static final String SEINODE_PLURAL = "seinodes";
    public static final String SEINODE_CRD_NAME = SEINODE_PLURAL + "." + SEI_GROUP;

    /** The SeiNode resource as the fabric8 client needs to address it. */
    public static final CustomResourceDefinitionContext SEINODE_CONTEXT = new CustomResourceDefinitionContext.Builder()
            .withGroup(SEI_GROUP)
            .withVersion(SEI_VERSION)
            .withKind(SEINODE_KIND)
            .withPlural(SEINODE_PLURAL)
            .withScope("Namespaced")
            .build();

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private InMemoryKubernetes(boolean installSeiNodeCrd) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of(SEINODE_CONTEXT)), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        if (installSeiNodeCrd) {
            client.apiextensions().v1().customResourceDefinitions().resource(seiNodeCrd()).create();
        }
    }

    /** Starts an API with the SeiNode CRD installed. */
    public static InMemoryKubernetes start() {
        return new InMemoryKubernetes(true);
    }

    /** Starts an API without the SeiNode CRD: plain StatefulSets and Deployments only. */
    public static InMemoryKubernetes startWithoutSeiNodes() {
        return new InMemoryKubernetes(false);
    }

    /** A client connected to this API (shared; do not close it, close this instead). */
    public KubernetesClient client() {
        return client;
    }

    /** The API's URL, e.g. {@code https://127.0.0.1:PORT/} or {@code http://…}. */
    public String url() {
        return client.getMasterUrl().toString();
    }

    /** The underlying mock server, for tests that add expectations (faults) in front of the CRUD store. */
    public KubernetesMockServer server() {
        return server;
    }

    /** The SeiNode CRD, with a status subresource and a permissive schema. */
    public static CustomResourceDefinition seiNodeCrd() {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(SEINODE_CRD_NAME).endMetadata()
                .withNewSpec()
                .withGroup(SEI_GROUP)
                .withScope("Namespaced")
                .withNewNames().withKind(SEINODE_KIND).withPlural(SEINODE_PLURAL).withSingular("seinode")
                .withListKind(SEINODE_KIND + "List").endNames()
                .addNewVersion().withName(SEI_VERSION).withServed(true).withStorage(true)
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                .endVersion()
                .endSpec()
                .build();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
