package io.haltsupervisor.pollers.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.pollers.status.ObservationError.Kind;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.SampleEvents;
import io.haltsupervisor.schemas.ShutdownReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StatusParserTest {

    /** A realistic wrapped /status, with {@code %s} replaced by extra top-level fields of the status object. */
    static String wrapped(String extra) {
        return """
                {"jsonrpc":"2.0","id":-1,"result":{
                  "node_info":{"protocol_version":{"p2p":"8","block":"11","app":"0"},
                    "id":"0f3b5e1c2d4a6b8c9d0e1f2a3b4c5d6e7f8a9b0c","listen_addr":"tcp://0.0.0.0:26656",
                    "network":"pacific-1","version":"v5.9.0","channels":"40202122233038606162630070717273",
                    "moniker":"rpc-0","other":{"tx_index":"on","rpc_address":"tcp://0.0.0.0:26657"}},
                  "application_info":{"version":"v5.9.0"},
                  "sync_info":{"latest_block_hash":"AB12","latest_app_hash":"CD34",
                    "latest_block_height":"150999999","latest_block_time":"2026-11-20T10:14:59.6Z",
                    "earliest_block_height":"1","catching_up":false},
                  "validator_info":{"address":"5D6E","pub_key":{"type":"tendermint/PubKeyEd25519","value":"AAAA"},
                    "voting_power":"0"}%s}}
                """.formatted(extra);
    }

    static final String INTENT_JSON = """
            {"reason":70,"reason_string":"upgrade_required","plan_name":"v6","height":151000000,
             "info":"{\\"binaries\\":{}}","announced_at":"2026-11-20T10:15:00.123456789Z"}""";

    private static StatusResult parse(String body) {
        return StatusParser.parse(200, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static NodeStatus read(String body) {
        StatusResult r = parse(body);
        assertThat(r).as("result of %s", body).isInstanceOf(StatusResult.Read.class);
        return ((StatusResult.Read) r).status();
    }

    private static ObservationError failed(StatusResult r) {
        assertThat(r).isInstanceOf(StatusResult.Failed.class);
        return ((StatusResult.Failed) r).error();
    }

    @Test
    void readsAWrappedHealthyStatus() {
        NodeStatus s = read(wrapped(""));
        assertThat(s.latestBlockHeight()).isEqualTo(150_999_999L);
        assertThat(s.version()).isEqualTo("v5.9.0");
        assertThat(s.network()).isEqualTo("pacific-1");
        assertThat(s.moniker()).isEqualTo("rpc-0");
        assertThat(s.catchingUp()).isFalse();
        assertThat(s.haltIntent()).isNull();
    }

    @Test
    void readsAnUnwrappedStatusWithInt64sAsNumbers() {
        NodeStatus s = read("""
                {"node_info":{"version":"0.37.2"},"sync_info":{"latest_block_height":42,"catching_up":true}}""");
        assertThat(s.latestBlockHeight()).isEqualTo(42);
        assertThat(s.version()).isEqualTo("0.37.2");
        assertThat(s.catchingUp()).isTrue();
    }

    @Test
    void prefersTheApplicationVersionOverTheNodeVersion() {
        NodeStatus s = read("""
                {"node_info":{"version":"0.37.2"},"application_info":{"version":"v6.0.1"},
                 "sync_info":{"latest_block_height":"1"}}""");
        assertThat(s.version()).isEqualTo("v6.0.1");
    }

    @Test
    void readsAHaltIntentWhenPresent() {
        NodeStatus s = read(wrapped(",\"halt_intent\":" + INTENT_JSON));
        assertThat(s.haltIntent()).isEqualTo(new HaltIntent(70, "upgrade_required", "v6", 151_000_000L,
                "{\"binaries\":{}}", Instant.parse("2026-11-20T10:15:00.123456789Z")));
    }

    @Test
    void readsAHaltIntentWithTheHeightAsAString() {
        NodeStatus s = read(wrapped(",\"halt_intent\":{\"reason\":71,\"height\":\"151000000\"}"));
        assertThat(s.haltIntent().reason()).isEqualTo(71);
        assertThat(s.haltIntent().reasonString()).isEqualTo("binary_too_new");
        assertThat(s.haltIntent().height()).isEqualTo(151_000_000L);
    }

    @Test
    void treatsAbsentAndNullHaltIntentAlikeAsHealthy() {
        assertThat(read(wrapped("")).haltIntent()).isNull();
        assertThat(read(wrapped(",\"halt_intent\":null")).haltIntent()).isNull();
    }

    @Test
    void keepsAReservedCodeRaw() {
        NodeStatus s = read(wrapped(",\"halt_intent\":{\"reason\":84,\"reason_string\":\"halt_height\"}"));
        assertThat(s.haltIntent().reason()).isEqualTo(84);
        assertThat(s.haltIntent().reasonString()).isEqualTo("halt_height");
    }

    @Test
    void malformedJsonIsAnError() {
        ObservationError e = failed(parse(wrapped("").substring(0, 200)));
        assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
        assertThat(e.message()).startsWith("not JSON");
    }

    @Test
    void trailingGarbageIsMalformed() {
        assertThat(failed(parse(wrapped("") + "}")).kind()).isEqualTo(Kind.MALFORMED);
    }

    @Test
    void anHtmlPageIsNamedByItsTitle() {
        ObservationError e = failed(parse("<html><head><title>Welcome to nginx!</title></head></html>"));
        assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
        assertThat(e.message()).isEqualTo("not JSON: an HTML page titled 'Welcome to nginx!'");
    }

    @Test
    void a5xxIsAnHttpStatusErrorNamingTheStatusAndPage() {
        ObservationError e = failed(StatusParser.parse(502, "text/html",
                "<html><head><title>502 Bad Gateway</title></head><body>…</body></html>".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(e.message()).isEqualTo("HTTP 502 (an HTML page titled '502 Bad Gateway')");
    }

    @Test
    void aJsonRpcErrorUnder500IsReportedWithItsMessage() {
        ObservationError e = failed(StatusParser.parse(500, "application/json", """
                {"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"node is shutting down"}}"""
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(e.message()).isEqualTo("HTTP 500 (JSON-RPC error -32603 Internal error: node is shutting down)");
    }

    @Test
    void aJsonRpcErrorUnder200IsAnRpcError() {
        ObservationError e = failed(parse("{\"jsonrpc\":\"2.0\",\"id\":-1,\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}"));
        assertThat(e.kind()).isEqualTo(Kind.RPC_ERROR);
        assertThat(e.message()).contains("-32601 Method not found");
    }

    @Test
    void anEmptyBodyIsMalformed() {
        assertThat(failed(parse("")).kind()).isEqualTo(Kind.MALFORMED);
        assertThat(failed(parse("  \n")).kind()).isEqualTo(Kind.MALFORMED);
        assertThat(failed(StatusParser.parse(200, null, null)).kind()).isEqualTo(Kind.MALFORMED);
    }

    @Test
    void aDocumentThatIsNotAStatusIsMalformed() {
        assertThat(failed(parse("[1,2]")).message()).isEqualTo("expected a JSON object, got an array");
        assertThat(failed(parse("\"ok\"")).kind()).isEqualTo(Kind.MALFORMED);
        assertThat(failed(parse("{}")).message()).isEqualTo("not a /status document: no sync_info");
        assertThat(failed(parse("{\"jsonrpc\":\"2.0\",\"id\":-1}")).message())
                .isEqualTo("JSON-RPC envelope without a result");
        assertThat(failed(parse("{\"jsonrpc\":\"2.0\",\"result\":[]}")).message())
                .isEqualTo("result: expected an object, got an array");
        assertThat(failed(parse("{\"sync_info\":{}}")).message())
                .isEqualTo("not a /status document: no sync_info.latest_block_height");
    }

    @Test
    void wrongTypesNameTheField() {
        assertThat(failed(parse(wrapped("").replace("\"latest_block_height\":\"150999999\"",
                "\"latest_block_height\":{\"value\":1}"))))
                .isEqualTo(new ObservationError(Kind.WRONG_TYPE,
                        "sync_info.latest_block_height: expected a non-negative int64 (decimal string or number), got an object"));
        assertThat(failed(parse("{\"node_info\":\"seid\",\"sync_info\":{\"latest_block_height\":\"1\"}}")).message())
                .isEqualTo("node_info: expected an object, got the string \"seid\"");
        assertThat(failed(parse("{\"node_info\":{\"version\":6},\"sync_info\":{\"latest_block_height\":\"1\"}}")).message())
                .isEqualTo("node_info.version: expected a string, got the number 6");
        assertThat(failed(parse("{\"sync_info\":{\"latest_block_height\":\"1\",\"catching_up\":1}}")).message())
                .isEqualTo("sync_info.catching_up: expected a boolean, got the number 1");
        assertThat(failed(parse("{\"sync_info\":[]}")).message()).isEqualTo("sync_info: expected an object, got an array");
        assertThat(failed(parse("{\"sync_info\":{\"latest_block_height\":1.5}}")).kind()).isEqualTo(Kind.WRONG_TYPE);
        assertThat(failed(parse("{\"sync_info\":{\"latest_block_height\":1e999}}")).kind()).isEqualTo(Kind.WRONG_TYPE);
        assertThat(failed(parse(wrapped(",\"halt_intent\":{\"reason\":70,\"height\":1e999}"))).kind())
                .isEqualTo(Kind.INVALID_INTENT);
        assertThat(failed(parse("{\"sync_info\":{\"latest_block_height\":\"99999999999999999999\"}}")).kind())
                .isEqualTo(Kind.WRONG_TYPE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"-5\"", "-5", "\"\"", "\"0x10\"", "true", "null-ish"})
    void negativeOrNonDecimalBlockHeightsAreErrors(String height) {
        String body = "{\"sync_info\":{\"latest_block_height\":" + (height.equals("null-ish") ? "\"null\"" : height) + "}}";
        assertThat(failed(parse(body)).kind()).isEqualTo(Kind.WRONG_TYPE);
    }

    @Test
    void aNegativeIntentHeightIsAnInvalidIntent() {
        ObservationError e = failed(parse(wrapped(",\"halt_intent\":{\"reason\":70,\"height\":-1}")));
        assertThat(e.kind()).isEqualTo(Kind.INVALID_INTENT);
        assertThat(e.message()).startsWith("halt_intent.height");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 69, 90, 137, -70})
    void unknownReasonCodesAreInvalidIntentsNeverHalts(int code) {
        ObservationError e = failed(parse(wrapped(",\"halt_intent\":{\"reason\":" + code + "}")));
        assertThat(e.kind()).isEqualTo(Kind.INVALID_INTENT);
        assertThat(e.message()).startsWith("halt_intent.reason");
    }

    @Test
    void reasonZeroIsAHaltWithoutAKnownReasonNotAnError() {
        StatusResult.Read r = (StatusResult.Read) parse(wrapped(
                ",\"halt_intent\":{\"reason\":0,\"reason_string\":\"unknown\",\"plan_name\":\"v6\"}"));
        assertThat(r.status().halted()).isTrue();
        assertThat(r.status().haltIntent().reason()).isZero();
        assertThat(r.status().haltIntent().shutdownReason()).isEqualTo(ShutdownReason.UNKNOWN);
        assertThat(r.tolerated()).as("'unknown' agrees with 0").isNull();
    }

    @Test
    void anUnparsableAnnouncedAtIsAnInvalidIntent() {
        ObservationError e = failed(parse(wrapped(
                ",\"halt_intent\":{\"reason\":70,\"announced_at\":\"yesterday at noon\"}")));
        assertThat(e.kind()).isEqualTo(Kind.INVALID_INTENT);
        assertThat(e.message()).isEqualTo(
                "halt_intent.announced_at: expected an RFC 3339 timestamp, got \"yesterday at noon\"");
    }

    @Test
    void aHaltIntentOfTheWrongShapeIsInvalid() {
        assertThat(failed(parse(wrapped(",\"halt_intent\":\"upgrade_required\""))).message())
                .startsWith("halt_intent: expected a JSON object");
        assertThat(failed(parse(wrapped(",\"halt_intent\":{}"))).message()).startsWith("halt_intent.reason");
        assertThat(failed(parse(wrapped(",\"halt_intent\":{\"reason\":70,\"plan_name\":6}"))).message())
                .startsWith("halt_intent.plan_name: expected a string");
    }

    @Test
    void theNumericReasonWinsOverAReasonStringNamingAnotherReason() {
        StatusResult.Read r = (StatusResult.Read) parse(wrapped(
                ",\"halt_intent\":{\"reason\":70,\"reason_string\":\"binary_too_new\",\"plan_name\":\"v6\"}"));
        assertThat(r.status().haltIntent().reason()).isEqualTo(70);
        assertThat(r.status().haltIntent().planName()).isEqualTo("v6");
        assertThat(r.tolerated()).isEqualTo(StatusResult.ReasonStringIssue.DISAGREES);
    }

    @Test
    void anUnknownReasonStringBesideANonZeroCodeIsTolerated() {
        StatusResult.Read r = (StatusResult.Read) parse(wrapped(
                ",\"halt_intent\":{\"reason\":71,\"reason_string\":\"unknown\"}"));
        assertThat(r.status().haltIntent().reason()).isEqualTo(71);
        assertThat(r.tolerated()).isEqualTo(StatusResult.ReasonStringIssue.UNKNOWN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ",\"reason_string\":null", ",\"reason_string\":\"  \"", ",\"reason_string\":7"})
    void aMissingReasonStringIsDerivedFromTheCodeAndTolerated(String field) {
        StatusResult.Read r = (StatusResult.Read) parse(wrapped(",\"halt_intent\":{\"reason\":72" + field + "}"));
        assertThat(r.status().haltIntent().reasonString()).isEqualTo("downgrade_detected");
        assertThat(r.tolerated()).isEqualTo(StatusResult.ReasonStringIssue.MISSING);
    }

    @Test
    void aReasonStringWeDoNotKnowIsNotAnIssue() {
        StatusResult.Read r = (StatusResult.Read) parse(wrapped(
                ",\"halt_intent\":{\"reason\":84,\"reason_string\":\"halt_height\"}"));
        assertThat(r.tolerated()).isNull();
    }

    @Test
    void theSampleIntentRoundTripsThroughAStatus() {
        String json = io.haltsupervisor.schemas.Json.write(SampleEvents.INTENT);
        assertThat(read(wrapped(",\"halt_intent\":" + json)).haltIntent()).isEqualTo(SampleEvents.INTENT);
    }

    @Test
    void errorMessagesAreOneShortLine() {
        String longValue = "x".repeat(10_000) + "\n\u0007";
        ObservationError e = failed(parse("{\"sync_info\":{\"latest_block_height\":\"" + longValue + "\"}}"));
        assertThat(e.message()).doesNotContain("\n").hasSizeLessThan(250);
    }
}
