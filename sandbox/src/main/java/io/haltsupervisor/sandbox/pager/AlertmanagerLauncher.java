package io.haltsupervisor.sandbox.pager;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.schemas.Json;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts a real Alertmanager (the Debian {@code prometheus-alertmanager} binary, or {@code alertmanager}, or
 * {@code $ALERTMANAGER_BINARY}) on a free loopback port, clustering off ({@code --cluster.listen-address=}),
 * with its storage in a temporary directory that {@link #close()} deletes. Its one receiver sends nothing
 * ({@link #start()}) or posts every notification, resolved ones included, to a webhook
 * ({@link #startForwardingTo}, e.g. a {@link WebhookReceiver}); alerts are not grouped, and are sent after
 * 1 s. For dev mode and end-to-end tests.
 *
 * <pre>{@code
 * Assumptions.assumeTrue(AlertmanagerLauncher.binary().isPresent(), "...");
 * try (AlertmanagerLauncher am = AlertmanagerLauncher.start()) {
 *     ... ACTUATOR_ALERTMANAGER_URLS = am.url() ... am.activeAlerts() ...
 * }
 * }</pre>
 */
public final class AlertmanagerLauncher implements AutoCloseable {
    public static final String BINARY_ENV = "ALERTMANAGER_BINARY";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final String ROUTE = """
            route:
              receiver: default
              group_by: ['...']
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            """;

    private final Process process;
    private final Path dir;
    private final URI url;
    private final HttpClient http = HttpClient.newHttpClient();

    private AlertmanagerLauncher(Process process, Path dir, URI url) {
        this.process = process;
        this.dir = dir;
        this.url = url;
    }

    /** The Alertmanager binary on this machine, if any. */
    public static Optional<Path> binary() {
        String configured = System.getenv(BINARY_ENV);
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String name : List.of("prometheus-alertmanager", "alertmanager")) {
            for (String d : path.split(File.pathSeparator)) {
                Path candidate = Path.of(d, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Starts an Alertmanager whose receiver sends nothing: alerts are only held ({@link #activeAlerts()}). */
    public static AlertmanagerLauncher start() {
        return launch(ROUTE + """
                receivers:
                  - name: default
                """);
    }

    /**
     * Starts an Alertmanager that posts each notification (Alertmanager's webhook format, {@code status}
     * firing or resolved) to {@code webhook}.
     */
    public static AlertmanagerLauncher startForwardingTo(URI webhook) {
        return launch(ROUTE + """
                receivers:
                  - name: default
                    webhook_configs:
                      - url: %s
                        send_resolved: true
                """.formatted(Json.write(webhook.toString())));
    }

    private static AlertmanagerLauncher launch(String config) {
        Path binary = binary().orElseThrow(() -> new IllegalStateException("no Alertmanager binary: install the "
                + "Debian package prometheus-alertmanager or set " + BINARY_ENV));
        try {
            Path dir = Files.createTempDirectory("alertmanager-");
            Path configFile = Files.writeString(dir.resolve("alertmanager.yml"), config);
            int port = freePort();
            Process process = new ProcessBuilder(binary.toString(),
                    "--config.file=" + configFile,
                    "--storage.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--cluster.listen-address=",
                    "--log.level=warn").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
            AlertmanagerLauncher am = new AlertmanagerLauncher(process, dir, URI.create("http://127.0.0.1:" + port));
            try {
                am.awaitReady();
            } catch (RuntimeException e) {
                String log = Files.readString(dir.resolve("alertmanager.log"));
                am.close();
                throw new IllegalStateException("Alertmanager did not start on port " + port + ": " + log, e);
            }
            return am;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Alertmanager", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}, the base URL for {@code ACTUATOR_ALERTMANAGER_URLS}. */
    public URI url() {
        return url;
    }

    /** The directory holding the config, the log ({@code alertmanager.log}) and the storage. */
    public Path directory() {
        return dir;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Alertmanager exited with " + process.exitValue());
            }
            try {
                if (http.send(HttpRequest.newBuilder(url.resolve("/-/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Alertmanager", e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Alertmanager", e);
            }
        }
        throw new IllegalStateException("Alertmanager not ready after " + READY_TIMEOUT);
    }

    /** {@code GET /api/v2/alerts}: the alerts Alertmanager holds as active (not resolved). */
    public List<JsonNode> activeAlerts() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve("/api/v2/alerts")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET /api/v2/alerts answered " + r.statusCode() + ": " + r.body());
            }
            List<JsonNode> alerts = new ArrayList<>();
            Json.MAPPER.readTree(r.body()).forEach(alerts::add);
            return alerts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }
}
