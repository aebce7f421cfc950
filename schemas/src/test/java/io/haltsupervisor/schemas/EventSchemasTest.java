package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every record type against its published JSON Schema, and the serde's behaviour on foreign,
 * extended and broken input.
 */
class EventSchemasTest {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(m -> m.mapPrefix("https://halt-supervisor.io/schemas/", "classpath:schemas/")));

    private static JsonSchema schemaOf(Topic<?, ?> topic) {
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        return FACTORY.getSchema(SchemaLocation.of("classpath:schemas/" + topic.schemaFile()), config);
    }

    @SuppressWarnings("unchecked")
    private static <V> byte[] write(Topic<?, V> topic, Object value) {
        return topic.valueSerde().serializer().serialize(topic.name(), (V) value);
    }

    private static Stream<Map.Entry<Topic<?, ?>, List<?>>> samples() {
        return SampleEvents.byTopic().entrySet().stream().sorted(Map.Entry.comparingByKey(
                (a, b) -> Topics.ALL.indexOf(a) - Topics.ALL.indexOf(b)));
    }

    @Test
    void everyTopicHasASampleAndASchemaFile() {
        assertThat(SampleEvents.byTopic().keySet()).containsExactlyInAnyOrderElementsOf(Topics.ALL);
        for (Topic<?, ?> topic : Topics.ALL) {
            assertThat(EventSchemasTest.class.getResource("/schemas/" + topic.schemaFile()))
                    .as("schema of %s", topic).isNotNull();
        }
        assertThat(Topics.ALL).extracting(Topic::name).allMatch(n -> n.startsWith("seid.") && n.endsWith(".v1"))
                .doesNotHaveDuplicates().hasSize(7);
        assertThat(Topics.ALL).filteredOn(Topic::compacted).containsExactly(Topics.IMAGE_MAPPINGS);
    }

    @Test
    void everyDecisionKindHasASample() {
        Set<String> kinds = new LinkedHashSet<>();
        for (Decision d : SampleEvents.decisions()) {
            kinds.add(d.kind());
        }
        assertThat(kinds).hasSize(Decision.class.getPermittedSubclasses().length);
    }

    @TestFactory
    Stream<DynamicTest> everySerialisedRecordValidatesAgainstItsSchemaAndRoundTrips() {
        return samples().flatMap(e -> e.getValue().stream().map(value -> DynamicTest.dynamicTest(
                e.getKey().name() + " " + value.getClass().getSimpleName(), () -> {
                    Topic<?, ?> topic = e.getKey();
                    byte[] bytes = write(topic, value);
                    JsonNode json = Json.MAPPER.readTree(bytes);
                    Set<ValidationMessage> errors = schemaOf(topic).validate(json);
                    assertThat(errors).as("schema errors of %s", json).isEmpty();
                    Object back = topic.valueSerde().deserializer().deserialize(topic.name(), bytes);
                    assertThat(back).isEqualTo(value);
                    assertThat(write(topic, back)).as("stable bytes").isEqualTo(bytes);
                })));
    }

    @TestFactory
    Stream<DynamicTest> aRecordWithAnExtraUnknownFieldStillDeserialises() {
        return samples().map(e -> DynamicTest.dynamicTest(e.getKey().name(), () -> {
            Topic<?, ?> topic = e.getKey();
            Object value = e.getValue().get(0);
            ObjectNode json = (ObjectNode) Json.MAPPER.readTree(write(topic, value));
            json.put("addedInAFutureMinorVersion", "x");
            json.putObject("nested").put("deep", 1);
            Object back = topic.valueSerde().deserializer().deserialize(topic.name(),
                    Json.MAPPER.writeValueAsBytes(json));
            assertThat(back).isEqualTo(value);
        }));
    }

    @TestFactory
    Stream<DynamicTest> aRecordMissingARequiredFieldIsRejectedNamingTheField() {
        List<DynamicTest> tests = new ArrayList<>();
        samples().forEach(e -> {
            Topic<?, ?> topic = e.getKey();
            for (Object value : e.getValue()) {
                ObjectNode json = (ObjectNode) readTree(write(topic, value));
                for (String field : requiredFields(topic, json)) {
                    if (field.equals("kind")) {
                        continue; // tested separately: without a kind there is no type
                    }
                    if (topic == Topics.HALT_OBSERVATIONS && field.equals("reason")) {
                        continue; // always written, but derived from reasonCode when a producer omits it
                    }
                    tests.add(DynamicTest.dynamicTest(topic.name() + " " + value.getClass().getSimpleName()
                            + " without " + field, () -> {
                                ObjectNode broken = json.deepCopy();
                                broken.remove(field);
                                byte[] bytes = Json.MAPPER.writeValueAsBytes(broken);
                                assertThatThrownBy(() -> topic.valueSerde().deserializer()
                                        .deserialize(topic.name(), bytes))
                                        .isInstanceOf(SerializationException.class)
                                        .hasMessageContaining(topic.name())
                                        .hasMessageContaining("'" + field + "'");
                            }));
                }
            }
        });
        assertThat(tests).hasSizeGreaterThan(40);
        return tests.stream();
    }

    /** The required fields of the schema branch (top level, or the oneOf branch matching {@code kind}). */
    private static List<String> requiredFields(Topic<?, ?> topic, JsonNode value) {
        JsonNode schema = readSchema(topic.schemaFile());
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(n -> required.add(n.asText()));
        for (JsonNode branch : schema.path("oneOf")) {
            if (branch.path("properties").path("kind").path("const").asText().equals(value.path("kind").asText())) {
                branch.path("required").forEach(n -> required.add(n.asText()));
            }
        }
        if (topic == Topics.HALT_OBSERVATIONS && value.path("source").asText().equals("status")) {
            required.add("intent");
        }
        if (topic == Topics.OPERATOR_COMMANDS && !value.path("fleet").asBoolean()) {
            required.add("nodeId");
        }
        return required.stream().distinct().toList();
    }

    private static JsonNode readTree(byte[] bytes) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode readSchema(String file) {
        try (var in = EventSchemasTest.class.getResourceAsStream("/schemas/" + file)) {
            return Json.MAPPER.readTree(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aDecisionWithoutKindOrWithAnUnknownKindIsRejectedNamingTheTopic() {
        byte[] noKind = "{\"schemaVersion\":1,\"decisionId\":\"d\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Topics.DECISIONS.valueSerde().deserializer().deserialize("seid.decisions.v1", noKind))
                .isInstanceOf(SerializationException.class).hasMessageContaining("seid.decisions.v1")
                .hasMessageContaining("kind");
        byte[] unknown = "{\"kind\":\"launch-rockets\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Topics.DECISIONS.valueSerde().deserializer().deserialize("seid.decisions.v1", unknown))
                .isInstanceOf(SerializationException.class).hasMessageContaining("launch-rockets");
    }

    @Test
    void malformedInputIsASerializationExceptionNamingTheTopic() {
        for (Topic<?, ?> topic : Topics.ALL) {
            for (String garbage : List.of("{not json", "<html>502 Bad Gateway</html>", "[]", "42", "{\"a\":1} trailing")) {
                byte[] bytes = garbage.getBytes(StandardCharsets.UTF_8);
                assertThatThrownBy(() -> topic.valueSerde().deserializer().deserialize(topic.name(), bytes))
                        .as("%s on %s", garbage, topic).isInstanceOf(SerializationException.class)
                        .hasMessageContaining(topic.name());
            }
        }
    }

    @Test
    void nullInIsNullOut() {
        for (Topic<?, ?> topic : Topics.ALL) {
            assertThat(topic.valueSerde().deserializer().deserialize(topic.name(), null)).isNull();
            assertThat(write(topic, null)).isNull();
        }
    }

    @Test
    void validationErrorsNameTheFieldAndTheExpectation() {
        byte[] badNode = ("{\"schemaVersion\":1,\"nodeId\":\"no-slash\",\"source\":\"exit-code\",\"reasonCode\":70,"
                + "\"observedAt\":\"2026-11-20T10:15:00Z\"}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Topics.HALT_OBSERVATIONS.valueSerde().deserializer()
                .deserialize(Topics.HALT_OBSERVATIONS.name(), badNode))
                .hasMessageContaining("'nodeId'").hasMessageContaining("namespace/name");
        byte[] badImage = ("{\"schemaVersion\":1,\"plan\":\"v6\",\"image\":\"Not An Image\",\"source\":\"cli:x\","
                + "\"changedAt\":\"2026-11-20T10:15:00Z\"}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Topics.IMAGE_MAPPINGS.valueSerde().deserializer()
                .deserialize(Topics.IMAGE_MAPPINGS.name(), badImage))
                .hasMessageContaining("seid.image-mappings.v1").hasMessageContaining("Not An Image");
    }
}
