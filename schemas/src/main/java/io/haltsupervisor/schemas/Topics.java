package io.haltsupervisor.schemas;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topic registry (docs/requirements.md §2). Every topic is keyed by node id {@code namespace/name}, so one
 * partition holds one node's whole story; the image-mapping topic is compacted and keyed by plan
 * name; fleet-wide records use {@link #FLEET_KEY}.
 */
public final class Topics {
    /** Key of fleet-wide records (fleet breaker decisions, {@code release --fleet}). */
    public static final String FLEET_KEY = "_fleet";

    private static final Serde<String> KEY = Serdes.String();

    /**
     * The largest observation, mapping or operator command a reader accepts (64 KiB; real ones are under 2 KiB).
     * Bounding the decider's inputs bounds everything it derives from them: node state, decisions.
     */
    public static final int MAX_INPUT_BYTES = 64 * 1024;
    /** The largest decision the actuator accepts (256 KiB): a decision carries fields of at most a few inputs. */
    public static final int MAX_DECISION_BYTES = 256 * 1024;

    public static final Topic<String, HaltObserved> HALT_OBSERVATIONS = new Topic<>(
            "seid.halt-observations.v1", KEY, JsonSerde.of(HaltObserved.class).withMaxBytes(MAX_INPUT_BYTES), false,
            "halt-observation.schema.json");
    public static final Topic<String, NodeObservation> NODE_OBSERVATIONS = new Topic<>(
            "seid.node-observations.v1", KEY, JsonSerde.of(NodeObservation.class).withMaxBytes(MAX_INPUT_BYTES), false,
            "node-observation.schema.json");
    public static final Topic<String, ImageMappingChanged> IMAGE_MAPPINGS = new Topic<>(
            "seid.image-mappings.v1", KEY, JsonSerde.of(ImageMappingChanged.class).withMaxBytes(MAX_INPUT_BYTES), true,
            "image-mapping.schema.json");
    public static final Topic<String, OperatorCommandIssued> OPERATOR_COMMANDS = new Topic<>(
            "seid.operator-commands.v1", KEY, JsonSerde.of(OperatorCommandIssued.class).withMaxBytes(MAX_INPUT_BYTES), false,
            "operator-command.schema.json");
    public static final Topic<String, Decision> DECISIONS = new Topic<>(
            "seid.decisions.v1", KEY, JsonSerde.of(Decision.class).withMaxBytes(MAX_DECISION_BYTES), false,
            "decision.schema.json");
    public static final Topic<String, ActionResultRecorded> ACTION_RESULTS = new Topic<>(
            "seid.action-results.v1", KEY, JsonSerde.of(ActionResultRecorded.class), false,
            "action-result.schema.json");
    public static final Topic<String, DeadLetterRecorded> DEAD_LETTERS = new Topic<>(
            "seid.dead-letters.v1", KEY, JsonSerde.of(DeadLetterRecorded.class), false,
            "dead-letter.schema.json");

    /** Every topic, in pipeline order. */
    public static final List<Topic<?, ?>> ALL = List.of(HALT_OBSERVATIONS, NODE_OBSERVATIONS, IMAGE_MAPPINGS,
            OPERATOR_COMMANDS, DECISIONS, ACTION_RESULTS, DEAD_LETTERS);

    /** The decider's inputs. */
    public static final List<Topic<?, ?>> DECIDER_INPUTS = List.of(HALT_OBSERVATIONS, NODE_OBSERVATIONS,
            IMAGE_MAPPINGS, OPERATOR_COMMANDS);

    private Topics() {
    }

    public static Optional<Topic<?, ?>> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
