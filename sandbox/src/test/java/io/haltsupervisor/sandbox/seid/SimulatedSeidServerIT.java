package io.haltsupervisor.sandbox.seid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.SampleEvents;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulator over real loopback HTTP: what dev mode and the pollers' tests rely on. */
class SimulatedSeidServerIT {
    private static SimulatedSeidServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() {
        server = SimulatedSeidServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesAWrappedTendermintStatusWithInt64sAsStrings() throws Exception {
        SimulatedSeid seid = server.node("rpc-0").height(150_999_999).version("v5.9.0");
        HttpResponse<String> response = get(seid.statusUrl());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode root = Json.MAPPER.readTree(response.body());
        assertThat(root.path("jsonrpc").asText()).isEqualTo("2.0");
        JsonNode status = root.path("result");
        assertThat(status.path("sync_info").path("latest_block_height").isTextual()).isTrue();
        assertThat(status.path("sync_info").path("latest_block_height").asText()).isEqualTo("150999999");
        assertThat(status.path("node_info").path("version").asText()).isEqualTo("v5.9.0");
        assertThat(status.path("application_info").path("version").asText()).isEqualTo("v5.9.0");
        assertThat(status.path("validator_info").path("voting_power").asText()).isEqualTo("0");
        assertThat(status.has("halt_intent")).isFalse();
        assertThat(seid.requests()).isEqualTo(1);
    }

    @Test
    void servesManyNodesOnOnePortAndTheSingleNodeAtSlashStatus() throws Exception {
        server.node("a").height(10);
        server.node("b").height(20);
        server.single().height(30).envelope(SimulatedSeid.Envelope.UNWRAPPED);

        assertThat(Json.MAPPER.readTree(get(server.node("a").statusUrl()).body())
                .at("/result/sync_info/latest_block_height").asText()).isEqualTo("10");
        assertThat(Json.MAPPER.readTree(get(server.node("b").statusUrl()).body())
                .at("/result/sync_info/latest_block_height").asText()).isEqualTo("20");
        assertThat(Json.MAPPER.readTree(get(server.baseUri().resolve("/status")).body())
                .at("/sync_info/latest_block_height").asText()).isEqualTo("30");
        assertThat(get(server.baseUri().resolve("/nodes/nobody/status")).statusCode()).isEqualTo(404);
    }

    @Test
    void haltsInStayAliveModeAndRecovers() throws Exception {
        SimulatedSeid seid = server.node("halting").height(100).int64AsNumbers(true);
        seid.halt(SampleEvents.INTENT);

        JsonNode status = Json.MAPPER.readTree(get(seid.statusUrl()).body()).path("result");
        assertThat(HaltIntent.fromJson(status.path("halt_intent"))).isEqualTo(SampleEvents.INTENT);
        assertThat(status.at("/sync_info/latest_block_height").isNumber()).isTrue();

        seid.recover();
        assertThat(Json.MAPPER.readTree(get(seid.statusUrl()).body()).path("result").has("halt_intent")).isFalse();
    }

    @Test
    void anOlderSeidNeverServesHaltIntent() throws Exception {
        SimulatedSeid seid = server.node("old").haltIntentSupported(false).halt(SampleEvents.INTENT);
        assertThat(Json.MAPPER.readTree(get(seid.statusUrl()).body()).path("result").has("halt_intent")).isFalse();
    }

    @Test
    void heightAdvancesWithABlockTimeAndFreezesWhenHalted() {
        SimulatedSeid seid = server.node("advancing").height(5).blockTime(Duration.ofMillis(1));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> seid.height() > 50);
        seid.halt(SampleEvents.INTENT);
        long frozen = seid.height();
        org.awaitility.Awaitility.await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1))
                .until(() -> seid.height() == frozen);
    }

    @Test
    void faultsMisbehaveAsConfigured() throws Exception {
        SimulatedSeid seid = server.node("faulty");

        seid.fault(new Fault.HtmlErrorPage(502));
        HttpResponse<String> html = get(seid.statusUrl());
        assertThat(html.statusCode()).isEqualTo(502);
        assertThat(html.body()).contains("<title>502 Bad Gateway</title>");

        seid.fault(new Fault.HttpStatus(503));
        assertThat(get(seid.statusUrl()).statusCode()).isEqualTo(503);

        seid.fault(new Fault.MalformedJson());
        String malformed = get(seid.statusUrl()).body();
        assertThatThrownBy(() -> Json.MAPPER.readTree(malformed)).isInstanceOf(IOException.class);

        seid.fault(new Fault.ReplaceField("/sync_info/latest_block_height", "{\"oops\":true}"));
        assertThat(Json.MAPPER.readTree(get(seid.statusUrl()).body())
                .at("/result/sync_info/latest_block_height/oops").asBoolean()).isTrue();

        seid.fault(new Fault.ReplaceField("/halt_intent", "{\"reason\":99}"));
        assertThat(Json.MAPPER.readTree(get(seid.statusUrl()).body()).at("/result/halt_intent/reason").asInt())
                .isEqualTo(99);

        seid.fault(new Fault.Oversized(2 * 1024 * 1024, true));
        HttpResponse<String> big = get(seid.statusUrl());
        assertThat(big.body()).hasSize(2 * 1024 * 1024);
        seid.fault(new Fault.Oversized(3 * 1024 * 1024 + 7, false));
        assertThat(get(seid.statusUrl()).body()).hasSize(3 * 1024 * 1024 + 7);

        seid.fault(new Fault.Body(200, "text/plain", "hello"));
        assertThat(get(seid.statusUrl()).body()).isEqualTo("hello");

        seid.clearFault();
        assertThat(get(seid.statusUrl()).statusCode()).isEqualTo(200);
    }

    @Test
    void neverAnswerHoldsTheConnectionWithoutAResponse() {
        SimulatedSeid seid = server.node("silent").fault(new Fault.NeverAnswer());
        HttpRequest request = HttpRequest.newBuilder(seid.statusUrl()).timeout(Duration.ofMillis(300)).build();
        assertThatThrownBy(() -> HTTP.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(seid.requests()).isEqualTo(1);
    }

    @Test
    void delayAnswersLaterWithoutHoldingAThread() throws Exception {
        SimulatedSeid seid = server.node("slow").fault(new Fault.Delay(Duration.ofMillis(200)));
        long start = System.nanoTime();
        assertThat(get(seid.statusUrl()).statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void rejectsNodeIdsThatCannotBeAPathSegment() {
        assertThatThrownBy(() -> server.node("sei/rpc-0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node id");
    }
}
