package io.haltsupervisor.sandbox.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The in-memory Kubernetes API (not a real API server: see {@link InMemoryKubernetes}) for a test, as a JUnit 5
 * extension: a {@code static} field gives one per test class, an instance field a fresh one per test.
 *
 * <pre>{@code
 * @RegisterExtension
 * final KubeApiExtension kube = KubeApiExtension.withoutSeiNodes();
 * ... kube.client() ...
 * }</pre>
 */
public final class KubeApiExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private final Supplier<InMemoryKubernetes> starter;
    private InMemoryKubernetes api;
    private boolean perClass;

    private KubeApiExtension(Supplier<InMemoryKubernetes> starter) {
        this.starter = starter;
    }

    /** With the Sei CRDs installed, as {@link InMemoryKubernetes#start()}. */
    public static KubeApiExtension withSeiCrds() {
        return new KubeApiExtension(InMemoryKubernetes::start);
    }

    /** Without the Sei CRDs, as {@link InMemoryKubernetes#startWithoutSeiNodes()}. */
    public static KubeApiExtension withoutSeiNodes() {
        return new KubeApiExtension(InMemoryKubernetes::startWithoutSeiNodes);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        api = starter.get();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (api == null) {
            api = starter.get();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    /** The running API. */
    public InMemoryKubernetes api() {
        if (api == null) {
            throw new IllegalStateException("the API is not started: register KubeApiExtension with @RegisterExtension");
        }
        return api;
    }

    /** The running API's client. */
    public KubernetesClient client() {
        return api().client();
    }

    private void stop() {
        if (api != null) {
            api.close();
            api = null;
        }
    }
}
