package io.haltsupervisor.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operations endpoint every component serves: {@code /metrics} (Prometheus text), {@code /healthy}
 * (liveness) and {@code /ready} (readiness), plus whatever handlers a component mounts (the decider's
 * queries, the dashboard).
 */
public final class OpsServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    public OpsServer(InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier healthy,
            BooleanSupplier ready) {
        this(address, registry, healthy, ready, List::of);
    }

    /** @param problems why the components cannot go on, shown in the body of a failing {@code /healthy} */
    public OpsServer(InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier healthy,
            BooleanSupplier ready, Supplier<List<String>> problems) {
        try {
            server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + " for /metrics, /healthy, /ready", e);
        }
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", exchange -> respond(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/healthy", probe(healthy, problems));
        server.createContext("/ready", probe(ready, List::of));
    }

    /** Mounts a handler under a path prefix. */
    public OpsServer mount(String path, HttpHandler handler) {
        server.createContext(path, handler);
        return this;
    }

    public OpsServer start() {
        server.start();
        return this;
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8080/}. */
    public URI url() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    private static HttpHandler probe(BooleanSupplier check, Supplier<List<String>> problems) {
        return exchange -> {
            boolean ok;
            try {
                ok = check.getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            StringBuilder body = new StringBuilder(ok ? "ok\n" : "not ok\n");
            if (!ok) {
                try {
                    problems.get().forEach(p -> body.append(p).append('\n'));
                } catch (RuntimeException e) {
                    body.append("(the reason could not be read: ").append(e).append(")\n");
                }
            }
            respond(exchange, ok ? 200 : 503, "text/plain; charset=utf-8", body.toString());
        };
    }

    public static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
