package io.haltsupervisor.actuator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.haltsupervisor.actuator.plan.PageAction;
import io.haltsupervisor.actuator.plan.PagerSink;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.Decision;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The actuator's own meters (Kafka client metrics are bound separately, per client). Prometheus names:
 * {@code halt_supervisor_actuator_decisions_total{kind}}, {@code halt_supervisor_actuator_steps_total{kind,step,outcome}}
 * (page steps are {@code page-<action>:<sink>} and {@code failure-page-trigger:<sink>}),
 * {@code halt_supervisor_actuator_step_duration_seconds{step}}, {@code halt_supervisor_actuator_steps_skipped_total},
 * {@code halt_supervisor_actuator_dead_letters_total}, {@code halt_supervisor_actuator_alertmanager_resends_total{result}},
 * {@code halt_supervisor_actuator_session_restarts_total}, {@code halt_supervisor_actuator_transactions_total}; and, registered at 0 from the start so that Prometheus'
 * {@code increase()} sees the first one, {@code halt_supervisor_actuator_step_outcomes_total{outcome}} (every step
 * result) and {@code halt_supervisor_actuator_pages_total{sink,action,outcome}} (every page step result, failure
 * pages included, per configured sink).
 */
final class ActuatorMetrics {
    private final MeterRegistry registry;

    ActuatorMetrics(MeterRegistry registry) {
        this(registry, Set.of());
    }

    ActuatorMetrics(MeterRegistry registry, Set<PagerSink> sinks) {
        this.registry = registry;
        for (String kind : Decision.kinds()) {
            decisions(kind);
        }
        for (Outcome outcome : Outcome.values()) {
            outcomes(outcome.token());
        }
        for (PagerSink sink : sinks) {
            for (PageAction action : PageAction.values()) {
                for (Outcome outcome : List.of(Outcome.APPLIED, Outcome.ALREADY_APPLIED, Outcome.FAILED_RETRYING,
                        Outcome.FAILED)) {
                    pages(sink.token(), action.token(), outcome.token());
                }
            }
        }
        deadLetters();
        if (sinks.contains(PagerSink.ALERTMANAGER)) {
            resends("ok");
            resends("failed");
        }
        restarts();
        transactions();
    }

    private Counter transactions() {
        return Counter.builder("halt_supervisor.actuator.transactions")
                .description("Kafka transactions committed for action results, dead letters and decision offsets")
                .register(registry);
    }

    /** A transaction of the group committer was committed. */
    void transaction() {
        transactions().increment();
    }

    private Counter resends(String result) {
        return Counter.builder("halt_supervisor.actuator.alertmanager.resends")
                .description("Periodic re-sends of active alerts").tag("result", result).register(registry);
    }

    private Counter restarts() {
        return Counter.builder("halt_supervisor.actuator.session.restarts")
                .description("Kafka sessions restarted after an error (fencing, rebalance during commit, broker loss)")
                .register(registry);
    }

    private Counter decisions(String kind) {
        return Counter.builder("halt_supervisor.actuator.decisions").description("Decisions consumed, by kind")
                .tag("kind", kind).register(registry);
    }

    private Counter outcomes(String outcome) {
        return Counter.builder("halt_supervisor.actuator.step.outcomes")
                .description("Step results recorded, by outcome").tag("outcome", outcome).register(registry);
    }

    private Counter pages(String sink, String action, String outcome) {
        return Counter.builder("halt_supervisor.actuator.pages")
                .description("Page step results (trigger, acknowledge, resolve) by sink and outcome")
                .tag("sink", sink).tag("action", action).tag("outcome", outcome).register(registry);
    }

    private Counter deadLetters() {
        return Counter.builder("halt_supervisor.actuator.dead.letters")
                .description("Unreadable decisions sent to the dead-letter topic").register(registry);
    }

    MeterRegistry registry() {
        return registry;
    }

    void decision(String kind) {
        decisions(kind).increment();
    }

    void step(String kind, String step, String outcome, Duration took) {
        Counter.builder("halt_supervisor.actuator.steps").description("Step results recorded, by decision kind, step and outcome")
                .tag("kind", kind).tag("step", step).tag("outcome", outcome).register(registry).increment();
        Timer.builder("halt_supervisor.actuator.step.duration").description("Time per step attempt").tag("step", step)
                .register(registry).record(took);
        outcomes(outcome).increment();
        // page steps are named <purpose>-<action>:<sink> (page-trigger:pagerduty, failure-page-trigger:webhook)
        int colon = step.lastIndexOf(':');
        if (colon > 0 && step.contains("page-")) {
            String head = step.substring(0, colon);
            pages(step.substring(colon + 1), head.substring(head.lastIndexOf('-') + 1), outcome).increment();
        }
    }

    void skippedStep(String kind, String step) {
        Counter.builder("halt_supervisor.actuator.steps.skipped")
                .description("Steps not run because an earlier gate step failed or was refused")
                .tag("kind", kind).tag("step", step).register(registry).increment();
    }

    void deadLetter() {
        deadLetters().increment();
    }

    void alertmanagerResend(String result) {
        resends(result).increment();
    }

    void sessionRestart() {
        restarts().increment();
    }
}
