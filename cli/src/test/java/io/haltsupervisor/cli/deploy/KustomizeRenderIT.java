package io.haltsupervisor.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The manifest checks render kustomizations with their own small renderer ({@link Manifests}); this test
 * renders each one with the real {@code kubectl kustomize} as well and requires the same objects, field for
 * field. Skipped where {@code kubectl} is not installed (it is not a build dependency).
 */
class KustomizeRenderIT {
    private static boolean kubectl;

    @BeforeAll
    static void findKubectl() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            kubectl = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            kubectl = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kubectl = false;
        }
    }

    static Stream<Path> kustomizations() {
        return Manifests.kustomizations().stream();
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void kubectlKustomizeRendersWhatTheChecksCheck(Path dir) throws Exception {
        assumeTrue(kubectl, "kubectl is not installed: the manifests were checked with the test's renderer only");
        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
        String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize %s: %s", dir, err).isZero();

        Map<String, JsonNode> real = new TreeMap<>();
        try (var parser = Manifests.YAML.getFactory().createParser(yaml)) {
            var values = Manifests.YAML.readValues(parser, JsonNode.class);
            while (values.hasNext()) {
                JsonNode n = values.next();
                if (n != null && n.isObject()) {
                    real.put(Manifests.id(n), n);
                }
            }
        }
        Map<String, JsonNode> ours = new TreeMap<>();
        for (ObjectNode o : Manifests.render(dir).objects()) {
            ours.put(Manifests.id(o), o);
        }
        assertThat(ours.keySet()).as("%s: objects", dir).isEqualTo(real.keySet());
        ours.forEach((id, node) -> assertThat(node).as("%s: %s", dir, id).isEqualTo(real.get(id)));
    }
}
