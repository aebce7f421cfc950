package io.haltsupervisor.actuator;

import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link ResultSink} for tests: results and holds go into lists at once (so {@code flush} has nothing to do). */
final class CollectingSink implements ResultSink {
    final List<ActionResultRecorded> results;
    final List<OperatorCommandIssued> holds = new CopyOnWriteArrayList<>();

    CollectingSink(List<ActionResultRecorded> results) {
        this.results = results;
    }

    @Override
    public void record(ActionResultRecorded result) {
        results.add(result);
    }

    @Override
    public void hold(OperatorCommandIssued command) {
        holds.add(command);
    }
}
