package io.haltsupervisor.pollers.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.sandbox.seid.Fault;
import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.SampleEvents;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code supervisor probe URL} against a simulated seid over loopback HTTP. */
class StatusProbeIT {
    private static SimulatedSeidServer server;

    @BeforeAll
    static void start() {
        server = SimulatedSeidServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static StatusProbe.Outcome probe(String url) {
        return StatusProbe.probe(url, Duration.ofSeconds(2), Duration.ofSeconds(2), 1024 * 1024);
    }

    @Test
    void printsWhatTheSupervisorSeesOfAHaltedNode() throws Exception {
        server.single().height(150_999_999).version("v5.9.0").halt(SampleEvents.INTENT);
        StatusProbe.Outcome outcome = probe(server.baseUri().toString());
        assertThat(outcome.exitCode()).isZero();
        JsonNode json = Json.MAPPER.readTree(outcome.json());
        assertThat(json.get("reason").asText()).isEqualTo("upgrade_required");
        assertThat(json.get("reasonCode").asInt()).isEqualTo(70);
        assertThat(json.get("planName").asText()).isEqualTo("v6");
        assertThat(json.get("height").asLong()).isEqualTo(151_000_000L);
        assertThat(json.get("announcedAt").asText()).isEqualTo("2026-11-20T10:15:00.123456789Z");
        assertThat(json.get("latestBlockHeight").asLong()).isEqualTo(150_999_999L);
        assertThat(json.get("version").asText()).isEqualTo("v5.9.0");
        assertThat(outcome.json()).doesNotContain("\n");
    }

    @Test
    void printsNullReasonForAHealthyNode() throws Exception {
        SimulatedSeid seid = server.node("healthy").height(42);
        JsonNode json = Json.MAPPER.readTree(probe(seid.statusUrl().toString()).json());
        assertThat(json.get("reason").isNull()).isTrue();
        assertThat(json.get("latestBlockHeight").asLong()).isEqualTo(42);
    }

    @Test
    void failuresAreOneJsonErrorNamingWhatWasWrongAndExit1() throws Exception {
        SimulatedSeid seid = server.node("broken");
        String[][] cases = {
            {"html", "http-status: HTTP 502 (an HTML page titled '502 Bad Gateway')"},
            {"silent", "timeout: no response within 2s"},
            {"typed", "wrong-type: sync_info.latest_block_height: expected a non-negative int64"},
            {"reason", "invalid-intent: halt_intent.reason: expected a graceful halt code 70–89 (or 0), got 12"},
        };
        for (String[] c : cases) {
            seid.fault(switch (c[0]) {
                case "html" -> new Fault.HtmlErrorPage(502);
                case "silent" -> new Fault.NeverAnswer();
                case "typed" -> new Fault.ReplaceField("/sync_info/latest_block_height", "true");
                default -> new Fault.ReplaceField("/halt_intent", "{\"reason\":12}");
            });
            StatusProbe.Outcome outcome = probe(seid.statusUrl().toString());
            assertThat(outcome.exitCode()).as(c[0]).isEqualTo(1);
            JsonNode json = Json.MAPPER.readTree(outcome.json());
            assertThat(json.size()).isEqualTo(1);
            assertThat(json.get("error").asText()).startsWith("GET " + seid.statusUrl() + ": " + c[1]);
        }
    }
}
