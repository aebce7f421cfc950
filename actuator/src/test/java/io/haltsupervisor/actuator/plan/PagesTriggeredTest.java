package io.haltsupervisor.actuator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.actuator.plan.PagesTriggered.Trigger;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.SampleEvents;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PagesTriggeredTest {
    private static ActionResultRecorded result(String kind, String step, Outcome outcome) {
        return new ActionResultRecorded(1, "d", "sei/rpc-0#1", "sei/rpc-0", kind, step, 0, "t", outcome, "x", 1,
                SampleEvents.T0);
    }

    @Test
    void aDecisionsPageTriggerIsItsHaltPageUnlessItEscalatesOrHoldsTheFleet() {
        assertThat(PagesTriggered.triggerOf(result("await-mapping", "page-trigger:pagerduty", Outcome.APPLIED)))
                .contains(new Trigger(PagerSink.PAGERDUTY, PageKind.HALT));
        assertThat(PagesTriggered.triggerOf(result("escalate", "page-trigger:alertmanager", Outcome.APPLIED)))
                .contains(new Trigger(PagerSink.ALERTMANAGER, PageKind.ESCALATION));
        assertThat(PagesTriggered.triggerOf(result("fleet-hold", "page-trigger:webhook", Outcome.ALREADY_APPLIED)))
                .contains(new Trigger(PagerSink.WEBHOOK, PageKind.FLEET_HOLD));
        assertThat(PagesTriggered.triggerOf(result("resolve", "failure-page-trigger:pagerduty", Outcome.APPLIED)))
                .contains(new Trigger(PagerSink.PAGERDUTY, PageKind.ACTION_FAILED));
    }

    @Test
    void theTriggerStepsThePlannerMakesAreTheOnesRecognised() {
        for (Decision d : SampleEvents.decisions()) {
            TargetKind kind = d.nodeId() == null ? TargetKind.FLEET : TargetKind.SEINODE;
            for (Step step : StepPlanner.plan(d, kind, EnumSet.of(PagerSink.PAGERDUTY)).steps()) {
                Optional<Trigger> t = PagesTriggered.triggerOf(result(d.kind(), step.name(), Outcome.APPLIED));
                if (step instanceof Step.PageStep p && p.action() == PageAction.TRIGGER) {
                    assertThat(t).as("%s %s", d.kind(), step.name())
                            .contains(new Trigger(PagerSink.PAGERDUTY, p.pages().get(0).kind()));
                } else {
                    assertThat(t).as("%s %s", d.kind(), step.name()).isEmpty();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Outcome.class, names = {"DRY_RUN", "REFUSED_BY_POLICY"})
    void aTriggerThatSentNothingDoesNotCount(Outcome outcome) {
        assertThat(PagesTriggered.triggerOf(result("page", "page-trigger:pagerduty", outcome))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Outcome.class, names = {"APPLIED", "ALREADY_APPLIED", "FAILED", "FAILED_RETRYING"})
    void aTriggerThatMayHaveReachedThePagerCounts(Outcome outcome) {
        assertThat(PagesTriggered.triggerOf(result("page", "page-trigger:pagerduty", outcome))).isPresent();
    }

    @Test
    void resolvesAcknowledgementsOtherStepsAndTheMissingPagerAreNoTriggers() {
        assertThat(PagesTriggered.triggerOf(result("resolve", "page-resolve:pagerduty", Outcome.APPLIED))).isEmpty();
        assertThat(PagesTriggered.triggerOf(result("operator", "page-acknowledge:pagerduty", Outcome.APPLIED)))
                .isEmpty();
        assertThat(PagesTriggered.triggerOf(result("upgrade", "set-image", Outcome.APPLIED))).isEmpty();
        assertThat(PagesTriggered.triggerOf(result("page", "page-trigger:none", Outcome.FAILED))).isEmpty();
        assertThat(PagesTriggered.triggerOf(result("page", "page-trigger:pager-of-the-future", Outcome.APPLIED)))
                .isEmpty();
    }

    @Test
    void setsCombine() {
        PagesTriggered a = PagesTriggered.NONE.with(PagerSink.PAGERDUTY, PageKind.HALT);
        PagesTriggered b = PagesTriggered.NONE.with(PagerSink.PAGERDUTY, PageKind.ESCALATION)
                .with(PagerSink.NONE, PageKind.HALT);
        assertThat(a.union(b)).isEqualTo(PagesTriggered.of(Map.of(PagerSink.PAGERDUTY,
                Set.of(PageKind.HALT, PageKind.ESCALATION))));
        assertThat(a.union(b).kinds(PagerSink.NONE)).isEmpty();
        assertThat(PagesTriggered.NONE.isEmpty()).isTrue();
    }
}
