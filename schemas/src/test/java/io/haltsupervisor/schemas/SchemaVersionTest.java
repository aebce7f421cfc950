package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import java.util.stream.Stream;

class SchemaVersionTest {
    @TestFactory
    Stream<DynamicTest> aRecordOfAVersionTheReaderDoesNotKnowIsRejectedNamingTheVersion() {
        return SampleEvents.byTopic().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey().name(), () -> {
            @SuppressWarnings("unchecked")
            Topic<String, Object> topic = (Topic<String, Object>) e.getKey();
            ObjectNode json = (ObjectNode) Json.MAPPER.readTree(
                    topic.valueSerde().serializer().serialize(topic.name(), e.getValue().get(0)));
            json.put("schemaVersion", 2);
            byte[] bytes = Json.MAPPER.writeValueAsBytes(json);
            assertThatThrownBy(() -> topic.valueSerde().deserializer().deserialize(topic.name(), bytes))
                    .isInstanceOf(SerializationException.class).hasMessageContaining(topic.name())
                    .hasMessageContaining("unknown schemaVersion 2");
        }));
    }

    @TestFactory
    Stream<DynamicTest> aValueLargerThanItsTopicAcceptsIsRejectedBeforeParsing() {
        return Stream.of(Topics.HALT_OBSERVATIONS, Topics.NODE_OBSERVATIONS, Topics.IMAGE_MAPPINGS,
                Topics.OPERATOR_COMMANDS, Topics.DECISIONS).map(topic -> DynamicTest.dynamicTest(topic.name(), () -> {
                    int max = ((JsonSerde<?>) topic.valueSerde()).maxBytes();
                    byte[] bytes = ("\"" + "x".repeat(max) + "\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    assertThatThrownBy(() -> topic.valueSerde().deserializer().deserialize(topic.name(), bytes))
                            .isInstanceOf(OversizedRecordException.class).hasMessageContaining(topic.name())
                            .hasMessageContaining((max + 2) + " bytes");
                }));
    }
}
