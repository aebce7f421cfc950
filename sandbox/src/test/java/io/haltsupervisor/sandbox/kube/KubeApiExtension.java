package io.haltsupervisor.sandbox.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.sandbox.testkit.ScopedResource;

/**
 * The in-memory Kubernetes API (not a real API server: see {@link InMemoryKubernetes}) for a test, as a JUnit 5
 * extension: a {@code static} field gives one per test class, an instance field a fresh one per test.
 *
 * <pre>{@code
 * @RegisterExtension
 * final KubeApiExtension kube = new KubeApiExtension();
 * ... kube.client() ...
 * }</pre>
 */
public final class KubeApiExtension extends ScopedResource<InMemoryKubernetes> {
    /** Opens {@link InMemoryKubernetes#start()}: the Sei CRDs installed. */
    @Override
    protected InMemoryKubernetes open() {
        return InMemoryKubernetes.start();
    }

    /** The running API. */
    public InMemoryKubernetes api() {
        return resource();
    }

    /** The running API's client. */
    public KubernetesClient client() {
        return api().client();
    }
}
