package io.haltsupervisor.pollers.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.SampleEvents;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StatusProbeTest {

    @Test
    void describesAHaltWithEveryField() {
        String json = Json.write(StatusProbe.describe(new NodeStatus(150_999_999L, "v5.9.0", false, "pacific-1", "rpc-0",
                SampleEvents.INTENT)));
        assertThat(json).isEqualTo("{\"reason\":\"upgrade_required\",\"reasonCode\":70,\"planName\":\"v6\","
                + "\"height\":151000000,\"announcedAt\":\"2026-11-20T10:15:00.123456789Z\","
                + "\"latestBlockHeight\":150999999,\"version\":\"v5.9.0\"}");
    }

    @Test
    void describesAHealthyNodeWithNullIntentFields() {
        String json = Json.write(StatusProbe.describe(new NodeStatus(42, null, null, null, null, null)));
        assertThat(json).isEqualTo("{\"reason\":null,\"reasonCode\":null,\"planName\":null,\"height\":null,"
                + "\"announcedAt\":null,\"latestBlockHeight\":42,\"version\":null}");
    }

    @Test
    void addsStatusToAUrlWithoutPath() {
        assertThat(StatusProbe.statusUri("http://10.0.0.1:26657")).contains(URI.create("http://10.0.0.1:26657/status"));
        assertThat(StatusProbe.statusUri("http://10.0.0.1:26657/")).contains(URI.create("http://10.0.0.1:26657/status"));
        assertThat(StatusProbe.statusUri("https://rpc.example/status?x=1"))
                .contains(URI.create("https://rpc.example/status?x=1"));
        assertThat(StatusProbe.statusUri("10.0.0.1:26657")).isEmpty();
    }

    @Test
    void anInvalidUrlIsAJsonErrorWithExitCode1() throws Exception {
        StatusProbe.Outcome outcome = StatusProbe.probe("ftp://x", Duration.ofSeconds(1), Duration.ofSeconds(1), 1024);
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(Json.MAPPER.readTree(outcome.json()).get("error").asText())
                .isEqualTo("URL 'ftp://x' is not valid: expected http(s)://HOST:PORT[/status]");
    }
}
