package io.haltsupervisor.devtools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthWatchTest {
    @Test
    void printsEachNewReasonOnceAndWhenAllIsWellAgain() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> problems = new ArrayList<>();
        try (HealthWatch watch = HealthWatch.start(() -> List.copyOf(problems),
                new PrintStream(bytes, true, StandardCharsets.UTF_8), Duration.ofHours(1))) {
            watch.check();
            problems.add("decider stopped: stream thread died: boom");
            watch.check();
            watch.check();
            problems.clear();
            watch.check();
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "# UNHEALTHY: decider stopped: stream thread died: boom", "# healthy again");
    }
}
