package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.SampleEvents;
import org.junit.jupiter.api.Test;

class ResultsIndexTest {
    private static ActionResultRecorded result(String decision, String kind, String step, Outcome outcome) {
        return new ActionResultRecorded(1, decision, "sei/rpc-0#1", "sei/rpc-0", kind, step, 0, "t", outcome, "d", 1,
                SampleEvents.T0);
    }

    @Test
    void keepsFinalOutcomesOnly() {
        ResultsIndex index = new ResultsIndex();
        index.apply(result("d1", "upgrade", "set-image", Outcome.FAILED_RETRYING));
        assertThat(index.finalOutcome("d1", "set-image")).isEmpty();
        index.apply(result("d1", "upgrade", "set-image", Outcome.ALREADY_APPLIED));
        assertThat(index.finalOutcome("d1", "set-image")).contains(Outcome.ALREADY_APPLIED);
        assertThat(index.finalOutcome("d1", "delete-pod")).isEmpty();
        assertThat(index.finalOutcome("d2", "set-image")).isEmpty();
        assertThat(index.size()).isEqualTo(1);
        for (ActionResultRecorded sample : SampleEvents.actionResults()) {
            index.apply(sample);
        }
        assertThat(index.finalOutcome(SampleEvents.NODE + "#1/upgrade/0", "set-image")).contains(Outcome.APPLIED);
    }

    @Test
    void remembersResolvedIncidents() {
        ResultsIndex index = new ResultsIndex();
        index.apply(result("d1", "await-mapping", "page-trigger:alertmanager", Outcome.APPLIED));
        assertThat(index.resolvedIncidents()).isEmpty();
        index.apply(result("d2", "resolve", "page-resolve:alertmanager", Outcome.APPLIED));
        assertThat(index.resolvedIncidents()).containsExactly("sei/rpc-0#1");
    }
}
