package io.haltsupervisor.actuator.testing;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatchException;
import io.haltsupervisor.actuator.kube.KubeTargets;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sandbox's in-memory Kubernetes API (fabric8's CRUD mock, SeiNode CRD installed) with two additions the
 * sandbox's {@link InMemoryKubernetes} lacks, for fault tests:
 * <ul>
 *   <li>a JSON Patch whose {@code test} op fails is answered {@code 422 Unprocessable Entity} with a Status,
 *       as a real API server does (the stock CRUD mock throws and never answers: the client times out);</li>
 *   <li>faults: the next {@code n} requests matching a method and path answer a given status code.</li>
 * </ul>
 * It records every request (method, path, body). <strong>Not a real API server</strong>: see
 * {@link InMemoryKubernetes} for what it does not do (preconditions on delete, for one, are not enforced).
 */
public final class FaultInjectingKubernetes implements AutoCloseable {

    /** A request as received. */
    public record Request(String method, String path, String body) {
    }

    private record Fault(String method, String pathContains, int code, int[] remaining) {
    }

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final List<Fault> faults = new ArrayList<>();
    private final List<Request> requests = new ArrayList<>();

    private final class Dispatcher extends KubernetesCrudDispatcher {
        Dispatcher() {
            super(List.of(InMemoryKubernetes.SEINODE_CONTEXT));
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String body = request.getBody() == null ? "" : new String(request.getBody().getBytes(),
                    StandardCharsets.UTF_8);
            synchronized (FaultInjectingKubernetes.this) {
                requests.add(new Request(request.getMethod(), request.getPath(), body));
                for (Fault f : faults) {
                    if (f.remaining()[0] > 0 && f.method().equalsIgnoreCase(request.getMethod())
                            && request.getPath().contains(f.pathContains())) {
                        f.remaining()[0]--;
                        return status(f.code(), "injected fault " + f.code());
                    }
                }
            }
            return super.dispatch(request);
        }

        @Override
        public MockResponse handlePatch(RecordedRequest request) {
            try {
                return super.handlePatch(request);
            } catch (JsonPatchException e) {
                return status(422, "the server rejected our request due to an error in our request: "
                        + e.getMessage());
            }
        }
    }

    private FaultInjectingKubernetes(boolean seiNodes) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        if (seiNodes) {
            client.apiextensions().v1().customResourceDefinitions().resource(InMemoryKubernetes.seiNodeCrd()).create();
        }
    }

    public static FaultInjectingKubernetes start(boolean seiNodes) {
        return new FaultInjectingKubernetes(seiNodes);
    }

    /** A client as a test's other actors use it (the fabric8 defaults, retries included). */
    public KubernetesClient client() {
        return client;
    }

    /** A client configured as the actuator configures its own ({@link KubeTargets#actuatorClient}). */
    public KubernetesClient actuatorClient() {
        return KubeTargets.actuatorClient(client, java.time.Duration.ofSeconds(10));
    }

    /**
     * A client configured as the actuator's, on which the first request with {@code method} whose path ends with {@code pathSuffix}
     * is preceded by {@code race} (run on the caller's thread): a concurrent writer acting between the code's
     * read and its write.
     */
    public KubernetesClient racingClient(String method, String pathSuffix, Runnable race) {
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
        return server.createClient(b -> b.withConfig(KubeTargets.actuatorConfig(client.getConfiguration(),
                java.time.Duration.ofSeconds(10))).withHttpClientBuilderConsumer(
                        h -> h.addOrReplaceInterceptor("race", interceptor)));
    }

    /** The next {@code times} requests with {@code method} whose path contains {@code pathContains} get {@code code}. */
    public synchronized void failNext(String method, String pathContains, int code, int times) {
        faults.add(new Fault(method, pathContains, code, new int[] {times}));
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Forgets the requests so far (e.g. a test's setup). */
    public synchronized void clearRequests() {
        requests.clear();
    }

    private static MockResponse status(int code, String message) {
        String body = Serialization.asJson(new StatusBuilder().withApiVersion("v1").withKind("Status")
                .withStatus("Failure").withCode(code).withMessage(message).build());
        return new MockResponse().setResponseCode(code).setBody(body);
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
