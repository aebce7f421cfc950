package io.haltsupervisor.decider;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The decider's own meters (Kafka Streams' are bound separately by {@code KafkaStreamsMetrics}):
 * {@code decider.decisions{kind}}, {@code decider.inputs{type,outcome}} and
 * {@code decider.dead.letters{topic}}.
 */
public final class DeciderMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Counter>> inputs = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();

    public DeciderMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Meters kept in a private registry (tests, replay). */
    public static DeciderMetrics detached() {
        return new DeciderMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    void decision(String kind) {
        decisions.computeIfAbsent(kind, k -> Counter.builder("decider.decisions")
                .description("Decisions emitted, by kind").tag("kind", k).register(registry)).increment();
    }

    void input(String type, String outcome) {
        inputs.computeIfAbsent(type, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, o -> Counter.builder("decider.inputs")
                        .description("Input records processed, by type and outcome")
                        .tag("type", type).tag("outcome", o).register(registry)).increment();
    }

    void deadLetter(String topic) {
        deadLetters.computeIfAbsent(topic == null ? "unknown" : topic, t -> Counter.builder("decider.dead.letters")
                .description("Records sent to the dead-letter topic, by source topic").tag("topic", t)
                .register(registry)).increment();
    }

    long decisionCount(String kind) {
        Counter c = decisions.get(kind);
        return c == null ? 0 : (long) c.count();
    }
}
