package io.haltsupervisor.decider.service;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.core.NodeState;
import io.haltsupervisor.decider.core.NodeStateMachine;

import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.NodeObservation;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the decider must decide, folded with the pure {@link NodeStateMachine} alone: each node's good
 * records in the order written, with the mappings known from the start and no fleet hold — no Kafka, no
 * Streams, no stores. The fault tests hold the decision log read back from the broker to it: every decision
 * in it exactly once, byte for byte, and nothing else.
 */
final class ReferenceFold {
    private final NodeStateMachine machine;
    private final Map<String, ImageMappingChanged> mappings = new HashMap<>();
    private final Map<String, NodeState> states = new HashMap<>();
    /** Decision id → the value bytes the decider writes. */
    private final Map<String, String> decisions = new LinkedHashMap<>();
    private final NodeStateMachine.Env env = new NodeStateMachine.Env() {
        @Override
        public Optional<ImageMappingChanged> mapping(String plan) {
            return Optional.ofNullable(mappings.get(plan));
        }

        @Override
        public Optional<ImageMappingChanged> firstMappingFrom(long height) {
            return mappings.values().stream().filter(m -> m.upgradeHeight() != null && m.upgradeHeight() >= height)
                    .min(java.util.Comparator.comparing(ImageMappingChanged::upgradeHeight)
                            .thenComparing(ImageMappingChanged::plan));
        }

        @Override
        public Optional<String> fleetHold() {
            return Optional.empty();
        }
    };

    ReferenceFold(DeciderConfig config, ImageMappingChanged... known) {
        this.machine = new NodeStateMachine(config.graceWindow(), config.dedupeRetention(),
                NodeStateMachine.HeightRule.of(config));
        for (ImageMappingChanged m : known) {
            mappings.put(m.plan(), m);
        }
    }

    /** Folds one input record; poison is skipped (the decider dead-letters it). */
    void fold(FleetStory.Input in) {
        if (in.poison()) {
            return;
        }
        String node = in.keyString();
        long ts = in.at().toEpochMilli();
        NodeState before = states.get(node);
        NodeStateMachine.Transition step;
        if (in.topic().equals(Topics.HALT_OBSERVATIONS.name())) {
            HaltObserved h = Topics.HALT_OBSERVATIONS.valueSerde().deserializer().deserialize(in.topic(), in.value());
            step = machine.onHalt(before, h, ts, env);
        } else if (in.topic().equals(Topics.NODE_OBSERVATIONS.name())) {
            NodeObservation o = Topics.NODE_OBSERVATIONS.valueSerde().deserializer().deserialize(in.topic(),
                    in.value());
            step = machine.onObservation(before, o, ts);
        } else if (in.topic().equals(Topics.OPERATOR_COMMANDS.name())) {
            OperatorCommandIssued c = Topics.OPERATOR_COMMANDS.valueSerde().deserializer().deserialize(in.topic(),
                    in.value());
            step = machine.onCommand(before, c, ts, env);
        } else {
            throw new IllegalArgumentException("not a node input: " + in.topic());
        }
        if (step.state() != null) {
            states.put(node, step.state());
        }
        if (!step.fleetEvents().isEmpty()) {
            throw new IllegalStateException("the reference fold has no fleet breaker: " + step.fleetEvents());
        }
        for (Decision d : step.decisions()) {
            String json = new String(Topics.DECISIONS.valueSerde().serializer().serialize(Topics.DECISIONS.name(), d),
                    StandardCharsets.UTF_8);
            if (decisions.put(d.decisionId(), json) != null) {
                throw new IllegalStateException("the reference fold decided " + d.decisionId() + " twice");
            }
        }
    }

    /** Decision id → decision JSON, in the order decided. */
    Map<String, String> decisions() {
        return decisions;
    }

    /** A grace window no test outlives, so no timer fires whatever the wall clock does. */
    static Map<String, String> noTimers() {
        return Map.of(DeciderConfig.ENV_GRACE_WINDOW, Duration.ofDays(7).toMinutes() + "m");
    }
}
