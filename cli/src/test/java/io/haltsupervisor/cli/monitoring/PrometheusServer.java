package io.haltsupervisor.cli.monitoring;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * A real Prometheus server (the Debian {@code prometheus} binary) on a free loopback port, with its storage in a
 * temporary directory {@link #close()} deletes: it scrapes one target every second and evaluates the given rule
 * files every second. For tests; {@link #binary()} says whether one is installed.
 */
public final class PrometheusServer implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path dir;
    private final URI url;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusServer(Process process, Path dir, URI url) {
        this.process = process;
        this.dir = dir;
        this.url = url;
    }

    public static Optional<Path> binary() {
        return PromtoolIT.onPath("prometheus");
    }

    /**
     * Starts Prometheus scraping {@code target}'s {@code /metrics} (job {@code halt-supervisor}) with the rule
     * files, and waits until it is ready.
     */
    public static PrometheusServer start(URI target, List<Path> ruleFiles) {
        Path binary = binary().orElseThrow(() -> new IllegalStateException("no prometheus binary: install the Debian "
                + "package prometheus"));
        try {
            Path dir = Files.createTempDirectory("prometheus-");
            StringBuilder rules = new StringBuilder();
            for (Path f : ruleFiles) {
                rules.append("  - ").append(Json.write(f.toAbsolutePath().toString())).append('\n');
            }
            Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                      evaluation_interval: 1s
                    rule_files:
                    %sscrape_configs:
                      - job_name: halt-supervisor
                        metrics_path: /metrics
                        static_configs:
                          - targets: [%s]
                    """.formatted(rules, Json.write(target.getHost() + ":" + target.getPort())));
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn").redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            PrometheusServer server = new PrometheusServer(process, dir, URI.create("http://127.0.0.1:" + port + "/"));
            try {
                await("Prometheus ready on port " + port).atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(200))
                        .ignoreExceptions().until(() -> {
                            if (!process.isAlive()) {
                                throw new IllegalStateException("prometheus exited with " + process.exitValue() + ": "
                                        + Files.readString(dir.resolve("prometheus.log")));
                            }
                            return server.get("-/ready").statusCode() == 200;
                        });
            } catch (RuntimeException e) {
                String log = Files.readString(dir.resolve("prometheus.log"));
                server.close();
                throw new IllegalStateException("Prometheus did not start: " + log, e);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Prometheus", e);
        }
    }

    public URI url() {
        return url;
    }

    /** {@code GET /api/v1/query}: the result vector (or matrix) of an instant query; fails on an API error. */
    public JsonNode query(String promql) {
        JsonNode answer = api("api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        return answer.path("data").path("result");
    }

    /** {@code GET /api/v1/alerts}: the alerts pending or firing now. */
    public List<JsonNode> alerts() {
        List<JsonNode> out = new ArrayList<>();
        api("api/v1/alerts").path("data").path("alerts").forEach(out::add);
        return out;
    }

    /** {@code GET /api/v1/label/__name__/values}: every metric name Prometheus holds. */
    public List<String> metricNames() {
        List<String> out = new ArrayList<>();
        api("api/v1/label/__name__/values").path("data").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** {@code GET /api/v1/targets}: the active targets. */
    public JsonNode targets() {
        return api("api/v1/targets").path("data").path("activeTargets");
    }

    private JsonNode api(String path) {
        try {
            HttpResponse<String> r = get(path);
            JsonNode body = Json.MAPPER.readTree(r.body());
            if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
                throw new IllegalStateException("Prometheus " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> get(String path) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The server's log so far. */
    public String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
