package io.haltsupervisor.actuator;

import io.haltsupervisor.actuator.plan.Step;
import io.haltsupervisor.schemas.Decision;

/** One attempt at one step: the cluster executor for cluster steps, the pagers for page steps. */
@FunctionalInterface
interface StepExecutor {
    StepOutcome execute(Decision decision, Step step) throws InterruptedException;
}
