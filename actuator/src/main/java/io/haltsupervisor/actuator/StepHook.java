package io.haltsupervisor.actuator;

import io.haltsupervisor.actuator.plan.Step;
import io.haltsupervisor.schemas.Decision;

/**
 * Called after each attempt at a step, before its result is recorded: the window a crash test aims at.
 * Production uses {@link #NONE}.
 */
@FunctionalInterface
interface StepHook {
    StepHook NONE = (decision, step, outcome) -> { };

    void afterAttempt(Decision decision, Step step, StepOutcome outcome);
}
