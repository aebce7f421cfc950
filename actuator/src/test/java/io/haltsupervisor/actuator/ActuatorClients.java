package io.haltsupervisor.actuator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.haltsupervisor.actuator.kube.KubeTargets;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** Clients on the sandbox's in-memory API configured as the actuator configures its own. */
final class ActuatorClients {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private ActuatorClients() {
    }

    /** A new client (the caller closes it) as {@link KubeTargets#actuatorClient}: no fabric8 retries. */
    static KubernetesClient of(InMemoryKubernetes kube) {
        return KubeTargets.actuatorClient(kube.client(), REQUEST_TIMEOUT);
    }

    /**
     * As {@link #of}, but the first request with {@code method} whose path ends with {@code pathSuffix} is
     * preceded by {@code race} (run on the caller's thread): a concurrent writer acting between the code's
     * read and its write.
     */
    static KubernetesClient racing(InMemoryKubernetes kube, String method, String pathSuffix, Runnable race) {
        AtomicBoolean fired = new AtomicBoolean();
        Interceptor interceptor = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                if (request.method().equalsIgnoreCase(method) && request.uri().getPath().endsWith(pathSuffix)
                        && fired.compareAndSet(false, true)) {
                    race.run();
                }
            }
        };
        return kube.newClient(b -> b.withConfig(KubeTargets.actuatorConfig(kube.client().getConfiguration(),
                REQUEST_TIMEOUT)).withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("race", interceptor)));
    }
}
