package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * What the production jar — the one {@code deploy/Dockerfile} ships — holds, read from the shaded jar the package
 * phase built: the supervisor's own code and its runtime libraries, and none of the test machinery its tests and
 * dev mode use. Its dependency tree reaches no broker, no mock API server, no Kafka Streams test-utils and none of
 * the sandbox or the developer tools; a dependency that drags one in fails here.
 */
class ProductionJarIT {
    private static final Path JAR = Path.of("target", "halt-supervisor.jar");

    /** A class each forbidden artifact cannot be without, by what it is. */
    private static final Map<String, String> FORBIDDEN = Map.of(
            "an embedded broker (kafka_2.13 / kafka-server)", "kafka/server/KafkaRaftServer.class",
            "the Kafka server side (kafka-server)", "org/apache/kafka/server/config/ServerConfigs.class",
            "a mock Kubernetes API server (kubernetes-server-mock)",
            "io/fabric8/kubernetes/client/server/mock/KubernetesMockServer.class",
            "a mock web server (mockwebserver)", "io/fabric8/mockwebserver/DefaultMockServer.class",
            "Kafka Streams test-utils", "org/apache/kafka/streams/TopologyTestDriver.class",
            "the sandbox module", "io/haltsupervisor/sandbox/kafka/EmbeddedKafka.class",
            "the developer tools (dev mode, benchmarks)", "io/haltsupervisor/devtools/DevSupervisor.class",
            "JUnit", "org/junit/jupiter/api/Test.class");

    @Test
    void holdsTheSupervisorAndNoTestMachinery() throws IOException {
        assertThat(JAR).as("the shaded jar is built in the package phase").exists();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (String needed : List.of("io/haltsupervisor/cli/Supervisor.class",
                    "io/haltsupervisor/decider/replay/DeciderReplay.class",
                    "io/haltsupervisor/pollers/PollersService.class", "io/haltsupervisor/actuator/ActuatorService.class",
                    "org/apache/kafka/streams/KafkaStreams.class", "io/fabric8/kubernetes/client/KubernetesClient.class")) {
                assertThat(jar.getEntry(needed)).as("the production jar holds " + needed).isNotNull();
            }
            FORBIDDEN.forEach((what, marker) -> {
                ZipEntry entry = jar.getEntry(marker);
                assertThat(entry).as("the production jar must not carry " + what + " (found " + marker + ")").isNull();
            });
            assertThat(jar.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("io/haltsupervisor/sandbox/") || n.startsWith("io/haltsupervisor/devtools/")))
                    .as("no sandbox or devtools class").isEmpty();
        }
    }
}
