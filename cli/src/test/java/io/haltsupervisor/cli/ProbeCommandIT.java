package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.sandbox.seid.Fault;
import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.SampleEvents;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code supervisor probe URL} against a simulated seid on loopback. */
class ProbeCommandIT {
    private static SimulatedSeidServer server;

    @BeforeAll
    static void start() {
        server = SimulatedSeidServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ProbeCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printsExactlyOneJsonObjectForAHaltedNode() throws Exception {
        SimulatedSeid seid = server.node("probe-halted").height(150_999_999).version("v5.9.0").halt(SampleEvents.INTENT);
        Run r = run(seid.statusUrl().toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines()).hasSize(1);
        JsonNode json = Json.MAPPER.readTree(r.out());
        assertThat(json.get("reason").asText()).isEqualTo("upgrade_required");
        assertThat(json.get("reasonCode").asInt()).isEqualTo(70);
        assertThat(json.get("planName").asText()).isEqualTo("v6");
        assertThat(json.get("height").asLong()).isEqualTo(151_000_000L);
        assertThat(json.get("latestBlockHeight").asLong()).isEqualTo(150_999_999L);
        assertThat(json.get("version").asText()).isEqualTo("v5.9.0");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aHealthyNodeHasANullReason() throws Exception {
        server.single().height(7);
        Run r = run(server.baseUri().toString());
        assertThat(r.exit()).isZero();
        assertThat(Json.MAPPER.readTree(r.out()).get("reason").isNull()).isTrue();
    }

    @Test
    void aFailureIsAJsonErrorAndExit1() throws Exception {
        SimulatedSeid seid = server.node("probe-broken").fault(new Fault.ReplaceField("/halt_intent",
                "{\"reason\":70,\"announced_at\":\"soon\"}"));
        Run r = run(seid.statusUrl().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out().lines()).hasSize(1);
        assertThat(Json.MAPPER.readTree(r.out()).get("error").asText())
                .endsWith("invalid-intent: halt_intent.announced_at: expected an RFC 3339 timestamp, got \"soon\"");
    }

    @Test
    void aBadTimeoutIsAUsageError() {
        Run r = run("--timeout", "forever", server.baseUri().toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("--timeout: expected a duration like 500ms, 30s, 5m, 1h, 2d or PT5M, got 'forever'");
    }
}
