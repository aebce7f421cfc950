package io.haltsupervisor.actuator;

import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.OperatorCommandIssued;

/**
 * Where step results go: the action-results topic in production ({@code ActuatorService}), where results are held
 * and committed in as few transactions as the decision's effects allow — at each {@link #flush}, and the rest with
 * the decision's offset when it ends.
 */
interface ResultSink {
    /** Takes {@code result}; it is durable after the next {@link #flush} or the decision's end. Throws if it cannot. */
    void record(ActionResultRecorded result);

    /**
     * Takes the {@code hold} command the actuator records for a node whose change another writer set back
     * ({@code seid.operator-commands.v1}); written in the same transaction as the results taken so far, so the
     * {@code reverted} result and the hold are durable together (and a re-run, finding the result, records no second
     * hold).
     */
    void hold(OperatorCommandIssued command);

    /**
     * Makes every result taken so far durable before returning: called after a page step (a page is the one effect a
     * re-run cannot find by reading state, so its result is committed before the decision's next step acts) and
     * before a backoff (so failed attempts show while the step waits). A sink that writes at once has nothing to do.
     *
     * @throws RecordingFailedException when they cannot be written: the decision stops there
     */
    default void flush() {
    }
}
