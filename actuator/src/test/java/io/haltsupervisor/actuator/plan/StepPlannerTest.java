package io.haltsupervisor.actuator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.actuator.plan.Conditions.Status;
import io.haltsupervisor.actuator.plan.Step.DeletePod;
import io.haltsupervisor.actuator.plan.Step.EmitEvent;
import io.haltsupervisor.actuator.plan.Step.EventType;
import io.haltsupervisor.actuator.plan.Step.PageStep;
import io.haltsupervisor.actuator.plan.Step.Quarantine;
import io.haltsupervisor.actuator.plan.Step.ReleaseQuarantine;
import io.haltsupervisor.actuator.plan.Step.SetCondition;
import io.haltsupervisor.actuator.plan.Step.SetImage;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Decision.Severity;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import io.haltsupervisor.schemas.SampleEvents;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StepPlannerTest {
    private static final List<Decision> D = SampleEvents.decisions();
    private static final Decision UPGRADE = D.get(0);
    private static final Decision AWAIT = D.get(1);
    private static final Decision ROLLBACK = D.get(2);
    private static final Decision QUARANTINE = D.get(3);
    private static final Decision PAGE = D.get(4);
    private static final Decision TERMINATE = D.get(5);
    private static final Decision ESCALATE = D.get(6);
    private static final Decision RESOLVE = D.get(7);
    private static final Decision RELEASE_QUARANTINE = D.get(8);
    private static final Decision FLEET_HOLD = D.get(9);
    private static final Decision FLEET_RELEASE = D.get(10);
    private static final Set<PagerSink> PD = Set.of(PagerSink.PAGERDUTY);
    private static final Set<PagerSink> ALL = EnumSet.of(PagerSink.PAGERDUTY, PagerSink.ALERTMANAGER, PagerSink.WEBHOOK);
    /** Every page kind triggered through every sink. */
    private static final PagesTriggered EVERY_PAGE = PagesTriggered.of(Map.of(
            PagerSink.PAGERDUTY, EnumSet.allOf(PageKind.class), PagerSink.ALERTMANAGER, EnumSet.allOf(PageKind.class),
            PagerSink.WEBHOOK, EnumSet.allOf(PageKind.class)));

    private static List<String> names(Plan plan) {
        return plan.steps().stream().map(Step::name).toList();
    }

    private static <T extends Step> T step(Plan plan, Class<T> type) {
        return plan.steps().stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    private static Decision.OperatorCommandApplied operator(Command command, boolean releasedQuarantine,
            String incident) {
        return new Decision.OperatorCommandApplied(1, incident + "/operator/cmd-9", incident, SampleEvents.NODE,
                SampleEvents.T0, "cmd-9", command, "alice", "checked", releasedQuarantine, "effect text");
    }

    @Test
    void upgradeOnAStatefulSetSetsTheImageThenDeletesTheOldPod() {
        Plan plan = StepPlanner.plan(UPGRADE, TargetKind.STATEFULSET, PD);
        assertThat(names(plan)).containsExactly("set-image", "delete-pod", "condition", "event", "hold");
        assertThat(step(plan, Step.ConfirmHold.class)).isEqualTo(new Step.ConfirmHold(
                "ghcr.io/sei-protocol/seid:v6.0.1", ((Decision.UpgradeDecided) UPGRADE).podName(), ((Decision.UpgradeDecided) UPGRADE).podUid()));
        assertThat(step(plan, SetImage.class)).isEqualTo(new SetImage("ghcr.io/sei-protocol/seid:v5.9.0",
                "ghcr.io/sei-protocol/seid:v6.0.1"));
        assertThat(step(plan, DeletePod.class)).isEqualTo(new DeletePod("rpc-0", "uid-1",
                "ghcr.io/sei-protocol/seid:v6.0.1"));
        SetCondition condition = step(plan, SetCondition.class);
        assertThat(condition.status()).isEqualTo(Status.True);
        assertThat(condition.reason()).isEqualTo("UpgradeStarted");
        EmitEvent event = step(plan, EmitEvent.class);
        assertThat(event.type()).isEqualTo(EventType.Normal);
        assertThat(event.action()).isEqualTo("Upgrade");
        assertThat(event.reason()).isEqualTo("UpgradeStarted");
        assertThat(event.podName()).isEqualTo("rpc-0");
        assertThat(event.note()).contains("v6.0.1").contains("sei/rpc-0#1");
    }

    @Test
    void upgradeOfADeploymentLeavesThePodToTheRollout() {
        assertThat(names(StepPlanner.plan(UPGRADE, TargetKind.DEPLOYMENT, PD)))
                .containsExactly("set-image", "condition", "event", "hold");
    }

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "SEINETWORK_MEMBER"})
    void upgradeOfASeiNodeDeletesThePodOnlyWhereItsControllerWillNot(TargetKind kind) {
        Plan upgrade = StepPlanner.plan(UPGRADE, kind, PD);
        assertThat(names(upgrade)).containsExactly("set-image", "delete-pod", "condition", "event", "rollout");
        assertThat(upgrade.steps().get(4)).isEqualTo(new Step.ConfirmRollout(((Decision.UpgradeDecided) UPGRADE)
                .targetImage()));
        assertThat(upgrade.steps().get(1)).isInstanceOfSatisfying(Step.DeletePod.class,
                d -> assertThat(d.controllerFirst()).as("left to the SeiNode controller's replace-pod").isTrue());
        Plan rollback = StepPlanner.plan(ROLLBACK, kind, PD);
        assertThat(names(rollback)).containsExactly("page-trigger:pagerduty", "set-image", "delete-pod", "condition",
                "event", "rollout");
        assertThat(rollback.steps().get(2)).isInstanceOfSatisfying(Step.DeletePod.class,
                d -> assertThat(d.controllerFirst()).isTrue());
        assertThat(StepPlanner.plan(UPGRADE, TargetKind.STATEFULSET, PD).steps().get(1))
                .isInstanceOfSatisfying(Step.DeletePod.class, d -> assertThat(d.controllerFirst()).isFalse());
    }

    @Test
    void upgradeOfAPlainStatefulSetDeletesTheOldPodToo() {
        assertThat(names(StepPlanner.plan(UPGRADE, TargetKind.STATEFULSET, PD)))
                .containsExactly("set-image", "delete-pod", "condition", "event", "hold");
    }

    @Test
    void upgradeDoesNotPage() {
        assertThat(StepPlanner.plan(UPGRADE, TargetKind.STATEFULSET, ALL).steps())
                .noneMatch(s -> s instanceof PageStep);
    }

    @Test
    void awaitMappingPagesCriticallyFirstThenSetsUnknownConditionAndWarningEvent() {
        Plan plan = StepPlanner.plan(AWAIT, TargetKind.SEINODE, ALL);
        assertThat(names(plan)).containsExactly("page-trigger:pagerduty", "page-trigger:alertmanager",
                "page-trigger:webhook", "condition", "event");
        PageStep page = step(plan, PageStep.class);
        Page p = page.pages().get(0);
        assertThat(p.dedupKey()).isEqualTo("sei/rpc-0#1");
        assertThat(p.severity()).isEqualTo(Severity.critical);
        assertThat(p.reason()).isEqualTo("ImageMappingMissing");
        assertThat(p.plan()).isEqualTo("v6");
        assertThat(p.summary()).startsWith("sei/rpc-0: ").contains("no image mapping exists");
        assertThat(p.details()).containsEntry("decisionId", "sei/rpc-0#1/await/0").containsEntry("reasonCode", "70")
                .containsEntry("halt", "upgrade_required");
        SetCondition condition = step(plan, SetCondition.class);
        assertThat(condition.status()).isEqualTo(Status.Unknown);
        assertThat(condition.reason()).isEqualTo("ImageMappingMissing");
        assertThat(step(plan, EmitEvent.class).type()).isEqualTo(EventType.Warning);
        assertThat(step(plan, EmitEvent.class).reason()).isEqualTo("ImageMappingMissing");
    }

    @Test
    void awaitMappingWithUnknownPlanSaysPlanUnknown() {
        Decision d = new Decision.MappingAwaited(1, "n#1/await/0", "sei/rpc-0#1", SampleEvents.NODE, SampleEvents.T0,
                70, null, Decision.WaitReason.PlanUnknown, null);
        Plan plan = StepPlanner.plan(d, TargetKind.STATEFULSET, PD);
        assertThat(step(plan, SetCondition.class).reason()).isEqualTo("PlanUnknown");
        assertThat(step(plan, PageStep.class).pages().get(0).reason()).isEqualTo("PlanUnknown");
        assertThat(step(plan, EmitEvent.class).podName()).isNull();
    }

    @Test
    void rollbackPagesThenRestoresThePreviousImageGuardedByTheTooNewOne() {
        Plan plan = StepPlanner.plan(ROLLBACK, TargetKind.STATEFULSET, PD);
        assertThat(names(plan)).containsExactly("page-trigger:pagerduty", "set-image", "delete-pod", "condition",
                "event", "hold");
        assertThat(step(plan, SetImage.class)).isEqualTo(new SetImage("ghcr.io/sei-protocol/seid:v7.0.0",
                "ghcr.io/sei-protocol/seid:v5.9.0"));
        assertThat(step(plan, PageStep.class).pages().get(0).severity()).isEqualTo(Severity.critical);
        assertThat(step(plan, PageStep.class).pages().get(0).reason()).isEqualTo("BinaryTooNew");
        assertThat(step(plan, SetCondition.class).reason()).isEqualTo("RollbackStarted");
        assertThat(step(plan, EmitEvent.class).type()).isEqualTo(EventType.Warning);
        assertThat(names(StepPlanner.plan(ROLLBACK, TargetKind.DEPLOYMENT, PD))).doesNotContain("delete-pod");
    }

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "SEINETWORK_MEMBER", "STATEFULSET", "DEPLOYMENT"})
    void quarantinePagesThenQuarantinesForEveryKind(TargetKind kind) {
        Plan plan = StepPlanner.plan(QUARANTINE, kind, PD);
        assertThat(names(plan)).containsExactly("page-trigger:pagerduty", "quarantine", "condition", "event");
        assertThat(step(plan, Quarantine.class).reason()).contains("downgrade detected").contains("sei/rpc-0#1");
        assertThat(step(plan, SetCondition.class).status()).isEqualTo(Status.False);
        assertThat(step(plan, SetCondition.class).reason()).isEqualTo("Quarantined");
        assertThat(step(plan, PageStep.class).pages().get(0).reason()).isEqualTo("DowngradeDetected");
    }

    @Test
    void pageDecisionPagesWithItsSeverityAndRecordsAWarningEvent() {
        Plan plan = StepPlanner.plan(PAGE, TargetKind.DEPLOYMENT, PD);
        assertThat(names(plan)).containsExactly("page-trigger:pagerduty", "event");
        Page p = step(plan, PageStep.class).pages().get(0);
        assertThat(p.severity()).isEqualTo(Severity.error);
        assertThat(p.reason()).isEqualTo("UnrecognisedHalt");
        assertThat(p.summary()).isEqualTo("sei/rpc-0: graceful but unrecognised halt code 73");
        assertThat(step(plan, EmitEvent.class).reason()).isEqualTo("UnrecognisedHalt");
    }

    @ParameterizedTest
    @EnumSource(value = TargetKind.class, names = {"SEINODE", "SEINETWORK_MEMBER", "STATEFULSET", "DEPLOYMENT"})
    void terminatePodDeletesThePodWhateverOwnsIt(TargetKind kind) {
        Plan plan = StepPlanner.plan(TERMINATE, kind, PD);
        assertThat(names(plan)).containsExactly("delete-pod", "event");
        assertThat(step(plan, DeletePod.class)).isEqualTo(new DeletePod("rpc-0", "uid-1", null));
        assertThat(step(plan, EmitEvent.class).reason()).isEqualTo("GraceWindowExpired");
    }

    @Test
    void escalationPagesUnderItsOwnDedupKeySoItNotifiesAgain() {
        Plan plan = StepPlanner.plan(ESCALATE, TargetKind.SEINODE, PD);
        assertThat(names(plan)).containsExactly("page-trigger:pagerduty", "event");
        Page p = step(plan, PageStep.class).pages().get(0);
        assertThat(p.dedupKey()).isEqualTo("sei/rpc-0#1/escalation");
        assertThat(p.kind()).isEqualTo(PageKind.ESCALATION);
        assertThat(p.severity()).isEqualTo(Severity.critical);
    }

    @Test
    void resolveResolvesExactlyThePagesTheIncidentTriggeredThroughEachSink() {
        PagesTriggered triggered = PagesTriggered.of(Map.of(
                PagerSink.PAGERDUTY, Set.of(PageKind.HALT, PageKind.ACTION_FAILED),
                PagerSink.ALERTMANAGER, Set.of(PageKind.HALT)));
        Plan plan = StepPlanner.plan(RESOLVE, TargetKind.SEINODE, Set.of(PagerSink.PAGERDUTY, PagerSink.ALERTMANAGER),
                triggered);
        assertThat(names(plan)).containsExactly("page-resolve:pagerduty", "page-resolve:alertmanager", "condition",
                "event");
        List<PageStep> pages = plan.steps().stream().filter(PageStep.class::isInstance).map(PageStep.class::cast)
                .toList();
        assertThat(pages).allSatisfy(p -> assertThat(p.action()).isEqualTo(PageAction.RESOLVE));
        assertThat(pages.get(0).pages()).extracting(Page::dedupKey).containsExactly("sei/rpc-0#1",
                "sei/rpc-0#1/action-failed");
        assertThat(pages.get(1).pages()).extracting(Page::dedupKey).containsExactly("sei/rpc-0#1");
        assertThat(step(plan, SetCondition.class).status()).isEqualTo(Status.False);
        assertThat(step(plan, SetCondition.class).reason()).isEqualTo("Resolved");
        assertThat(step(plan, EmitEvent.class).type()).isEqualTo(EventType.Normal);
        assertThat(step(plan, EmitEvent.class).reason()).isEqualTo("IncidentResolved");
    }

    @Test
    void resolveOfAnIncidentThatPagedNoOneSendsNoPage() {
        assertThat(names(StepPlanner.plan(RESOLVE, TargetKind.SEINODE, ALL, PagesTriggered.NONE)))
                .containsExactly("condition", "event");
        assertThat(names(StepPlanner.plan(RESOLVE, TargetKind.SEINODE, ALL)))
                .as("the short form: nothing triggered").containsExactly("condition", "event");
    }

    @Test
    void resolveSkipsASinkThatIsNoLongerConfigured() {
        PagesTriggered triggered = PagesTriggered.of(Map.of(PagerSink.WEBHOOK, Set.of(PageKind.HALT),
                PagerSink.PAGERDUTY, Set.of(PageKind.ESCALATION)));
        Plan plan = StepPlanner.plan(RESOLVE, TargetKind.SEINODE, PD, triggered);
        assertThat(names(plan)).containsExactly("page-resolve:pagerduty", "condition", "event");
        assertThat(step(plan, PageStep.class).pages()).extracting(Page::dedupKey)
                .containsExactly("sei/rpc-0#1/escalation");
    }

    @Test
    void releaseOfAQuarantineUndoesIt() {
        Plan plan = StepPlanner.plan(RELEASE_QUARANTINE, TargetKind.STATEFULSET, PD);
        assertThat(names(plan)).containsExactly("release-quarantine", "condition", "event");
        assertThat(step(plan, ReleaseQuarantine.class).by()).isEqualTo("alice");
        assertThat(step(plan, SetCondition.class).status()).as("a note keeps the status").isNull();
        assertThat(step(plan, SetCondition.class).reason()).isEqualTo("QuarantineReleased");
    }

    @Test
    void releaseOfAHoldOnlyNotes() {
        Plan plan = StepPlanner.plan(operator(Command.RELEASE, false, "sei/rpc-0#1"), TargetKind.SEINODE, PD);
        assertThat(names(plan)).containsExactly("condition", "event");
        assertThat(step(plan, SetCondition.class).reason()).isEqualTo("OperatorReleased");
    }

    @Test
    void ackAcknowledgesTheTriggeredPagesOnSinksThatCanAndRecordsAnEvent() {
        Plan plan = StepPlanner.plan(operator(Command.ACK, false, "sei/rpc-0#1"), TargetKind.SEINODE, ALL, EVERY_PAGE);
        assertThat(names(plan)).containsExactly("page-acknowledge:pagerduty", "page-acknowledge:webhook", "event");
        assertThat(step(plan, PageStep.class).pages()).extracting(Page::dedupKey).containsExactly("sei/rpc-0#1",
                "sei/rpc-0#1/escalation");
        assertThat(step(plan, EmitEvent.class).reason()).isEqualTo("OperatorAcknowledged");

        PagesTriggered haltOnPagerDuty = PagesTriggered.of(Map.of(PagerSink.PAGERDUTY, Set.of(PageKind.HALT),
                PagerSink.ALERTMANAGER, Set.of(PageKind.HALT)));
        Plan only = StepPlanner.plan(operator(Command.ACK, false, "sei/rpc-0#1"), TargetKind.SEINODE, ALL,
                haltOnPagerDuty);
        assertThat(names(only)).containsExactly("page-acknowledge:pagerduty", "event");
        assertThat(step(only, PageStep.class).pages()).extracting(Page::dedupKey).containsExactly("sei/rpc-0#1");
    }

    @Test
    void ackWithoutAnOpenIncidentAcknowledgesNothing() {
        Plan plan = StepPlanner.plan(operator(Command.ACK, false, "sei/rpc-0#none"), TargetKind.SEINODE, ALL);
        assertThat(names(plan)).containsExactly("event");
    }

    @Test
    void holdNotesTheConditionAndRecordsAnEvent() {
        Plan plan = StepPlanner.plan(operator(Command.HOLD, false, "sei/rpc-0#1"), TargetKind.DEPLOYMENT, PD);
        assertThat(names(plan)).containsExactly("condition", "event");
        assertThat(step(plan, SetCondition.class).status()).isNull();
        assertThat(step(plan, SetCondition.class).reason()).isEqualTo("OperatorHold");
        assertThat(step(plan, SetCondition.class).message()).contains("alice").contains("checked");
    }

    @Test
    void retryRecordsAnEvent() {
        Plan plan = StepPlanner.plan(operator(Command.RETRY, false, "sei/rpc-0#1"), TargetKind.STATEFULSET, PD);
        assertThat(names(plan)).containsExactly("event");
        assertThat(step(plan, EmitEvent.class).reason()).isEqualTo("OperatorRetry");
    }

    @Test
    void fleetHoldIsOneCriticalPageKeyedByTheFleetIncident() {
        Plan plan = StepPlanner.plan(FLEET_HOLD, TargetKind.FLEET, ALL);
        assertThat(names(plan)).containsExactly("page-trigger:pagerduty", "page-trigger:alertmanager",
                "page-trigger:webhook");
        Page p = step(plan, PageStep.class).pages().get(0);
        assertThat(p.dedupKey()).isEqualTo("_fleet#1");
        assertThat(p.nodeId()).isNull();
        assertThat(p.namespace()).isNull();
        assertThat(p.severity()).isEqualTo(Severity.critical);
        assertThat(p.summary()).contains("4 nodes").contains("threshold 3");
    }

    @Test
    void fleetReleaseResolvesThatPageWhereItWasTriggered() {
        Plan plan = StepPlanner.plan(FLEET_RELEASE, TargetKind.FLEET, PD, EVERY_PAGE);
        assertThat(names(plan)).containsExactly("page-resolve:pagerduty");
        assertThat(step(plan, PageStep.class).pages().get(0).dedupKey()).isEqualTo("_fleet#1");
        assertThat(StepPlanner.plan(FLEET_RELEASE, TargetKind.FLEET, PD, PagesTriggered.NONE).steps())
                .as("a fleet page that was never triggered is not resolved").isEmpty();
    }

    @Test
    void withoutAnyPagerEveryPageGoesToNoneSoTheMissingPageIsRecorded() {
        Plan plan = StepPlanner.plan(AWAIT, TargetKind.SEINODE, Set.of());
        assertThat(names(plan)).containsExactly("page-trigger:none", "condition", "event");
    }

    @Test
    void everySampleDecisionHasAPlanForEveryKind() {
        for (Decision d : D) {
            for (TargetKind kind : TargetKind.values()) {
                if ((d.nodeId() == null) != (kind == TargetKind.FLEET)) {
                    continue;
                }
                Plan plan = StepPlanner.plan(d, kind, ALL, EVERY_PAGE);
                assertThat(plan.steps()).as(d.kind() + " on " + kind).isNotEmpty();
                assertThat(StepPlanner.plan(d, kind, ALL, EVERY_PAGE)).as("planning is a pure function")
                        .isEqualTo(plan);
            }
        }
    }

    @Test
    void failurePageIsCriticalUnderItsOwnKeyAndSkipsTheSinkThatFailed() {
        Step failed = new PageStep(PageAction.TRIGGER, PagerSink.PAGERDUTY,
                List.of(StepPlanner.plan(AWAIT, TargetKind.SEINODE, PD).steps().stream()
                        .filter(PageStep.class::isInstance).map(PageStep.class::cast).findFirst().orElseThrow()
                        .pages().get(0)), "page");
        List<PageStep> pages = StepPlanner.failurePages(AWAIT, failed, "HTTP 400", ALL);
        assertThat(pages).extracting(Step::name).containsExactly("failure-page-trigger:alertmanager",
                "failure-page-trigger:webhook");
        Page p = pages.get(0).pages().get(0);
        assertThat(p.dedupKey()).isEqualTo("sei/rpc-0#1/action-failed");
        assertThat(p.severity()).isEqualTo(Severity.critical);
        assertThat(p.details()).containsEntry("failedStep", "page-trigger:pagerduty").containsEntry("failure", "HTTP 400");
        assertThat(StepPlanner.failurePages(AWAIT, failed, "HTTP 400", PD)).isEmpty();

        List<PageStep> afterImage = StepPlanner.failurePages(UPGRADE, new SetImage(null, "x:1"), "409", PD);
        assertThat(afterImage).extracting(Step::name).containsExactly("failure-page-trigger:pagerduty");
        assertThat(afterImage.get(0).pages().get(0).summary()).contains("could not set image x:1 for sei/rpc-0");
    }

    @Test
    void stepNamesMustBeUniqueWithinAPlan() {
        assertThatThrownBy(() -> new Plan(UPGRADE, TargetKind.SEINODE,
                List.of(new SetImage(null, "a:1"), new SetImage(null, "a:2"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unique");
    }

    @Test
    void eventNotesAreCutToOneKilobyte() {
        EmitEvent e = new EmitEvent(EventType.Normal, "A", "B", "é".repeat(2000), null, null);
        assertThat(e.note().getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(1024);
        assertThat(e.note()).endsWith("…");
    }

    @Test
    void aRevertedChangePagesAtOnceOnItsOwnKeyNamingWhatWasRevertedAndWhatToDo() {
        List<PageStep> pages = StepPlanner.revertedPages(UPGRADE, new Step.ConfirmHold("img", null, null),
                "the seid image of the pod template of StatefulSet sei/x was set back from B to A by argocd-controller",
                PD);
        assertThat(pages).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("reverted-page-trigger:pagerduty");
            Page page = p.pages().get(0);
            assertThat(page.kind()).isEqualTo(PageKind.REVERTED);
            assertThat(page.dedupKey()).isEqualTo(UPGRADE.incidentId() + "/reverted");
            assertThat(page.severity()).isEqualTo(Decision.Severity.critical);
            assertThat(page.summary()).contains("did not hold").contains("by argocd-controller")
                    .contains("held for a human").contains("supervisor release " + UPGRADE.nodeId())
                    .contains("supervisor retry " + UPGRADE.nodeId());
        });
    }

    @Test
    void aTerminatePodOfAnIncidentWhoseChangeWasRevertedDeletesNothingWithOrWithoutAPager() {
        Decision.PodTerminationDecided terminate = new Decision.PodTerminationDecided(1,
                UPGRADE.incidentId() + "/terminate-pod/1", UPGRADE.incidentId(), UPGRADE.nodeId(), SampleEvents.T0,
                ((Decision.UpgradeDecided) UPGRADE).podName(), ((Decision.UpgradeDecided) UPGRADE).podUid(), 300);
        assertThat(names(StepPlanner.plan(terminate, TargetKind.STATEFULSET, PD))).containsExactly("delete-pod",
                "event");
        Reverts reverted = new Reverts(true, Map.of());
        for (Set<PagerSink> sinks : List.of(PD, Set.<PagerSink>of())) {
            Plan held = StepPlanner.plan(terminate, TargetKind.STATEFULSET, sinks, PagesTriggered.NONE, reverted);
            assertThat(names(held)).containsExactly("event");
            assertThat(step(held, EmitEvent.class).reason()).isEqualTo("HeldAfterRevert");
        }
    }

    @Test
    void aResolveLeavesTheRevertedPageOpenWithTheNodesHold() {
        Decision.IncidentResolved resolved = new Decision.IncidentResolved(1, UPGRADE.incidentId() + "/resolve/1",
                UPGRADE.incidentId(), UPGRADE.nodeId(), SampleEvents.T0, 70, "v6", "img", SampleEvents.T0, "running");
        Plan plan = StepPlanner.plan(resolved, TargetKind.STATEFULSET, PD,
                PagesTriggered.of(Map.of(PagerSink.PAGERDUTY, Set.of(PageKind.HALT, PageKind.REVERTED))),
                new Reverts(true, Map.of(UPGRADE.incidentId(), Set.of(PagerSink.PAGERDUTY))));
        assertThat(step(plan, PageStep.class).pages()).extracting(Page::dedupKey)
                .containsExactly(UPGRADE.incidentId());
    }

    @Test
    void aReleaseOfTheNodeResolvesItsOpenRevertedPagesThroughTheSinksTheyWentTo() {
        Decision.OperatorCommandApplied release = new Decision.OperatorCommandApplied(1,
                SampleEvents.NODE + "#none/operator/rel-1", SampleEvents.NODE + "#none", SampleEvents.NODE,
                SampleEvents.T0, "rel-1", Command.RELEASE, "alice", "image in Git", false,
                "hold lifted");
        Set<PagerSink> both = Set.of(PagerSink.PAGERDUTY, PagerSink.ALERTMANAGER);
        Reverts open = new Reverts(false, Map.of(SampleEvents.NODE + "#1", Set.of(PagerSink.PAGERDUTY),
                SampleEvents.NODE + "#2", both));
        Plan plan = StepPlanner.plan(release, TargetKind.STATEFULSET, both, PagesTriggered.NONE, open);
        List<PageStep> pages = plan.steps().stream().filter(PageStep.class::isInstance).map(PageStep.class::cast)
                .toList();
        assertThat(pages).extracting(PageStep::name)
                .containsExactlyInAnyOrder("reverted-page-resolve:pagerduty", "reverted-page-resolve:alertmanager");
        assertThat(pages).allSatisfy(p -> assertThat(p.action()).isEqualTo(PageAction.RESOLVE));
        assertThat(pages.stream().filter(p -> p.sink() == PagerSink.PAGERDUTY).findFirst().orElseThrow().pages())
                .extracting(Page::dedupKey, Page::kind).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(SampleEvents.NODE + "#1/reverted", PageKind.REVERTED),
                        org.assertj.core.groups.Tuple.tuple(SampleEvents.NODE + "#2/reverted", PageKind.REVERTED));
        assertThat(pages.stream().filter(p -> p.sink() == PagerSink.ALERTMANAGER).findFirst().orElseThrow().pages())
                .extracting(Page::dedupKey).containsExactly(SampleEvents.NODE + "#2/reverted");
        assertThat(names(StepPlanner.plan(release, TargetKind.STATEFULSET, both, PagesTriggered.NONE, Reverts.NONE)))
                .as("nothing reverted: nothing to resolve").doesNotContain("reverted-page-resolve:pagerduty");
    }
}
