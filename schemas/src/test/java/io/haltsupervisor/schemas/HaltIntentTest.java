package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HaltIntentTest {

    private static HaltIntent read(String json) throws Exception {
        return Json.MAPPER.readValue(json, HaltIntent.class);
    }

    private static JsonNode tree(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    @Test
    void readsTheContractExample() throws Exception {
        HaltIntent intent = read("""
                {"reason": 70, "reason_string": "upgrade_required", "plan_name": "v6",
                 "height": 151000000, "info": "{\\"binaries\\":{}}", "announced_at": "2026-11-20T10:15:00.123456789Z"}
                """);
        assertThat(intent).isEqualTo(new HaltIntent(70, "upgrade_required", "v6", 151_000_000L, "{\"binaries\":{}}",
                Instant.parse("2026-11-20T10:15:00.123456789Z")));
        assertThat(intent.shutdownReason()).isEqualTo(ShutdownReason.UPGRADE_REQUIRED);
        assertThat(intent.announcedAt().getNano()).isEqualTo(123_456_789);
    }

    @Test
    void writesStrictlyWithWireNamesAndNumbersAndRoundTrips() throws Exception {
        HaltIntent intent = new HaltIntent(71, "binary_too_new", "v7", 200L, null,
                Instant.parse("2026-11-20T10:15:00.000000001Z"));
        String json = Json.MAPPER.writeValueAsString(intent);
        assertThat(json).isEqualTo("{\"reason\":71,\"reason_string\":\"binary_too_new\",\"plan_name\":\"v7\","
                + "\"height\":200,\"announced_at\":\"2026-11-20T10:15:00.000000001Z\"}");
        assertThat(read(json)).isEqualTo(intent);
    }

    @Test
    void acceptsHeightAsDecimalStringOrNumber() throws Exception {
        assertThat(read("{\"reason\":70,\"height\":\"151000000\"}").height()).isEqualTo(151_000_000L);
        assertThat(read("{\"reason\":70,\"height\":151000000}").height()).isEqualTo(151_000_000L);
        assertThat(read("{\"reason\":70,\"height\":\" 9223372036854775807 \"}").height()).isEqualTo(Long.MAX_VALUE);
        assertThat(read("{\"reason\":70,\"height\":1.51e8}").height()).isEqualTo(151_000_000L);
        assertThat(read("{\"reason\":70,\"height\":\"\"}").height()).isNull();
        assertThat(read("{\"reason\":70,\"height\":null}").height()).isNull();
    }

    @Test
    void acceptsAnnouncedAtWithNanosecondsAndOffsets() throws Exception {
        assertThat(read("{\"reason\":70,\"announced_at\":\"2026-11-20T12:15:00.5+02:00\"}").announcedAt())
                .isEqualTo(Instant.parse("2026-11-20T10:15:00.5Z"));
        assertThat(read("{\"reason\":70,\"announced_at\":\"2026-11-20T10:15:00Z\"}").announcedAt())
                .isEqualTo(Instant.parse("2026-11-20T10:15:00Z"));
    }

    @Test
    void ignoresUnknownFieldsAndDerivesMissingReasonString() throws Exception {
        HaltIntent intent = read("{\"reason\":72,\"future_field\":{\"x\":1},\"plan_name\":\"\"}");
        assertThat(intent.reasonString()).isEqualTo("downgrade_detected");
        assertThat(intent.planName()).as("blank plan is no plan").isNull();
    }

    @Test
    void keepsReservedCodesRaw() throws Exception {
        HaltIntent intent = read("{\"reason\":\"77\",\"reason_string\":\"something_newer\"}");
        assertThat(intent.reason()).isEqualTo(77);
        assertThat(intent.reasonString()).isEqualTo("something_newer");
        assertThat(intent.code().recognised()).isFalse();
        assertThat(intent.shutdownReason()).isEqualTo(ShutdownReason.RESERVED_UPGRADE);
    }

    @Test
    void readsReasonZeroAsAHaltWithoutAKnownReason() throws Exception {
        HaltIntent intent = read("{\"reason\":0,\"reason_string\":\"unknown\"}");
        assertThat(intent.reason()).isZero();
        assertThat(intent.shutdownReason()).isEqualTo(ShutdownReason.UNKNOWN);
        assertThat(read("{\"reason\":0}").reasonString()).isEqualTo("unknown");
    }

    @Test
    void aReasonStringThatIsNotAStringIsReadAsAbsent() throws Exception {
        assertThat(read("{\"reason\":71,\"reason_string\":71}").reasonString()).isEqualTo("binary_too_new");
    }

    @Test
    void keepsAnObjectInfoAsItsJsonText() throws Exception {
        assertThat(read("{\"reason\":70,\"info\":{\"binaries\":{}}}").info()).isEqualTo("{\"binaries\":{}}");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"reason\":5}                                  | halt_intent.reason: expected a graceful halt code 70–89 (or 0), got 5",
        "{\"reason\":\"upgrade\"}                        | halt_intent.reason: expected an integer halt code 70–89 (or 0), got the string \"upgrade\"",
        "{\"reason\":70.5}                               | halt_intent.reason: expected an integer halt code 70–89 (or 0), got the number 70.5",
        "{\"plan_name\":\"v6\"}                          | halt_intent.reason: expected a graceful halt code 70–89 (or 0), got nothing",
        "{\"reason\":70,\"height\":-1}                   | halt_intent.height: expected a non-negative integer, got -1",
        "{\"reason\":70,\"height\":\"-5\"}               | halt_intent.height: expected a non-negative integer, got \"-5\"",
        "{\"reason\":70,\"height\":\"1.5\"}              | halt_intent.height: expected an integer or a decimal string, got \"1.5\"",
        "{\"reason\":70,\"height\":1.5}                  | halt_intent.height: expected an integer, got 1.5",
        "{\"reason\":70,\"height\":1e999}                | halt_intent.height: expected an integer, got Infinity",
        "{\"reason\":70,\"height\":true}                 | halt_intent.height: expected an integer or a decimal string, got a boolean true",
        "{\"reason\":70,\"height\":\"99999999999999999999\"} | halt_intent.height: expected an int64, got \"99999999999999999999\"",
        "{\"reason\":70,\"announced_at\":\"yesterday\"}  | halt_intent.announced_at: expected an RFC 3339 timestamp, got \"yesterday\"",
        "{\"reason\":70,\"announced_at\":12345}          | halt_intent.announced_at: expected an RFC 3339 timestamp string, got the number 12345",
        "{\"reason\":70,\"plan_name\":6}                 | halt_intent.plan_name: expected a string, got the number 6",
        "{\"reason\":70,\"info\":42}                     | halt_intent.info: expected a string, got the number 42",
        "[70]                                            | halt_intent: expected a JSON object, got an array",
    })
    void rejectsWhatBreaksTheContractNamingTheField(String json, String message) throws Exception {
        assertThatThrownBy(() -> HaltIntent.fromJson(tree(json)))
                .isInstanceOf(InvalidHaltIntentException.class)
                .hasMessage(message);
    }
}
