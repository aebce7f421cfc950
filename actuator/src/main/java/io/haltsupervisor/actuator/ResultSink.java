package io.haltsupervisor.actuator;

import io.haltsupervisor.schemas.ActionResultRecorded;

/** Where step results go: the action-results topic (one transaction per result) in production. */
@FunctionalInterface
interface ResultSink {
    /** Records {@code result} durably before returning; throws if it cannot. */
    void record(ActionResultRecorded result);
}
