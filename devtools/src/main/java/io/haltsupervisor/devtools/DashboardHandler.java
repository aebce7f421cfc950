package io.haltsupervisor.devtools;

import io.haltsupervisor.cli.OpsServer;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.haltsupervisor.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The dashboard: a plain HTML/JS page ({@code /dashboard}) that polls {@code /api/state} (nodes and
 * open incidents) and {@code /api/timeline?node=NS/NAME} (one node's recent events) every second.
 * No build chain; the page is a classpath resource.
 */
public final class DashboardHandler implements HttpHandler {
    private final LiveView view;
    private final byte[] page;

    public DashboardHandler(LiveView view) {
        this.view = view;
        try (InputStream in = DashboardHandler.class.getResourceAsStream("/dashboard/index.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard page missing from the jar");
            }
            page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                OpsServer.respond(exchange, 405, "text/plain; charset=utf-8", "GET only\n");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/dashboard", "/dashboard/", "/" -> {
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    exchange.sendResponseHeaders(200, page.length);
                    exchange.getResponseBody().write(page);
                }
                case "/api/state" -> OpsServer.respond(exchange, 200, "application/json",
                        Json.write(view.snapshot()));
                case "/api/timeline" -> {
                    String node = query(exchange, "node");
                    if (node == null) {
                        OpsServer.respond(exchange, 400, "application/json",
                                "{\"error\":\"query parameter 'node' (namespace/name) is required\"}");
                    } else {
                        OpsServer.respond(exchange, 200, "application/json", Json.write(view.timeline(node)));
                    }
                }
                default -> OpsServer.respond(exchange, 404, "text/plain; charset=utf-8", "not found\n");
            }
        }
    }

    private static String query(HttpExchange exchange, String name) {
        String q = exchange.getRequestURI().getRawQuery();
        if (q == null) {
            return null;
        }
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
