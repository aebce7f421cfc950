package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.SampleEvents;
import io.haltsupervisor.actuator.plan.PageKind;
import io.haltsupervisor.actuator.plan.PagerSink;
import io.haltsupervisor.actuator.plan.PagesTriggered;
import io.haltsupervisor.actuator.plan.Reverts;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    @Test
    void remembersWhichPagesEachIncidentTriggeredThroughWhichSink() {
        ResultsIndex index = new ResultsIndex();
        index.apply(result("d1", "await-mapping", "page-trigger:pagerduty", Outcome.APPLIED));
        index.apply(result("d1", "await-mapping", "page-trigger:alertmanager", Outcome.FAILED_RETRYING));
        index.apply(result("d2", "upgrade", "set-image", Outcome.FAILED));
        index.apply(result("d2", "upgrade", "failure-page-trigger:pagerduty", Outcome.APPLIED));
        index.apply(result("d3", "escalate", "page-trigger:webhook", Outcome.DRY_RUN));
        index.apply(result("d4", "resolve", "page-resolve:pagerduty", Outcome.FAILED));
        index.apply(result("d4", "resolve", "failure-page-trigger:alertmanager", Outcome.APPLIED));

        assertThat(index.pagesTriggered("sei/rpc-0#1", "d4")).isEqualTo(PagesTriggered.of(Map.of(
                PagerSink.PAGERDUTY, Set.of(PageKind.HALT, PageKind.ACTION_FAILED),
                PagerSink.ALERTMANAGER, Set.of(PageKind.HALT))));
        assertThat(index.pagesTriggered("sei/rpc-0#1", "other").kinds(PagerSink.ALERTMANAGER))
                .as("a decision's own failure page counts for the incident's later decisions")
                .containsExactlyInAnyOrder(PageKind.HALT, PageKind.ACTION_FAILED);
        assertThat(index.pagesTriggered("sei/rpc-0#2", "x").isEmpty()).isTrue();
    }

    @Test
    void rebuildingFromTheSameResultsGivesTheSamePages() {
        List<ActionResultRecorded> log = List.of(
                result("d1", "page", "page-trigger:pagerduty", Outcome.APPLIED),
                result("d2", "escalate", "page-trigger:pagerduty", Outcome.ALREADY_APPLIED));
        ResultsIndex before = new ResultsIndex();
        ResultsIndex after = new ResultsIndex();
        log.forEach(before::apply);
        log.forEach(after::apply);
        assertThat(after.pagesTriggered("sei/rpc-0#1", "d9")).isEqualTo(before.pagesTriggered("sei/rpc-0#1", "d9"))
                .isEqualTo(PagesTriggered.of(Map.of(PagerSink.PAGERDUTY, Set.of(PageKind.HALT, PageKind.ESCALATION))));
    }

    private static ActionResultRecorded result(String incident, String decision, String kind, String step,
            Outcome outcome) {
        return new ActionResultRecorded(1, decision, incident, "sei/rpc-0", kind, step, 0, "t", outcome, "d", 1,
                SampleEvents.T0);
    }

    @Test
    void aRevertedPageStaysOpenPastItsIncidentsResolveUntilAReleaseOfTheNodeResolvesIt() {
        ResultsIndex index = new ResultsIndex();
        String first = "sei/rpc-0#1";
        index.apply(result(first, "u1", "upgrade", "hold", Outcome.REVERTED));
        index.apply(result(first, "u1", "upgrade", "reverted-page-trigger:pagerduty", Outcome.APPLIED));
        index.apply(result(first, "u1", "upgrade", "reverted-page-trigger:alertmanager", Outcome.APPLIED));
        assertThat(index.reverts(first, "sei/rpc-0")).isEqualTo(new Reverts(true,
                Map.of(first, Set.of(PagerSink.PAGERDUTY, PagerSink.ALERTMANAGER))));
        assertThat(index.reverts("sei/rpc-0#2", "sei/rpc-0").incidentReverted()).isFalse();
        assertThat(index.reverts("sei/rpc-1#1", "sei/rpc-1")).isEqualTo(Reverts.NONE);

        index.apply(result(first, "r1", "resolve", "page-resolve:alertmanager", Outcome.APPLIED));
        assertThat(index.pageEnded(first, PageKind.HALT.token())).isTrue();
        assertThat(index.pageEnded(first, PageKind.REVERTED.token())).as("held with the node").isFalse();
        assertThat(index.reverts("sei/rpc-0#2", "sei/rpc-0").openPages()).containsOnlyKeys(first);

        index.apply(result("sei/rpc-0#none", "op1", "operator", "reverted-page-resolve:alertmanager",
                Outcome.FAILED));
        assertThat(index.reverts("x", "sei/rpc-0").openPages().get(first)).as("a failed resolve resolved nothing")
                .containsExactlyInAnyOrder(PagerSink.PAGERDUTY, PagerSink.ALERTMANAGER);
        index.apply(result("sei/rpc-0#none", "op1", "operator", "reverted-page-resolve:alertmanager",
                Outcome.APPLIED));
        assertThat(index.reverts("x", "sei/rpc-0").openPages().get(first)).containsExactly(PagerSink.PAGERDUTY);
        assertThat(index.pageEnded(first, PageKind.REVERTED.token())).isFalse();
        index.apply(result("sei/rpc-0#none", "op1", "operator", "reverted-page-resolve:pagerduty",
                Outcome.ALREADY_APPLIED));
        assertThat(index.reverts("x", "sei/rpc-0")).isEqualTo(Reverts.NONE);
        assertThat(index.pageEnded(first, PageKind.REVERTED.token())).isTrue();
    }

    @Test
    void aRevertedPageOfAnIncidentResolvedWithoutAKnownTriggerHasEnded() {
        ResultsIndex index = new ResultsIndex();
        index.apply(result("sei/rpc-0#3", "r3", "resolve", "event", Outcome.APPLIED));
        assertThat(index.pageEnded("sei/rpc-0#3", PageKind.REVERTED.token())).isTrue();
        assertThat(index.pageEnded("sei/rpc-0#4", PageKind.REVERTED.token())).isFalse();
    }
}
