package io.haltsupervisor.devtools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * {@code supervisor dev} as a user runs it: the packaged jar in a child JVM. It prints
 * {@code bootstrap=…} quickly, the broker it names holds every topic, and SIGINT ends it with exit 0.
 */
class DevModeIT {
    static final Path JAR = Path.of("target", "halt-supervisor-dev.jar");

    static Process launch(String... args) throws Exception {
        assertThat(JAR).as("the shaded jar is built in the package phase").exists();
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Reads the child's stdout lines {@code key=value} into a map, in the background. */
    static Map<String, String> readKeyValues(Process process) {
        Map<String, String> values = new ConcurrentHashMap<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        values.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
            } catch (java.io.IOException e) {
                // the child went away
            }
        }, "dev-stdout");
        reader.setDaemon(true);
        reader.start();
        return values;
    }

    static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void printsBootstrapServesEveryTopicAndStopsCleanlyOnSigint() throws Exception {
        Process dev = launch("dev");
        try {
            Map<String, String> printed = readKeyValues(dev);
            await().atMost(Duration.ofSeconds(30)).until(() -> printed.containsKey("bootstrap"));
            await().atMost(Duration.ofSeconds(5)).until(() -> printed.containsKey("kubernetes"));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", printed.get("bootstrap")))) {
                Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
                assertThat(topics).containsAll(Topics.ALL.stream().map(Topic::name).toList());
            }
            signal(dev, "INT");
            assertThat(dev.waitFor(10, TimeUnit.SECONDS)).as("stopped within 10 s of SIGINT").isTrue();
            assertThat(dev.exitValue()).isZero();
        } finally {
            dev.destroyForcibly();
        }
    }

    @Test
    void everyScenarioReachesItsDecisionsAndActionsAndExits0WhenDone() throws Exception {
        // 100 ms blocks (dev defaults to Sei's 400 ms) keep the run CI-sized
        Process dev = launch("dev", "--scenario", "all", "--exit-when-done", "--timeout", "4m", "--block-time", "100ms");
        try {
            java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
            Map<String, String> printed = new ConcurrentHashMap<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                        int eq = line.indexOf('=');
                        if (eq > 0 && !line.contains(" ")) {
                            printed.put(line.substring(0, eq), line.substring(eq + 1));
                        }
                    }
                } catch (java.io.IOException e) {
                    // the child went away
                }
            });
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> printed.containsKey("metrics"));
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(60)).until(() -> http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(printed.get("metrics").replace("/metrics", "/ready"))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(printed.get("metrics")))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("kafka_producer").contains("kafka_stream").contains("halt_supervisor");

            assertThat(dev.waitFor(5, TimeUnit.MINUTES)).as("all scenarios done within 5 minutes").isTrue();
            assertThat(dev.exitValue()).as(String.join("\n", lines)).isZero();
            String out = String.join("\n", lines);
            for (String scenario : List.of("upgrade", "missing-mapping", "too-new", "downgrade", "exit-code-only",
                    "crash-loop", "network-upgrade")) {
                assertThat(out).contains("scenario " + String.format(java.util.Locale.ROOT, "%-15s", scenario)
                        + " complete");
            }
            assertThat(out).contains("every scenario reached its decisions and actions")
                    .contains("decision:upgrade").contains("decision:rollback").contains("decision:quarantine")
                    .contains("PAGE trigger").contains("PAGE resolve");
        } finally {
            dev.destroyForcibly();
        }
    }

    @Test
    void withNoNodesItRunsOnlyTheSupervisorInTheNamespacesGiven() throws Exception {
        Process dev = launch("dev", "--nodes", "0", "--namespaces", "team-a,team-b");
        try {
            List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (java.io.IOException e) {
                    // the child went away
                }
            }, "dev-stdout");
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> lines.stream()
                    .anyMatch(l -> l.startsWith("# no simulated fleet; watching and acting in namespaces team-a,team-b")));
            String url = lines.stream().filter(l -> l.startsWith("kubernetes=")).findFirst().orElseThrow()
                    .substring("kubernetes=".length());
            try (io.fabric8.kubernetes.client.KubernetesClient kube = new io.fabric8.kubernetes.client
                    .KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                            .withMasterUrl(url).build()).build()) {
                assertThat(kube.namespaces().withName("sei").get()).as("no simulated fleet's namespace").isNull();
                assertThat(kube.pods().inAnyNamespace().list().getItems()).isEmpty();
                assertThat(kube.configMaps().inAnyNamespace().list().getItems()).as("no simulated mapping").isEmpty();
            }
            signal(dev, "INT");
            assertThat(dev.waitFor(10, TimeUnit.SECONDS)).as("stopped within 10 s of SIGINT").isTrue();
            assertThat(dev.exitValue()).isZero();
        } finally {
            dev.destroyForcibly();
        }
    }

    @Test
    void sigtermAlsoStopsItCleanly() throws Exception {
        Process dev = launch("dev");
        try {
            Map<String, String> printed = readKeyValues(dev);
            await().atMost(Duration.ofSeconds(30)).until(() -> printed.containsKey("bootstrap"));
            signal(dev, "TERM");
            assertThat(dev.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(dev.exitValue()).isZero();
            assertThat(Files.exists(JAR)).isTrue();
        } finally {
            dev.destroyForcibly();
        }
    }
}
