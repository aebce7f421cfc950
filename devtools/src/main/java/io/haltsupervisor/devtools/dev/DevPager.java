package io.haltsupervisor.devtools.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.haltsupervisor.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * The pager of {@code dev}: a loopback HTTP endpoint that receives the actuator's generic JSON webhook
 * and prints each page on the console — the stand-in for PagerDuty or Alertmanager.
 */
public final class DevPager implements AutoCloseable {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final HttpServer server;
    private final List<JsonNode> pages = new CopyOnWriteArrayList<>();

    public DevPager(PrintStream out) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the dev pager on loopback", e);
        }
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dev-pager");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                int status = 202;
                try {
                    JsonNode page = Json.MAPPER.readTree(in.readAllBytes());
                    pages.add(page);
                    synchronized (out) {
                        out.printf("%s  PAGE %-11s %-8s %s %s — %s%n", TIME.format(java.time.Instant.now()),
                                page.path("action").asText(), page.path("severity").asText(),
                                page.path("node").asText(page.path("incidentId").asText()),
                                page.path("dedupKey").asText(), page.path("summary").asText());
                        out.flush();
                    }
                } catch (IOException e) {
                    status = 400;
                }
                exchange.sendResponseHeaders(status, -1);
            }
        });
        server.start();
    }

    /** Where the actuator's webhook should post. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/pages");
    }

    /** Every page received so far. */
    public List<JsonNode> pages() {
        return List.copyOf(pages);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static String now() {
        return TIME.format(LocalTime.now());
    }
}
