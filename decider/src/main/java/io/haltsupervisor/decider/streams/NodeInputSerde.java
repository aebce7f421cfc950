package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.core.ControlEvent;

import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.NodeObservation;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Reads the node processor's four input topics through one source node: each value is decoded with its
 * topic's serde and wrapped in the matching {@link NodeInput}. A tombstone becomes an input with a null
 * value, which the processor rejects (to the dead-letter topic) naming the topic; a value that does not
 * decode fails here, in Streams' deserialization handler (also to the dead-letter topic). Read-only: node
 * inputs are never written.
 */
public final class NodeInputSerde implements Serde<NodeInput>, Deserializer<NodeInput> {
    private final String controlTopic;
    private final List<String> topics;
    private final Deserializer<HaltObserved> halts = Topics.HALT_OBSERVATIONS.valueSerde().deserializer();
    private final Deserializer<NodeObservation> observations = Topics.NODE_OBSERVATIONS.valueSerde().deserializer();
    private final Deserializer<OperatorCommandIssued> commands = Topics.OPERATOR_COMMANDS.valueSerde().deserializer();
    private final Deserializer<ControlEvent> control = DeciderTopology.CONTROL_SERDE.deserializer();

    public NodeInputSerde(String controlTopic) {
        this.controlTopic = controlTopic;
        this.topics = List.of(Topics.HALT_OBSERVATIONS.name(), Topics.NODE_OBSERVATIONS.name(),
                Topics.OPERATOR_COMMANDS.name(), controlTopic);
    }

    /** The topics this serde reads, and the node processor's source subscribes to. */
    public List<String> topics() {
        return topics;
    }

    @Override
    public NodeInput deserialize(String topic, byte[] data) {
        if (Topics.NODE_OBSERVATIONS.name().equals(topic)) {
            return new NodeInput.Observed(observations.deserialize(topic, data));
        }
        if (Topics.HALT_OBSERVATIONS.name().equals(topic)) {
            return new NodeInput.Halt(halts.deserialize(topic, data));
        }
        if (Topics.OPERATOR_COMMANDS.name().equals(topic)) {
            return new NodeInput.Command(commands.deserialize(topic, data));
        }
        if (controlTopic.equals(topic)) {
            return new NodeInput.Control(control.deserialize(topic, data));
        }
        throw new SerializationException("the node processor does not read topic " + topic + ": expected one of "
                + String.join(", ", topics));
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the topics are fixed at construction
    }

    @Override
    public void close() {
        // stateless
    }

    @Override
    public Deserializer<NodeInput> deserializer() {
        return this;
    }

    @Override
    public Serializer<NodeInput> serializer() {
        return (topic, value) -> {
            throw new UnsupportedOperationException("node inputs are read, never written (topic " + topic + ")");
        };
    }
}
