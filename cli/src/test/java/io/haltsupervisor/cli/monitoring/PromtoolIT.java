package io.haltsupervisor.cli.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alert rules through the real {@code promtool} (Debian package {@code prometheus}; {@code .ci/run} installs
 * it): {@code promtool check rules} on the rules file, and {@code promtool test rules} on its unit tests
 * ({@code src/test/resources/monitoring/halt-supervisor.rules.test.yaml}: series that fire and series that do not
 * fire each alert, with the exact labels and annotations). Skipped with a message where promtool is missing.
 */
class PromtoolIT {
    private static Path promtool;

    @BeforeAll
    static void findPromtool() {
        Optional<Path> found = onPath("promtool");
        Assumptions.assumeTrue(found.isPresent(), "promtool not installed (apt-get install prometheus): the alert "
                + "rules were not checked by promtool");
        promtool = found.get();
    }

    static Optional<Path> onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(d, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        String out = run(List.of(promtool.toString(), "check", "rules", Monitoring.rulesFile().toString()));
        assertThat(out).contains("SUCCESS: " + Monitoring.alerts().size() + " rules found");
    }

    @Test
    void everyAlertFiresAndStaysQuietAsItsUnitTestsSay() throws Exception {
        String out = run(List.of(promtool.toString(), "test", "rules", Monitoring.rulesTestFile().toString()));
        assertThat(out).contains("SUCCESS");
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(p.exitValue()).as("%s:%n%s", command, out).isZero();
        return out;
    }
}
