package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.Events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.NodeObservation;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class NodeInputSerdeTest {
    private static final String CONTROL = "decider-test-control";
    private final NodeInputSerde serde = new NodeInputSerde(CONTROL);

    @Test
    void eachTopicIsReadAsItsOwnEventAndWrapped() {
        Instant at = Instant.parse("2026-11-27T10:00:00Z");
        HaltObserved halt = Events.statusHalt("sei/rpc-0", 70, "v6", 151_000_000L, at, "seid:v5.9.0", at);
        assertThat(serde.deserialize(Topics.HALT_OBSERVATIONS.name(), bytes(Topics.HALT_OBSERVATIONS, halt)))
                .isEqualTo(new NodeInput.Halt(halt));
        NodeObservation healthy = Events.podReady("sei/rpc-0", "uid-1", "ghcr.io/sei-protocol/seid:v6.0.1", 2, at);
        assertThat(serde.deserialize(Topics.NODE_OBSERVATIONS.name(), bytes(Topics.NODE_OBSERVATIONS, healthy)))
                .isEqualTo(new NodeInput.Observed(healthy));
        OperatorCommandIssued release = Events.command("cmd-1", "sei/rpc-0", OperatorCommandIssued.Command.RELEASE, at);
        assertThat(serde.deserialize(Topics.OPERATOR_COMMANDS.name(), bytes(Topics.OPERATOR_COMMANDS, release)))
                .isEqualTo(new NodeInput.Command(release));
    }

    @Test
    void aTombstoneIsWrappedForTheProcessorToReject() {
        assertThat(serde.deserialize(Topics.HALT_OBSERVATIONS.name(), null)).isEqualTo(new NodeInput.Halt(null));
        assertThat(serde.deserialize(CONTROL, null)).isEqualTo(new NodeInput.Control(null));
    }

    @Test
    void malformedValuesAndForeignTopicsFailNamingThem() {
        assertThatThrownBy(() -> serde.deserialize(Topics.NODE_OBSERVATIONS.name(),
                "{\"kind\":\"status\"".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class).hasMessageContaining(Topics.NODE_OBSERVATIONS.name());
        assertThatThrownBy(() -> serde.deserialize("seid.decisions.v1", new byte[] {'{', '}'}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("seid.decisions.v1").hasMessageContaining(CONTROL);
        assertThatThrownBy(() -> serde.serializer().serialize(CONTROL, new NodeInput.Control(null)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private static <V> byte[] bytes(Topic<String, V> topic, V value) {
        return topic.valueSerde().serializer().serialize(topic.name(), value);
    }
}
