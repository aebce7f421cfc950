package io.haltsupervisor.decider;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.haltsupervisor.schemas.Topics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The decider's own meters (Kafka Streams' are bound separately by {@code KafkaStreamsMetrics}), Prometheus names:
 * {@code halt_supervisor_decider_decisions_total{kind}}, {@code halt_supervisor_decider_inputs_total{type,outcome}}
 * and {@code halt_supervisor_decider_dead_letters_total{topic}}.
 */
public final class DeciderMetrics {
    /** The decisions counter's name, tagged {@code kind}. */
    public static final String DECISIONS = "halt_supervisor.decider.decisions";
    private final MeterRegistry registry;
    private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Counter>> inputs = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();

    public DeciderMetrics(MeterRegistry registry) {
        this.registry = registry;
        // registered at 0 from the start: Prometheus' increase() cannot see a series' first increment
        for (String kind : io.haltsupervisor.schemas.Decision.kinds()) {
            decisionCounter(kind);
        }
        for (String topic : List.of(Topics.HALT_OBSERVATIONS.name(), Topics.NODE_OBSERVATIONS.name(),
                Topics.OPERATOR_COMMANDS.name(), Topics.IMAGE_MAPPINGS.name())) {
            deadLetterCounter(topic);
        }
    }

    /** Meters kept in a private registry (tests, replay). */
    public static DeciderMetrics detached() {
        return new DeciderMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void decision(String kind) {
        decisionCounter(kind).increment();
    }

    private Counter decisionCounter(String kind) {
        return decisions.computeIfAbsent(kind, k -> Counter.builder(DECISIONS)
                .description("Decisions emitted, by kind").tag("kind", k).register(registry));
    }

    public void input(String type, String outcome) {
        inputs.computeIfAbsent(type, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, o -> Counter.builder("halt_supervisor.decider.inputs")
                        .description("Input records processed, by type and outcome")
                        .tag("type", type).tag("outcome", o).register(registry)).increment();
    }

    public void deadLetter(String topic) {
        deadLetterCounter(topic == null ? "unknown" : topic).increment();
    }

    private Counter deadLetterCounter(String topic) {
        return deadLetters.computeIfAbsent(topic, t -> Counter.builder("halt_supervisor.decider.dead.letters")
                .description("Records sent to the dead-letter topic, by source topic").tag("topic", t)
                .register(registry));
    }

    long decisionCount(String kind) {
        Counter c = decisions.get(kind);
        return c == null ? 0 : (long) c.count();
    }
}
