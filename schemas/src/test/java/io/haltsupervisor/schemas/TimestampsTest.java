package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast instant path must read exactly what the JDK reads, and hand everything else to it. */
class TimestampsTest {
    /** {@link Json#MAPPER}'s settings without the fast path: the reference. */
    private static final ObjectMapper REFERENCE = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .build();

    @Test
    void readsEveryCanonicalInstantAsTheJdkDoes() {
        Random random = new Random(20261127L);
        for (int i = 0; i < 50_000; i++) {
            // years 0000–9999, every fraction length 0–9
            long seconds = Math.floorMod(random.nextLong(), 315_537_897_600L) - 62_167_219_200L;
            int digits = i % 10;
            Instant instant = Instant.ofEpochSecond(seconds, digits == 0 ? 0 : random.nextInt(1_000_000_000));
            String text = format(instant, digits);
            Instant expected = Instant.parse(text);
            assertThat(Timestamps.parseUtc(text)).as(text).isEqualTo(expected);
        }
    }

    @Test
    void readsCalendarEdgesAsTheJdkDoes() {
        String[] texts = {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.9Z", "2000-02-29T12:00:00Z", "2024-02-29T00:00:00.000Z", "1900-03-01T00:00:00Z",
            "2026-11-27T18:30:00.123456Z", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z"};
        for (String text : texts) {
            assertThat(Timestamps.parseUtc(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-11-27T24:00:00Z", "2026-11-27T23:59:60Z", "2026-11-27t10:00:00z", " 2026-11-27T10:00:00Z",
        "2026-11-27T10:00:00Z ", "2026-11-27T10:00:00.Z", "2026-11-27T10:00:00.1234567890Z",
        "2026-11-27T10:00:00+01:00", "2026-11-27T10:00:00+00:00", "2026-11-27T10:00Z", "+12026-11-27T10:00:00Z",
        "-0001-11-27T10:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z",
        "2026-11-2710:00:00Z", "2026-1x-27T10:00:00Z", "2026-11-27T10:00:0xZ", "2026-11-27T10:00:00.12a4Z",
        "2026-11-27 10:00:00Z", "", "abc", "2026-11-27T10:00:00", "20261127T100000Z"})
    void leavesAnythingElseToTheJdkAndReadsItTheSameThroughTheMapper(String text) throws Exception {
        Instant fast = Timestamps.parseUtc(text);
        if (fast != null) {
            assertThat(fast).isEqualTo(Instant.parse(text));
        }
        String json = Json.MAPPER.writeValueAsString(text);
        assertThat(outcome(Json.MAPPER, json)).isEqualTo(outcome(REFERENCE, json));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1790000000", "1790000000.5", "-1", "null", "true", "[]", "{}"})
    void readsOtherTokensThroughTheJsr310Module(String json) {
        assertThat(outcome(Json.MAPPER, json)).isEqualTo(outcome(REFERENCE, json));
    }

    @Test
    void theEventsInstantPropertiesTakeTheFastPath() throws Exception {
        ObjectMapper mapper = Json.MAPPER;
        var ctxt = ((DefaultDeserializationContext) mapper.getDeserializationContext())
                .createInstance(mapper.getDeserializationConfig(), null, null);
        var deserializer = (BeanDeserializerBase) ctxt.findRootValueDeserializer(
                mapper.constructType(HaltObserved.class));
        assertThat(deserializer.findProperty("observedAt").getValueDeserializer())
                .isInstanceOf(Timestamps.FastInstant.class);
        assertThat(deserializer.findProperty("finishedAt").getValueDeserializer())
                .isInstanceOf(Timestamps.FastInstant.class);
    }

    @Test
    void haltIntentAnnouncedAtReadsBothForms() throws Exception {
        HaltIntent utc = Json.MAPPER.readValue("{\"reason\":70,\"announced_at\":\"2026-11-20T10:15:00.5Z\"}",
                HaltIntent.class);
        HaltIntent offset = Json.MAPPER.readValue("{\"reason\":70,\"announced_at\":\"2026-11-20T11:15:00.5+01:00\"}",
                HaltIntent.class);
        assertThat(utc.announcedAt()).isEqualTo(Instant.parse("2026-11-20T10:15:00.5Z"))
                .isEqualTo(offset.announcedAt());
    }

    /** The value read, or the exception's type and message: what a caller can observe. */
    private static String outcome(ObjectMapper mapper, String json) {
        try {
            return "value " + mapper.readValue(json, Instant.class);
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static String format(Instant instant, int fractionDigits) {
        DateTimeFormatterBuilder b = new DateTimeFormatterBuilder().appendPattern("uuuu-MM-dd'T'HH:mm:ss");
        if (fractionDigits > 0) {
            b.appendFraction(ChronoField.NANO_OF_SECOND, fractionDigits, fractionDigits, true);
        }
        DateTimeFormatter f = b.appendLiteral('Z').toFormatter().withZone(java.time.ZoneOffset.UTC);
        return f.format(instant.truncatedTo(java.time.temporal.ChronoUnit.NANOS));
    }
}
