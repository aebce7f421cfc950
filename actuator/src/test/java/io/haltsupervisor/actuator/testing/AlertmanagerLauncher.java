package io.haltsupervisor.actuator.testing;

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
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * Starts a real Alertmanager (the Debian {@code prometheus-alertmanager} binary, or {@code alertmanager}, or
 * {@code $ALERTMANAGER_BINARY}) on a free loopback port, clustering off ({@code --cluster.listen-address=}),
 * with a minimal config (one receiver that sends nothing) and its storage in a temporary directory that
 * {@link #close()} deletes. Reusable by other modules' end-to-end tests.
 *
 * <pre>{@code
 * Assumptions.assumeTrue(AlertmanagerLauncher.binary().isPresent(), "...");
 * try (AlertmanagerLauncher am = AlertmanagerLauncher.start()) {
 *     ... am.url() ... am.activeAlerts() ...
 * }
 * }</pre>
 */
public final class AlertmanagerLauncher implements AutoCloseable {
    public static final String BINARY_ENV = "ALERTMANAGER_BINARY";
    private static final String CONFIG = """
            route:
              receiver: discard
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: discard
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

    public static AlertmanagerLauncher start() {
        Path binary = binary().orElseThrow(() -> new IllegalStateException("no Alertmanager binary: install the "
                + "Debian package prometheus-alertmanager or set " + BINARY_ENV));
        try {
            Path dir = Files.createTempDirectory("alertmanager-");
            Path config = Files.writeString(dir.resolve("alertmanager.yml"), CONFIG);
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(binary.toString(),
                    "--config.file=" + config,
                    "--storage.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--cluster.listen-address=",
                    "--log.level=warn"));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
            AlertmanagerLauncher am = new AlertmanagerLauncher(process, dir, URI.create("http://127.0.0.1:" + port));
            try {
                Awaitility.await("Alertmanager ready on port " + port).atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100)).until(am::isReady);
            } catch (RuntimeException e) {
                String log = Files.readString(dir.resolve("alertmanager.log"));
                am.close();
                throw new IllegalStateException("Alertmanager did not start: " + log, e);
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

    private boolean isReady() {
        if (!process.isAlive()) {
            throw new IllegalStateException("Alertmanager exited with " + process.exitValue());
        }
        try {
            return http.send(HttpRequest.newBuilder(url.resolve("/-/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code GET /api/v2/alerts}: the alerts Alertmanager holds as active (not resolved). */
    public List<JsonNode> activeAlerts() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve("/api/v2/alerts")).build(),
                    HttpResponse.BodyHandlers.ofString());
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
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }
}
