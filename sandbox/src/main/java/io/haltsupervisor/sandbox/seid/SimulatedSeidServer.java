package io.haltsupervisor.sandbox.seid;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real loopback HTTP server serving the {@code /status} of many simulated {@code seid} nodes on one
 * port: {@code GET /nodes/{id}/status} for node {@code id}, and {@code GET /status} for the
 * {@link #single() single} node of a one-node server. Used by dev mode, tests and benchmarks.
 *
 * <pre>{@code
 * try (SimulatedSeidServer server = SimulatedSeidServer.start()) {
 *     SimulatedSeid seid = server.node("rpc-0").height(150_999_999);
 *     poll(seid.statusUrl());
 *     seid.halt(intent);
 * }
 * }</pre>
 *
 * <p>Requests are answered by a bounded pool of threads; faults that withhold the answer
 * ({@link Fault.NeverAnswer}, {@link Fault.Delay}) hold no thread. Withheld exchanges are closed
 * after {@link #PARK_LIMIT} or when the server closes, so a long dev session leaks no sockets.
 */
public final class SimulatedSeidServer implements AutoCloseable {
    /** The id of the node served at {@code /status}. */
    public static final String SINGLE_NODE_ID = "seid";
    /** How long a {@link Fault.NeverAnswer} exchange is held open at most. */
    public static final Duration PARK_LIMIT = Duration.ofMinutes(2);
    private static final int DEFAULT_THREADS = 4;
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final String NODES_PREFIX = "/nodes/";
    private static final String STATUS = "/status";
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedSeidServer.class);

    static {
        // Like seid (Go's net/http), answer without Nagle's algorithm: the JDK server writes headers and body
        // separately, and with Nagle the body waits for the client's delayed ACK (~40 ms per request).
        // Read once per JVM by the JDK's HTTP server, so set before the first server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        // Many simulated nodes share this server, each with keep-alive clients: keep more than the JDK's
        // default of 200 idle connections, as that many separate nodes would.
        if (System.getProperty("sun.net.httpserver.maxIdleConnections") == null) {
            System.setProperty("sun.net.httpserver.maxIdleConnections", "20000");
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timers;
    private final Map<String, SimulatedSeid> nodes = new ConcurrentHashMap<>();
    private final Map<HttpExchange, Long> parked = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final Clock clock;
    private final URI base;
    private volatile boolean closed;

    private SimulatedSeidServer(int threads, int backlog, Clock clock) throws IOException {
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "seid-sim-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "seid-sim-timer");
            t.setDaemon(true);
            return t;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
        server.setExecutor(workers);
        server.createContext("/", this::handle);
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        timers.scheduleWithFixedDelay(this::reapParked, 10, 10, TimeUnit.SECONDS);
    }

    /** Starts a server on a free loopback port with a few worker threads. */
    public static SimulatedSeidServer start() {
        return start(DEFAULT_THREADS);
    }

    /** Starts a server on a free loopback port with {@code threads} worker threads. */
    public static SimulatedSeidServer start(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected at least 1, got " + threads);
        }
        try {
            return new SimulatedSeidServer(threads, 1024, Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the simulated seid server on loopback", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI baseUri() {
        return base;
    }

    public int port() {
        return base.getPort();
    }

    /** The node {@code id}, created healthy on first use; served at {@code /nodes/{id}/status}. */
    public SimulatedSeid node(String id) {
        if (id == null || !NODE_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("node id: expected 1–128 of [A-Za-z0-9._-], got '" + id + "'");
        }
        return nodes.computeIfAbsent(id, k -> new SimulatedSeid(k, urlOf(k), clock));
    }

    /** The node served at {@code /status} (id {@value #SINGLE_NODE_ID}), created on first use. */
    public SimulatedSeid single() {
        return nodes.computeIfAbsent(SINGLE_NODE_ID, k -> new SimulatedSeid(k, base.resolve(STATUS), clock));
    }

    public Optional<SimulatedSeid> find(String id) {
        return Optional.ofNullable(nodes.get(id));
    }

    /** Removes a node: its URL answers 404 from now on (a gone process would refuse; see {@link Fault}). */
    public void remove(String id) {
        nodes.remove(id);
    }

    public Collection<SimulatedSeid> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Requests received, all nodes together. */
    public long requests() {
        return requests.get();
    }

    private URI urlOf(String id) {
        return base.resolve(NODES_PREFIX + id + STATUS);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try {
            String path = exchange.getRequestURI().getPath();
            SimulatedSeid node = route(path);
            if (!"GET".equals(exchange.getRequestMethod())) {
                text(exchange, 405, "text/plain", "method not allowed: use GET\n");
                return;
            }
            if (node == null) {
                text(exchange, 404, "text/plain", "404 page not found\n");
                return;
            }
            node.countRequest();
            SimulatedSeid.Snapshot snapshot = node.snapshot();
            serve(exchange, snapshot);
        } catch (IOException | RuntimeException e) {
            // the client went away mid-response (e.g. a poller stopping at its size cap): expected
            LOG.debug("simulated seid: request {} ended early: {}", exchange.getRequestURI(), e.toString());
            exchange.close();
        }
    }

    private SimulatedSeid route(String path) {
        if (STATUS.equals(path)) {
            return nodes.get(SINGLE_NODE_ID);
        }
        if (path.startsWith(NODES_PREFIX) && path.endsWith(STATUS)) {
            String id = path.substring(NODES_PREFIX.length(), path.length() - STATUS.length());
            return id.indexOf('/') >= 0 ? null : nodes.get(id);
        }
        return null;
    }

    private void serve(HttpExchange exchange, SimulatedSeid.Snapshot snapshot) throws IOException {
        Fault fault = snapshot.fault();
        if (fault == null) {
            bytes(exchange, 200, "application/json", snapshot.body());
        } else if (fault instanceof Fault.MalformedJson) {
            bytes(exchange, 200, "application/json", Arrays.copyOf(snapshot.body(), snapshot.body().length / 2));
        } else if (fault instanceof Fault.HtmlErrorPage html) {
            text(exchange, html.status(), "text/html", htmlPage(html.status()));
        } else if (fault instanceof Fault.HttpStatus status) {
            text(exchange, status.status(), "text/plain", reasonPhrase(status.status()) + "\n");
        } else if (fault instanceof Fault.NeverAnswer) {
            park(exchange);
        } else if (fault instanceof Fault.Delay delay) {
            park(exchange);
            timers.schedule(() -> workers.execute(() -> answerLater(exchange, snapshot.body())),
                    delay.delay().toNanos(), TimeUnit.NANOSECONDS);
        } else if (fault instanceof Fault.Oversized oversized) {
            oversized(exchange, oversized);
        } else if (fault instanceof Fault.Body body) {
            text(exchange, body.status(), body.contentType(), body.body());
        } else {
            throw new IllegalStateException("unhandled fault " + fault);
        }
    }

    private void park(HttpExchange exchange) {
        parked.put(exchange, System.nanoTime());
    }

    private void answerLater(HttpExchange exchange, byte[] body) {
        if (parked.remove(exchange) == null) {
            return; // reaped or closed meanwhile
        }
        try {
            bytes(exchange, 200, "application/json", body);
        } catch (IOException e) {
            exchange.close();
        }
    }

    private void reapParked() {
        long limit = PARK_LIMIT.toNanos();
        long now = System.nanoTime();
        parked.forEach((exchange, since) -> {
            if (now - since > limit && parked.remove(exchange) != null) {
                exchange.close();
            }
        });
    }

    private static void oversized(HttpExchange exchange, Fault.Oversized fault) throws IOException {
        byte[] head = "{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":{\"padding\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"}}".getBytes(StandardCharsets.US_ASCII);
        long padding = Math.max(0, fault.bytes() - head.length - tail.length);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, fault.declareLength() ? head.length + padding + tail.length : 0);
        byte[] chunk = new byte[16 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(head);
            for (long left = padding; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
            out.write(tail);
        }
    }

    private static void text(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        bytes(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String htmlPage(int status) {
        String title = status + " " + reasonPhrase(status);
        return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title
                + "</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n";
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Temporarily Unavailable";
            case 504 -> "Gateway Time-out";
            default -> "Error";
        };
    }

    /** Stops serving at once; withheld exchanges are closed. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        List<HttpExchange> open = new ArrayList<>(parked.keySet());
        parked.clear();
        open.forEach(HttpExchange::close);
        timers.shutdownNow();
        workers.shutdownNow();
    }

    /**
     * Serves a simulated fleet until killed: {@code --nodes N} nodes named {@code node-0…} (default 1),
     * {@code --threads T} workers. Prints {@code url=http://127.0.0.1:PORT} once listening.
     */
    public static void main(String[] args) throws InterruptedException {
        int count = 1;
        int threads = DEFAULT_THREADS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--nodes" -> count = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "': expected --nodes N or --threads T");
            }
        }
        SimulatedSeidServer server = start(threads);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "seid-sim-shutdown"));
        for (int i = 0; i < count; i++) {
            server.node("node-" + i).height(1_000_000L + i);
        }
        System.out.println("url=" + server.baseUri());
        System.out.flush();
        new java.util.concurrent.CountDownLatch(1).await();
    }
}
