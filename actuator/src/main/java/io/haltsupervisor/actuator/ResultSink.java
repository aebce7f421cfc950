package io.haltsupervisor.actuator;

import io.haltsupervisor.schemas.ActionResultRecorded;

/**
 * Where step results go: the action-results topic in production, where a result is committed before the decision's
 * next step acts and a decision's last results with its offset ({@code ActuatorService}, {@link GroupCommit}).
 */
@FunctionalInterface
interface ResultSink {
    /** Records {@code result} (durably before the decision's next step acts); throws if it cannot. */
    void record(ActionResultRecorded result);
}
