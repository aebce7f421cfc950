package io.haltsupervisor.actuator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The actuator's own meters (Kafka client metrics are bound separately, per client). */
final class ActuatorMetrics {
    private final MeterRegistry registry;

    ActuatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    MeterRegistry registry() {
        return registry;
    }

    void decision(String kind) {
        Counter.builder("actuator.decisions").description("Decisions consumed, by kind").tag("kind", kind)
                .register(registry).increment();
    }

    void step(String kind, String step, String outcome, Duration took) {
        Counter.builder("actuator.steps").description("Step results recorded, by decision kind, step and outcome")
                .tag("kind", kind).tag("step", step).tag("outcome", outcome).register(registry).increment();
        Timer.builder("actuator.step.duration").description("Time per step attempt").tag("step", step)
                .register(registry).record(took);
    }

    void skippedStep(String kind, String step) {
        Counter.builder("actuator.steps.skipped")
                .description("Steps not run because an earlier gate step failed or was refused")
                .tag("kind", kind).tag("step", step).register(registry).increment();
    }

    void deadLetter() {
        Counter.builder("actuator.dead.letters").description("Unreadable decisions sent to the dead-letter topic")
                .register(registry).increment();
    }

    void alertmanagerResend(String result) {
        Counter.builder("actuator.alertmanager.resends").description("Periodic re-sends of active alerts")
                .tag("result", result).register(registry).increment();
    }

    void sessionRestart() {
        Counter.builder("actuator.session.restarts")
                .description("Kafka sessions restarted after an error (fencing, rebalance during commit, broker loss)")
                .register(registry).increment();
    }
}
