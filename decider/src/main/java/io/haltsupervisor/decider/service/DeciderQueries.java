package io.haltsupervisor.decider.service;

import io.haltsupervisor.decider.core.NodeState;
import io.haltsupervisor.decider.streams.DeciderTopology;

import com.fasterxml.jackson.core.type.TypeReference;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.haltsupervisor.decider.core.NodeState.Incident;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.ShutdownReason;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interactive queries over the decider's stores, as HTTP handlers the CLI's ops server mounts:
 * <ul>
 *   <li>{@code GET /nodes/{namespace}/{name}} — the node's state and open incident ({@link NodeView});
 *       answered by the instance that owns the node's partition (found with
 *       {@link KafkaStreams#queryMetadataForKey}), forwarded there over HTTP when it is another one;</li>
 *   <li>{@code GET /incidents} — open incidents of the whole application ({@link IncidentsView}): this
 *       instance's plus those of every other instance hosting the store
 *       ({@link KafkaStreams#streamsMetadataForStore}).</li>
 * </ul>
 * A request with {@code ?local=true} is answered from this instance only (what forwarding uses).
 */
public final class DeciderQueries {
    private static final Logger LOG = LoggerFactory.getLogger(DeciderQueries.class);
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

    private final Supplier<KafkaStreams> streams;
    private final Optional<HostInfo> self;
    private final HttpClient http;

    /**
     * @param streams            the running Streams instance (may be null before start)
     * @param advertisedEndpoint this instance's {@code application.server}, when several instances run
     */
    public DeciderQueries(Supplier<KafkaStreams> streams, Optional<String> advertisedEndpoint) {
        this.streams = streams;
        this.self = advertisedEndpoint.map(HostInfo::buildFromEndpoint);
        this.http = HttpClient.newBuilder().connectTimeout(FORWARD_TIMEOUT).build();
    }

    /** Handlers by the path prefix to mount them at. */
    public Map<String, HttpHandler> handlers() {
        return Map.of("/nodes/", this::node, "/incidents", this::incidents);
    }

    /**
     * A node as {@code GET /nodes/{ns}/{name}} returns it.
     *
     * @param nodeId       the node
     * @param status       {@code healthy} or {@code incident}
     * @param openIncident the open incident, if any
     * @param state        everything the decider remembers about the node
     */
    public record NodeView(String nodeId, String status, IncidentView openIncident, NodeState state) {
    }

    /** One open incident, flattened for listing. */
    public record IncidentView(String nodeId, String incidentId, int reasonCode, String reason, String planName,
            String phase, Instant openedAt, String lastDecisionKind, String lastDecisionId, Instant decidedAt,
            String targetImage, boolean acked, boolean released, boolean nodeOnHold) {

        static IncidentView of(NodeState s) {
            Incident i = s.open();
            return new IncidentView(s.nodeId(), i.id(), i.reasonCode(), ShutdownReason.ofCode(i.reasonCode()).token(),
                    i.planName(), i.phase() == null ? null : i.phase().name(),
                    i.openedAt(), i.decision() == null ? null : i.decision().kind(),
                    i.decision() == null ? null : i.decision().decisionId(),
                    i.decision() == null ? null : i.decision().decidedAt(), i.targetImage(), i.acked(), i.released(),
                    s.hold());
        }
    }

    /**
     * @param incidents   open incidents, by node id
     * @param unreachable instances that did not answer (their incidents are missing)
     */
    public record IncidentsView(List<IncidentView> incidents, List<String> unreachable) {
    }

    private record Answer(int status, String body) {
        static Answer json(int status, Object value) {
            return new Answer(status, Json.write(value));
        }

        static Answer error(int status, String message) {
            return json(status, Map.of("error", message));
        }
    }

    // ------------------------------------------------------------------ /nodes/{ns}/{name}

    void node(HttpExchange exchange) throws IOException {
        respond(exchange, () -> {
            if (!"GET".equals(exchange.getRequestMethod())) {
                return Answer.error(405, "only GET is supported");
            }
            String path = exchange.getRequestURI().getPath();
            String rest = path.startsWith("/nodes/") ? path.substring("/nodes/".length()) : "";
            String[] parts = rest.split("/", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                return Answer.error(400, "expected /nodes/{namespace}/{name}, got " + path);
            }
            String nodeId = URLDecoder.decode(parts[0], StandardCharsets.UTF_8) + "/"
                    + URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
            return node(nodeId, isLocal(exchange));
        });
    }

    Answer node(String nodeId, boolean localOnly) {
        KafkaStreams ks = running();
        if (ks == null) {
            return Answer.error(503, "the decider is not running yet");
        }
        if (!localOnly && self.isPresent()) {
            KeyQueryMetadata meta = ks.queryMetadataForKey(DeciderTopology.NODE_STATE_STORE, nodeId,
                    Serdes.String().serializer());
            if (meta == null || KeyQueryMetadata.NOT_AVAILABLE.equals(meta)) {
                return Answer.error(503, "no instance currently owns node " + nodeId + " (rebalancing)");
            }
            if (!meta.activeHost().equals(self.get())) {
                String[] parts = nodeId.split("/", 2);
                return forward(meta.activeHost(), "/nodes/" + encode(parts[0]) + "/" + encode(parts[1]));
            }
        }
        try {
            ReadOnlyKeyValueStore<String, NodeState> store = ks.store(StoreQueryParameters.fromNameAndType(
                    DeciderTopology.NODE_STATE_STORE, QueryableStoreTypes.<String, NodeState>keyValueStore()));
            NodeState state = store.get(nodeId);
            if (state == null) {
                return Answer.error(404, "the decider has seen nothing of node " + nodeId);
            }
            return Answer.json(200, new NodeView(nodeId, state.open() == null ? "healthy" : "incident",
                    state.open() == null ? null : IncidentView.of(state), state));
        } catch (InvalidStateStoreException e) {
            return Answer.error(503, "the node state store is not queryable right now: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ /incidents

    void incidents(HttpExchange exchange) throws IOException {
        respond(exchange, () -> {
            if (!"GET".equals(exchange.getRequestMethod())) {
                return Answer.error(405, "only GET is supported");
            }
            if (!exchange.getRequestURI().getPath().equals("/incidents")) {
                return Answer.error(404, "expected /incidents");
            }
            return incidents(isLocal(exchange));
        });
    }

    Answer incidents(boolean localOnly) {
        KafkaStreams ks = running();
        if (ks == null) {
            return Answer.error(503, "the decider is not running yet");
        }
        List<IncidentView> all = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        try {
            all.addAll(localIncidents(ks));
        } catch (InvalidStateStoreException e) {
            return Answer.error(503, "the open-incident store is not queryable right now: " + e.getMessage());
        }
        if (!localOnly && self.isPresent()) {
            for (StreamsMetadata instance : ks.streamsMetadataForStore(DeciderTopology.OPEN_INCIDENTS_STORE)) {
                if (instance.hostInfo().equals(self.get())) {
                    continue;
                }
                Answer remote = forward(instance.hostInfo(), "/incidents");
                if (remote.status() != 200) {
                    unreachable.add(instance.hostInfo().host() + ":" + instance.hostInfo().port());
                    continue;
                }
                try {
                    IncidentsView view = Json.MAPPER.readValue(remote.body(), new TypeReference<IncidentsView>() { });
                    all.addAll(view.incidents());
                } catch (IOException e) {
                    unreachable.add(instance.hostInfo().host() + ":" + instance.hostInfo().port());
                }
            }
        }
        all.sort(Comparator.comparing(IncidentView::nodeId));
        return Answer.json(200, new IncidentsView(all, unreachable));
    }

    private static List<IncidentView> localIncidents(KafkaStreams ks) {
        ReadOnlyKeyValueStore<String, String> open = ks.store(StoreQueryParameters.fromNameAndType(
                DeciderTopology.OPEN_INCIDENTS_STORE, QueryableStoreTypes.<String, String>keyValueStore()));
        ReadOnlyKeyValueStore<String, NodeState> nodes = ks.store(StoreQueryParameters.fromNameAndType(
                DeciderTopology.NODE_STATE_STORE, QueryableStoreTypes.<String, NodeState>keyValueStore()));
        List<IncidentView> out = new ArrayList<>();
        try (KeyValueIterator<String, String> it = open.all()) {
            while (it.hasNext()) {
                NodeState state = nodes.get(it.next().key);
                if (state != null && state.open() != null) {
                    out.add(IncidentView.of(state));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ plumbing

    private KafkaStreams running() {
        KafkaStreams ks = streams.get();
        return ks != null && ks.state().isRunningOrRebalancing() ? ks : null;
    }

    private Answer forward(HostInfo host, String path) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + path + "?local=true");
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(FORWARD_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            LOG.warn("forwarding a query to decider instance {} failed: {}", uri, e.toString());
            return Answer.error(502, "decider instance " + host.host() + ":" + host.port() + " did not answer: "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.error(503, "interrupted while asking decider instance " + host.host() + ":" + host.port());
        }
    }

    private static boolean isLocal(HttpExchange exchange) {
        String query = exchange.getRequestURI().getRawQuery();
        return query != null && List.of(query.split("&")).contains("local=true");
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void respond(HttpExchange exchange, Supplier<Answer> handler) throws IOException {
        Answer answer;
        try {
            answer = handler.get();
        } catch (RuntimeException e) {
            LOG.error("query {} failed", exchange.getRequestURI(), e);
            answer = Answer.error(500, "query failed: " + e.getMessage());
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
