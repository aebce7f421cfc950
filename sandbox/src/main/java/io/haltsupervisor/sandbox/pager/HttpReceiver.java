package io.haltsupervisor.sandbox.pager;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback HTTP server that records every request and answers it: first from a script
 * ({@link #answerNext}), else as the service it stands in for would ({@link #refusal}, then
 * {@link #defaultAnswer}). Listeners ({@link #onRequest}) see each request once it has been answered.
 * It keeps the last {@value #MAX_RECORDED} requests.
 */
public abstract sealed class HttpReceiver implements AutoCloseable permits PagerDutyReceiver, WebhookReceiver {
    /** How many requests {@link #requests()} keeps; older ones are dropped (dev mode runs for hours). */
    public static final int MAX_RECORDED = 5_000;
    private static final int THREADS = 4;
    private static final Logger LOG = LoggerFactory.getLogger(HttpReceiver.class);

    static {
        // As SimulatedSeidServer: without this the JDK server's separate header and body writes wait for the
        // client's delayed ACK (~40 ms a request). Read once per JVM, so set before the first server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService workers;
    private final String path;
    private final Clock clock = Clock.systemUTC();
    private final Deque<Answer> script = new ArrayDeque<>();
    private final Deque<ReceivedRequest> received = new ArrayDeque<>();
    private final List<Consumer<ReceivedRequest>> listeners = new CopyOnWriteArrayList<>();

    /** Binds {@code 127.0.0.1:port} ({@code 0}: a free port); {@link #url()} points at {@code path}. */
    HttpReceiver(String name, int port, String path) {
        this.path = path;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the loopback " + name + " on port " + port, e);
        }
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.createContext("/", this::handle);
        server.setExecutor(workers);
        server.start();
    }

    /** {@code http://127.0.0.1:PORT/PATH}: where to send. */
    public URI url() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort()
                + path);
    }

    /** Answers the next request with {@code status} and {@code body} (queued after earlier scripted answers). */
    public void answerNext(int status, String body) {
        answerNext(Answer.of(status, body));
    }

    /** Answers the next {@code times} requests with {@code status} and {@code body}. */
    public void answerNext(int status, String body, int times) {
        for (int i = 0; i < times; i++) {
            answerNext(Answer.of(status, body));
        }
    }

    /** Answers the next request with {@code answer} (queued after earlier scripted answers). */
    public synchronized void answerNext(Answer answer) {
        script.add(answer);
    }

    /**
     * Calls {@code listener} with each request once it has been answered, on the receiver's thread; a
     * listener's exception is logged and otherwise ignored.
     */
    public void onRequest(Consumer<ReceivedRequest> listener) {
        listeners.add(listener);
    }

    /** Every request so far (the last {@value #MAX_RECORDED}), in order. */
    public synchronized List<ReceivedRequest> requests() {
        return List.copyOf(received);
    }

    /** The bodies of the requests answered 2xx, as JSON, in order. */
    public synchronized List<JsonNode> events() {
        return received.stream().filter(ReceivedRequest::accepted).map(ReceivedRequest::json).toList();
    }

    /** Forgets the requests so far and any scripted answers not yet used. */
    public synchronized void clear() {
        received.clear();
        script.clear();
    }

    /** Why the service would refuse this request (checked after the script, before the default answer). */
    Optional<Answer> refusal(String method, String requestPath, Map<String, String> headers, String body) {
        return Optional.empty();
    }

    /** The answer to an acceptable request that the script did not answer. */
    abstract Answer defaultAnswer(String method, String requestPath, Map<String, String> headers, String body);

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
            String method = exchange.getRequestMethod();
            String requestPath = exchange.getRequestURI().getPath();
            Answer scripted;
            synchronized (this) {
                scripted = script.poll();
            }
            Answer answer = scripted != null ? scripted : refusal(method, requestPath, headers, body)
                    .orElseGet(() -> defaultAnswer(method, requestPath, headers, body));
            ReceivedRequest request = new ReceivedRequest(clock.instant(), method, requestPath, headers, body,
                    answer.status());
            synchronized (this) {
                if (received.size() == MAX_RECORDED) {
                    received.removeFirst();
                }
                received.addLast(request);
            }
            if (!answer.delay().isZero()) {
                try {
                    Thread.sleep(answer.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0) {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
            }
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            for (Consumer<ReceivedRequest> listener : listeners) {
                try {
                    listener.accept(request);
                } catch (RuntimeException e) {
                    LOG.warn("a listener of {} failed on {} {}", url(), method, requestPath, e);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
