package io.haltsupervisor.actuator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.haltsupervisor.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server standing in for PagerDuty's Events API v2 ({@code POST /v2/enqueue}) — or any
 * JSON webhook: it records every request and answers from a script, by default {@code 202} with
 * PagerDuty's success body. Reusable by other modules' end-to-end tests.
 *
 * <pre>{@code
 * try (PagerDutyReceiver pd = PagerDutyReceiver.start()) {
 *     pd.answerNext(429, "{\"status\":\"throttled\"}");
 *     ... ACTUATOR_PAGERDUTY_URL = pd.url() ...
 *     await().until(() -> pd.events().size() == 2);
 * }
 * }</pre>
 */
public final class PagerDutyReceiver implements AutoCloseable {
    public static final String PATH = "/v2/enqueue";

    /** One request as received. */
    public record Received(String method, String path, Map<String, String> headers, String body, int answeredWith) {
        /** The body as JSON. */
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private record Answer(int status, String body) {
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final Deque<Answer> script = new ArrayDeque<>();

    private PagerDutyReceiver(HttpServer server) {
        this.server = server;
    }

    public static PagerDutyReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            PagerDutyReceiver receiver = new PagerDutyReceiver(server);
            server.createContext("/", receiver::handle);
            server.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "pagerduty-receiver");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the loopback PagerDuty receiver", e);
        }
    }

    /** {@code http://127.0.0.1:PORT/v2/enqueue}. */
    public URI url() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + PATH);
    }

    /** Answers the next request with {@code status} and {@code body} (queued; then back to 202). */
    public synchronized PagerDutyReceiver answerNext(int status, String body) {
        script.add(new Answer(status, body));
        return this;
    }

    /** Every request so far, in order. */
    public synchronized List<Received> requests() {
        return List.copyOf(received);
    }

    /** The bodies of requests answered with 2xx, as JSON. */
    public synchronized List<JsonNode> events() {
        return received.stream().filter(r -> r.answeredWith() / 100 == 2).map(Received::json).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Answer answer;
        synchronized (this) {
            answer = script.isEmpty() ? null : script.poll();
        }
        if (answer == null) {
            String dedup = "";
            try {
                JsonNode json = Json.MAPPER.readTree(body);
                dedup = json.path("dedup_key").asText("");
            } catch (IOException ignored) {
                // PagerDuty would answer 400; the test checks the bodies anyway
            }
            answer = new Answer(202, "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":"
                    + Json.write(dedup) + "}");
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
        synchronized (this) {
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body,
                    answer.status()));
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
