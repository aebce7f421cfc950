package io.haltsupervisor.pollers;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.pollers.status.StatusResult;
import io.haltsupervisor.pollers.status.StatusParser;
import io.haltsupervisor.pollers.status.ObservationError;
import io.haltsupervisor.pollers.status.StatusResult.ReasonStringIssue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PollerMetricsTest {

    private static StatusResult parse(String intent) {
        String body = "{\"sync_info\":{\"latest_block_height\":\"100\"},\"halt_intent\":" + intent + "}";
        return StatusParser.parse(200, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aToleratedReasonStringIsCountedByIssueAndThePollIsNoError() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PollerMetrics metrics = new PollerMetrics(registry, () -> 0);
        metrics.polled(Duration.ofMillis(3), parse("{\"reason\":70,\"reason_string\":\"binary_too_new\"}"));
        metrics.polled(Duration.ofMillis(3), parse("{\"reason\":70}"));
        metrics.polled(Duration.ofMillis(3), parse("{\"reason\":72,\"reason_string\":\"unknown\"}"));
        metrics.polled(Duration.ofMillis(3), parse("{\"reason\":70,\"reason_string\":\"upgrade_required\"}"));

        assertThat(metrics.toleratedCount(ReasonStringIssue.DISAGREES)).isEqualTo(1);
        assertThat(metrics.toleratedCount(ReasonStringIssue.MISSING)).isEqualTo(1);
        assertThat(metrics.toleratedCount(ReasonStringIssue.UNKNOWN)).isEqualTo(1);
        assertThat(registry.get("halt_supervisor.poller.reason_string.tolerated").tag("issue", "disagrees").counter()
                .count()).isEqualTo(1);
        for (ObservationError.Kind kind : ObservationError.Kind.values()) {
            assertThat(metrics.errorCount(kind)).as("%s errors", kind).isZero();
        }
    }
}
