package io.haltsupervisor.sandbox.kube;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Preconditions;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import io.fabric8.zjsonpatch.JsonPatchException;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory Kubernetes API for dev mode and tests: fabric8's mock server in CRUD mode on loopback,
 * with the {@code SeiNode} and {@code SeiNetwork} custom resource definitions ({@code sei.io/v1alpha1}) installed
 * (see {@link CrdSchema}: structural schemas with the real field names of every field we use).
 *
 * <p>It stores objects and serves create, get, list, watch (informers), delete, JSON Patch, JSON merge patch,
 * status subresources and {@code events.k8s.io/v1} Events. Where fabric8's stock mock differs from a real API
 * server in ways our code depends on, this one answers as a real one does:
 * <ul>
 *   <li>a JSON merge patch follows RFC 7386 — a list in the patch replaces the stored list (fabric8's own merge
 *       appends to it) — and a {@code metadata.resourceVersion} in it is an optimistic lock (409 when stale);</li>
 *   <li>a write to a {@code SeiNode} or {@code SeiNetwork} that would store a field the CRD does not define, or
 *       a value of the wrong type, is refused with {@code 422 Invalid} (strict field validation);</li>
 *   <li>a JSON Patch whose {@code test} op fails (or that cannot be applied) is answered at once with
 *       {@code 422 Invalid} and a Status (the stock mock never answers: the client times out);</li>
 *   <li>a DELETE whose {@code DeleteOptions} carry {@code preconditions.uid} or
 *       {@code preconditions.resourceVersion} that do not match the stored object is refused with
 *       {@code 409 Conflict} and a Status, and nothing is deleted (the stock mock ignores the body);</li>
 *   <li>any other failure inside the store is answered {@code 500} with a Status instead of no answer.</li>
 * </ul>
 * Writes are serialised, so a precondition check and the delete it guards are atomic.
 *
 * <p>It records {@code metadata.managedFields} for the writes it stores ({@link ManagedFieldsRecorder}): the
 * manager is the request's {@code fieldManager} query parameter, else its User-Agent up to the first {@code /}, as
 * on a real API server; the fields each write changed move to its manager (operation {@code Update}, with the
 * time). Simplified: lists other than those keyed by {@code name} or {@code type} are owned whole, and writes
 * through the {@code status} subresource are not recorded.
 *
 * <p>For tests it also injects faults ({@link #failNext}, {@link #delayNext}, {@link #hangNext}: the next
 * {@code n} requests matching a method and a path fragment), answers {@link #server()} expectations before
 * the store, and records the last {@value #MAX_RECORDED_REQUESTS} requests ({@link #requests()}).
 *
 * <p><strong>This is still not a real API server.</strong> It has no controllers (nothing creates pods for a
 * StatefulSet, no kubelet restarts containers, no garbage collection through owner references: the
 * sandbox's simulator plays those parts), no authentication, RBAC or admission, no validation against CRD
 * schemas beyond the Sei CRDs' field names and types, no strategic merge patch or server-side apply
 * ({@code 415}), preconditions on a collection DELETE ({@code deletecollection}) are ignored,
 * resourceVersion conflicts on update and patch are only fabric8's own checks, and unsupported field
 * selectors are ignored (logged by fabric8) rather than refused. Test against a real cluster before
 * trusting anything that depends on those.
 */
public final class InMemoryKubernetes implements AutoCloseable {
    public static final String SEI_GROUP = "sei.io";
    public static final String SEI_VERSION = "v1alpha1";
    public static final String SEI_API_VERSION = SEI_GROUP + "/" + SEI_VERSION;
    public static final String SEINODE_KIND = "SeiNode";
    public static final String SEINODE_PLURAL = "seinodes";
    public static final String SEINODE_CRD_NAME = SEINODE_PLURAL + "." + SEI_GROUP;
    public static final String SEINETWORK_KIND = "SeiNetwork";
    public static final String SEINETWORK_PLURAL = "seinetworks";
    public static final String SEINETWORK_CRD_NAME = SEINETWORK_PLURAL + "." + SEI_GROUP;

    /** How many requests {@link #requests()} keeps; older ones are dropped (dev mode runs for hours). */
    public static final int MAX_RECORDED_REQUESTS = 5_000;

    /** The SeiNode resource as the fabric8 client needs to address it. */
    public static final CustomResourceDefinitionContext SEINODE_CONTEXT = new CustomResourceDefinitionContext.Builder()
            .withGroup(SEI_GROUP)
            .withVersion(SEI_VERSION)
            .withKind(SEINODE_KIND)
            .withPlural(SEINODE_PLURAL)
            .withScope("Namespaced")
            .build();

    /** The SeiNetwork resource as the fabric8 client needs to address it. */
    public static final CustomResourceDefinitionContext SEINETWORK_CONTEXT = new CustomResourceDefinitionContext.Builder()
            .withGroup(SEI_GROUP)
            .withVersion(SEI_VERSION)
            .withKind(SEINETWORK_KIND)
            .withPlural(SEINETWORK_PLURAL)
            .withScope("Namespaced")
            .build();

    private static final CrdSchema SEINODE_SCHEMA = CrdSchema.load(SEINODE_CRD_NAME);
    private static final CrdSchema SEINETWORK_SCHEMA = CrdSchema.load(SEINETWORK_CRD_NAME);

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryKubernetes.class);
    /** How long a {@link #hangNext hung} request waits for its answer: longer than any client waits. */
    private static final Duration HANG = Duration.ofHours(1);

    /**
     * One request as the API received it: method, path with query, body ({@code ""} when none), and the
     * status it answered ({@code 0}: never answered, see {@link #hangNext}).
     */
    public record Request(String method, String path, String body, int code) {
    }

    /**
     * An armed fault: answer {@code code} (0: let the store answer) after {@code delay}, or never
     * ({@code hang}). {@code remaining} is guarded by {@link #faults}.
     */
    private static final class Fault {
        final String method;
        final String pathContains;
        final int code;
        final Duration delay;
        final boolean hang;
        int remaining;

        Fault(String method, String pathContains, int code, Duration delay, boolean hang, int times) {
            this.method = method.toUpperCase(Locale.ROOT);
            this.pathContains = Objects.requireNonNull(pathContains, "pathContains");
            this.code = code;
            this.delay = Objects.requireNonNull(delay, "delay");
            this.hang = hang;
            this.remaining = times;
        }

        boolean matches(String requestMethod, String path) {
            return method.equals(requestMethod.toUpperCase(Locale.ROOT)) && path.contains(pathContains);
        }
    }

    private final Map<ServerRequest, Queue<ServerResponse>> expectations = new ConcurrentHashMap<>();
    private final List<Fault> faults = new ArrayList<>();
    private final Deque<Request> requests = new ArrayDeque<>();
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private InMemoryKubernetes(boolean installSeiNodeCrd) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new Dispatcher(expectations), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        if (installSeiNodeCrd) {
            client.apiextensions().v1().customResourceDefinitions().resource(seiNodeCrd()).create();
            client.apiextensions().v1().customResourceDefinitions().resource(seiNetworkCrd()).create();
        }
        clearRequests();
    }

    /** Starts an API with the SeiNode and SeiNetwork CRDs installed. */
    public static InMemoryKubernetes start() {
        return new InMemoryKubernetes(true);
    }

    /** Starts an API without the Sei CRDs: plain StatefulSets and Deployments only. */
    public static InMemoryKubernetes startWithoutSeiNodes() {
        return new InMemoryKubernetes(false);
    }

    /**
     * A client connected to this API (shared; do not close it, close this instead). It has fabric8's
     * defaults, request retries on 5xx included: use {@link #newClient} for one that sees every fault.
     */
    public KubernetesClient client() {
        return client;
    }

    /**
     * A new client connected to this API, configured by {@code customizer} (e.g. {@code b -> b.withConfig(
     * new ConfigBuilder(kube.client().getConfiguration()).withRequestRetryBackoffLimit(0).build())}, or an
     * HTTP interceptor). The caller closes it.
     */
    public KubernetesClient newClient(Consumer<KubernetesClientBuilder> customizer) {
        return server.createClient(customizer);
    }

    /**
     * A new client with {@code base}'s configuration whose requests carry the User-Agent {@code agent}
     * ({@code sei-k8s-controller/simulated}): a real API server, and this one, record a write without a
     * {@code fieldManager} under the User-Agent's prefix up to the first {@code /}. The caller closes it.
     */
    public static KubernetesClient clientAs(KubernetesClient base, String agent) {
        return new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(
                base.getConfiguration()).withUserAgent(agent).build()).build();
    }

    /** The API's URL, e.g. {@code https://127.0.0.1:PORT/} or {@code http://…}. */
    public String url() {
        return client.getMasterUrl().toString();
    }

    /**
     * The underlying mock server. Expectations set with {@code server().expect()} are answered before the
     * store (after injected faults), matched on the exact method and path including the query string.
     */
    public KubernetesMockServer server() {
        return server;
    }

    /**
     * The next {@code times} requests with {@code method} whose path (with query) contains
     * {@code pathContains} are answered {@code code} with a Status, and do not reach the store. Faults are
     * tried in the order they were added; each request uses up at most one.
     */
    public void failNext(String method, String pathContains, int code, int times) {
        failNext(method, pathContains, code, times, Duration.ZERO);
    }

    /** As {@link #failNext(String, String, int, int)}, answered only after {@code delay}. */
    public void failNext(String method, String pathContains, int code, int times, Duration delay) {
        if (code < 400 || code > 599) {
            throw new IllegalArgumentException("a fault answers 4xx or 5xx, not " + code);
        }
        arm(new Fault(method, pathContains, code, delay, false, times));
    }

    /**
     * The next {@code times} matching requests are served by the store at once but answered only after
     * {@code delay}: with a client timeout shorter than that, the change is made and the client sees a
     * timeout — the case idempotent retries must handle.
     */
    public void delayNext(String method, String pathContains, Duration delay, int times) {
        arm(new Fault(method, pathContains, 0, delay, false, times));
    }

    /**
     * The next {@code times} matching requests do not reach the store and are never answered (until
     * {@link #close()}): the client times out.
     */
    public void hangNext(String method, String pathContains, int times) {
        arm(new Fault(method, pathContains, 504, HANG, true, times));
    }

    private void arm(Fault fault) {
        if (fault.remaining < 1) {
            throw new IllegalArgumentException("times must be at least 1, not " + fault.remaining);
        }
        synchronized (faults) {
            faults.add(fault);
        }
    }

    private Optional<Fault> takeFault(String method, String path) {
        synchronized (faults) {
            for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
                Fault f = it.next();
                if (f.matches(method, path)) {
                    if (--f.remaining == 0) {
                        it.remove();
                    }
                    return Optional.of(f);
                }
            }
            return Optional.empty();
        }
    }

    /** The requests received so far (the last {@value #MAX_RECORDED_REQUESTS}), oldest first. */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Forgets the requests so far (e.g. a test's setup). The constructor's own CRD install is not kept. */
    public void clearRequests() {
        synchronized (requests) {
            requests.clear();
        }
    }

    private void record(Request request) {
        synchronized (requests) {
            if (requests.size() == MAX_RECORDED_REQUESTS) {
                requests.removeFirst();
            }
            requests.addLast(request);
        }
    }

    /**
     * The SeiNode CRD (a new copy each call): a status subresource and a structural schema with the real field
     * names and types of every field we use ({@code crds/seinodes.sei.io.yaml}).
     */
    public static CustomResourceDefinition seiNodeCrd() {
        return Serialization.clone(SEINODE_SCHEMA.crd());
    }

    /** The SeiNetwork CRD (a new copy each call), as {@link #seiNodeCrd()} ({@code crds/seinetworks.sei.io.yaml}). */
    public static CustomResourceDefinition seiNetworkCrd() {
        return Serialization.clone(SEINETWORK_SCHEMA.crd());
    }

    /** The schema the API validates writes of {@code plural} ({@code seinodes}, {@code seinetworks}) against. */
    public static Optional<CrdSchema> schemaOf(String plural) {
        return switch (plural == null ? "" : plural) {
            case SEINODE_PLURAL -> Optional.of(SEINODE_SCHEMA);
            case SEINETWORK_PLURAL -> Optional.of(SEINETWORK_SCHEMA);
            default -> Optional.empty();
        };
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }

    /** Faults, then expectations, then the CRUD store with the real-API-server behaviour described above. */
    private final class Dispatcher extends KubernetesCrudDispatcher {
        private final Map<ServerRequest, Queue<ServerResponse>> expectations;
        private final MockDispatcher expectationDispatcher;
        private final Object writes = new Object();

        Dispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations) {
            super(List.of(SEINODE_CONTEXT, SEINETWORK_CONTEXT));
            this.expectations = expectations;
            this.expectationDispatcher = new MockDispatcher(expectations);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String method = request.getMethod();
            String path = request.getPath();
            String body = request.getBody() == null ? ""
                    : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
            Optional<Fault> fault = takeFault(method, path);
            MockResponse response;
            if (fault.isPresent() && fault.get().code != 0) {
                response = status(fault.get().code, reasonOf(fault.get().code), "injected fault: " + method + " "
                        + path + " answered " + fault.get().code, null, null);
            } else {
                response = serve(request, body);
            }
            boolean hung = fault.isPresent() && fault.get().hang;
            if (fault.isPresent() && !fault.get().delay.isZero() && response != null
                    && response.getWebSocketListener() == null) {
                response.setBodyDelay(fault.get().delay);
            }
            record(new Request(method, path, body, hung || response == null ? 0 : response.code()));
            return response;
        }

        private MockResponse serve(RecordedRequest request, String body) {
            Queue<ServerResponse> expected = expectations.get(new SimpleRequest(request.method(), request.getPath()));
            if (expected != null && !expected.isEmpty()) {
                return expectationDispatcher.dispatch(request);
            }
            try {
                if (request.method() == HttpMethod.GET) {
                    return super.dispatch(request);
                }
                synchronized (writes) {
                    if (request.method() == HttpMethod.DELETE) {
                        Optional<MockResponse> refused = failedPrecondition(request.getPath(), body);
                        if (refused.isPresent()) {
                            return refused.get();
                        }
                    }
                    RecordedRequest effective = request;
                    if (request.method() == HttpMethod.PATCH && isMergePatch(request)) {
                        Optional<RecordedRequest> rewritten = mergePatchAsJsonPatch(request, body);
                        if (rewritten.isEmpty()) {
                            return super.dispatch(request); // nothing stored: let the store answer 404
                        }
                        effective = rewritten.get();
                    }
                    Optional<MockResponse> invalid = invalidSeiObject(effective);
                    if (invalid.isPresent()) {
                        return invalid.get();
                    }
                    return super.dispatch(withManagedFields(effective));
                }
            } catch (JsonPatchException e) {
                return status(422, "Invalid", "the server rejected our request due to an error in our request: "
                        + e.getMessage(), null, null);
            } catch (RuntimeException e) {
                LOG.warn("in-memory Kubernetes API failed on {} {}", request.getMethod(), request.getPath(), e);
                return status(500, "InternalError", "in-memory API: " + e, null, null);
            }
        }

        /**
         * The write with {@code metadata.managedFields} as a real API server would leave it ({@link
         * ManagedFieldsRecorder}): for a JSON Patch one more op, for a create or update the body's. Unchanged when
         * the write cannot be applied (the store answers it) or names no single object.
         */
        private RecordedRequest withManagedFields(RecordedRequest request) {
            HttpMethod method = request.method();
            if (method != HttpMethod.PATCH && method != HttpMethod.PUT && method != HttpMethod.POST) {
                return request;
            }
            String path = request.getPath();
            String plain = path.indexOf('?') < 0 ? path : path.substring(0, path.indexOf('?'));
            String body = request.getBody() == null ? "" : new String(request.getBody().getBytes(),
                    StandardCharsets.UTF_8);
            if (body.isBlank()) {
                return request;
            }
            if (plain.endsWith("/status")) {
                // fabric8's store applies a status write to status alone: metadata written with it would be lost
                return request;
            }
            String subresource = null;
            String manager = ManagedFieldsRecorder.manager(path, request.getHeader("User-Agent"));
            try {
                JsonNode before = null;
                if (method != HttpMethod.POST) {
                    Map.Entry<AttributeSet, String> stored = findResource(getKey(path));
                    if (stored == null) {
                        return request;
                    }
                    before = Serialization.unmarshal(stored.getValue(), JsonNode.class);
                }
                JsonNode sent = Serialization.unmarshal(body, JsonNode.class);
                String newBody;
                if (method == HttpMethod.PATCH) {
                    String type = request.getHeader("Content-Type");
                    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json-patch+json")
                            || !sent.isArray()) {
                        return request;
                    }
                    JsonNode after = io.fabric8.zjsonpatch.JsonPatch.apply(sent, before);
                    ArrayNode ops = ((ArrayNode) sent).deepCopy();
                    ops.addObject().put("op", "add").put("path", "/metadata/managedFields")
                            .set("value", ManagedFieldsRecorder.record(before, after, manager, subresource,
                                    java.time.Instant.now()));
                    newBody = ops.toString();
                } else {
                    if (!sent.isObject() || !sent.path("metadata").isObject()) {
                        return request;
                    }
                    ObjectNode after = ((ObjectNode) sent).deepCopy();
                    ((ObjectNode) after.get("metadata")).set("managedFields", ManagedFieldsRecorder.record(before,
                            after, manager, subresource, java.time.Instant.now()));
                    newBody = after.toString();
                }
                return new RecordedRequest(request.getHttpVersion(), method, path, request.getHeaders(),
                        new Buffer(newBody.getBytes(StandardCharsets.UTF_8)));
            } catch (JsonPatchException | IllegalArgumentException e) {
                return request; // the store answers it as it would without managedFields
            }
        }

        private static boolean isMergePatch(RecordedRequest request) {
            String type = request.getHeader("Content-Type");
            return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/merge-patch+json");
        }

        /**
         * An RFC 7386 JSON merge patch, applied to the stored object here (lists and scalars replaced, {@code null}
         * removes, objects merged key by key), handed to the store as the equivalent JSON Patch. fabric8's own
         * merge appends to lists. A {@code metadata.resourceVersion} in the patch is kept, so the store's
         * optimistic-lock check answers 409 when it is stale, as a real API server does. Empty when nothing is
         * stored under the path.
         */
        private Optional<RecordedRequest> mergePatchAsJsonPatch(RecordedRequest request, String body) {
            Map.Entry<AttributeSet, String> stored = findResource(getKey(request.getPath()));
            if (stored == null) {
                return Optional.empty();
            }
            JsonNode current = Serialization.unmarshal(stored.getValue(), JsonNode.class);
            JsonNode patch = Serialization.unmarshal(body, JsonNode.class);
            if (patch == null || !patch.isObject()) {
                throw new JsonPatchException("a merge patch must be a JSON object, got " + body);
            }
            JsonNode merged = mergePatch(current.deepCopy(), patch);
            ArrayNode ops = Serialization.jsonMapper().createArrayNode();
            for (Iterator<String> it = patch.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                String pointer = "/" + field.replace("~", "~0").replace("/", "~1");
                if (merged.has(field)) {
                    ops.addObject().put("op", "add").put("path", pointer).set("value", merged.get(field));
                } else if (current.has(field)) {
                    ops.addObject().put("op", "remove").put("path", pointer);
                }
            }
            Headers headers = request.getHeaders().newBuilder()
                    .set("Content-Type", "application/json-patch+json").build();
            return Optional.of(new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
                    headers, new Buffer(ops.toString().getBytes(StandardCharsets.UTF_8))));
        }

        /**
         * A 422 when a write to a Sei custom resource would store a field its CRD does not define, or a value of the
         * wrong type: strict field validation against the sandbox's CRD schemas ({@link CrdSchema}).
         */
        private Optional<MockResponse> invalidSeiObject(RecordedRequest request) {
            String path = request.getPath();
            String plain = path.indexOf('?') < 0 ? path : path.substring(0, path.indexOf('?'));
            if (!plain.startsWith("/apis/" + SEI_GROUP + "/")) {
                return Optional.empty();
            }
            String[] segments = plain.split("/");
            String plural = null;
            for (int i = 0; i + 2 < segments.length; i++) {
                if ("namespaces".equals(segments[i])) {
                    plural = segments[i + 2];
                }
            }
            Optional<CrdSchema> schema = schemaOf(plural);
            if (schema.isEmpty()) {
                return Optional.empty();
            }
            String body = request.getBody() == null ? "" : new String(request.getBody().getBytes(),
                    StandardCharsets.UTF_8);
            if (body.isBlank()) {
                return Optional.empty();
            }
            JsonNode result;
            if (request.method() == HttpMethod.PATCH) {
                Map.Entry<AttributeSet, String> stored = findResource(getKey(path));
                if (stored == null) {
                    return Optional.empty();
                }
                try {
                    result = io.fabric8.zjsonpatch.JsonPatch.apply(Serialization.unmarshal(body, JsonNode.class),
                            Serialization.unmarshal(stored.getValue(), JsonNode.class));
                } catch (JsonPatchException e) {
                    return Optional.empty(); // the store answers it (fabric8 creates missing parents first)
                }
            } else if (request.method() == HttpMethod.POST || request.method() == HttpMethod.PUT) {
                result = Serialization.unmarshal(body, JsonNode.class);
            } else {
                return Optional.empty();
            }
            List<String> violations = schema.get().violations(result);
            if (violations.isEmpty()) {
                return Optional.empty();
            }
            String name = result.path("metadata").path("name").asText(null);
            return Optional.of(status(422, "Invalid", schema.get().crd().getSpec().getNames().getKind() + " \""
                    + name + "\" is invalid: " + String.join("; ", violations), name, plural));
        }

        /** A 409 when the DELETE names one object and its {@code DeleteOptions} preconditions do not match it. */
        private Optional<MockResponse> failedPrecondition(String path, String body) {
            if (body.isBlank()) {
                return Optional.empty();
            }
            Preconditions pre;
            try {
                DeleteOptions options = Serialization.unmarshal(body, DeleteOptions.class);
                pre = options == null ? null : options.getPreconditions();
            } catch (RuntimeException e) {
                return Optional.of(status(400, "BadRequest", "cannot decode DeleteOptions: " + e.getMessage(),
                        null, null));
            }
            if (pre == null || (pre.getUid() == null && pre.getResourceVersion() == null)) {
                return Optional.empty();
            }
            AttributeSet key = getKey(path);
            if (!key.containsKey("name")) {
                return Optional.empty();
            }
            Map.Entry<AttributeSet, String> stored = findResource(key);
            if (stored == null) {
                return Optional.empty();
            }
            GenericKubernetesResource object = Serialization.unmarshal(stored.getValue(),
                    GenericKubernetesResource.class);
            String name = object.getMetadata().getName();
            String plural = resourceOf(path);
            String uid = object.getMetadata().getUid();
            if (pre.getUid() != null && !pre.getUid().equals(uid)) {
                return Optional.of(status(409, "Conflict", "Precondition failed: UID in precondition: " + pre.getUid()
                        + ", UID in object meta: " + uid, name, plural));
            }
            String resourceVersion = object.getMetadata().getResourceVersion();
            if (pre.getResourceVersion() != null && !pre.getResourceVersion().equals(resourceVersion)) {
                return Optional.of(status(409, "Conflict", "Precondition failed: ResourceVersion in precondition: "
                        + pre.getResourceVersion() + ", ResourceVersion in object meta: " + resourceVersion, name,
                        plural));
            }
            return Optional.empty();
        }
    }

    /** RFC 7386: {@code patch} applied to {@code target} (which it may change); the result. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target
                : Serialization.jsonMapper().createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /** {@code pods} of {@code /api/v1/namespaces/sei/pods/rpc-0-0?…}: the segment before the name. */
    private static String resourceOf(String path) {
        int query = path.indexOf('?');
        String[] segments = (query < 0 ? path : path.substring(0, query)).split("/");
        return segments.length >= 2 ? segments[segments.length - 2] : null;
    }

    private static MockResponse status(int code, String reason, String message, String name, String kind) {
        StatusBuilder status = new StatusBuilder().withApiVersion("v1").withKind("Status").withNewMetadata()
                .endMetadata().withStatus("Failure").withCode(code).withReason(reason).withMessage(message);
        if (name != null) {
            status.withNewDetails().withName(name).withKind(kind).endDetails();
        }
        Status built = status.build();
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(built));
    }

    private static String reasonOf(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 409 -> "Conflict";
            case 410 -> "Expired";
            case 415 -> "UnsupportedMediaType";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> "";
        };
    }
}
