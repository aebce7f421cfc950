package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderHarness;
import io.haltsupervisor.decider.core.NodeState;

import static io.haltsupervisor.decider.Events.IMG5;
import static io.haltsupervisor.decider.Events.IMG6;
import static io.haltsupervisor.decider.Events.IMG7;
import static io.haltsupervisor.decider.Events.V6_HEIGHT;
import static io.haltsupervisor.decider.Events.command;
import static io.haltsupervisor.decider.Events.exitHalt;
import static io.haltsupervisor.decider.Events.fleetRelease;
import static io.haltsupervisor.decider.Events.heartbeat;
import static io.haltsupervisor.decider.Events.mapping;
import static io.haltsupervisor.decider.Events.podNotReady;
import static io.haltsupervisor.decider.Events.podReady;
import static io.haltsupervisor.decider.Events.recovered;
import static io.haltsupervisor.decider.Events.statusHalt;
import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Decision.HaltPaged;
import io.haltsupervisor.schemas.Decision.ImageMappingRef;
import io.haltsupervisor.schemas.Decision.IncidentEscalated;
import io.haltsupervisor.schemas.Decision.IncidentResolved;
import io.haltsupervisor.schemas.Decision.MappingAwaited;
import io.haltsupervisor.schemas.Decision.OperatorCommandApplied;
import io.haltsupervisor.schemas.Decision.PodTerminationDecided;
import io.haltsupervisor.schemas.Decision.QuarantineDecided;
import io.haltsupervisor.schemas.Decision.RollbackDecided;
import io.haltsupervisor.schemas.Decision.UpgradeDecided;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import io.haltsupervisor.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every row and transition of docs/requirements.md §3 through the real topology, on a {@code TopologyTestDriver}
 * (one per test). Each test asserts what came out, then that nothing else did.
 */
class DeciderTopologyTest {
    private static final String N0 = "sei/val-0";
    private static final String N1 = "sei/val-1";
    private static final String N2 = "sei/rpc-2";

    private DeciderHarness h;

    @BeforeEach
    void start() {
        h = new DeciderHarness();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private static Instant t(long seconds) {
        return DeciderHarness.T0.plusSeconds(seconds);
    }

    private static <T extends Decision> T only(List<Decision> decisions, Class<T> kind) {
        assertThat(decisions).hasSize(1);
        assertThat(decisions.get(0)).isInstanceOf(kind);
        return kind.cast(decisions.get(0));
    }

    /** The node ran IMG5 healthy, then halted with 70 for v6 (status), observed at {@code at}. */
    private void haltsForV6(String node, long at) {
        h.observe(podReady(node, "uid-" + node, IMG5, 0, t(at - 5)), t(at - 5));
        h.halt(statusHalt(node, 70, "v6", V6_HEIGHT, t(at - 1), IMG5, t(at)), t(at));
    }

    // ------------------------------------------------------------------ 70

    @Test
    void upgradesAtOnceWhenTheMappingExists() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        haltsForV6(N0, 10);

        UpgradeDecided up = only(h.decisions(), UpgradeDecided.class);
        assertThat(up.decisionId()).isEqualTo(N0 + "#1/upgrade/0");
        assertThat(up.incidentId()).isEqualTo(N0 + "#1");
        assertThat(up.decidedAt()).isEqualTo(t(10));
        assertThat(up.reasonCode()).isEqualTo(70);
        assertThat(up.planName()).isEqualTo("v6");
        assertThat(up.targetImage()).isEqualTo(IMG6);
        assertThat(up.previousImage()).isEqualTo(IMG5);
        assertThat(up.mapping()).isEqualTo(new ImageMappingRef("v6", IMG6, V6_HEIGHT, "configmap:sei/upgrades"));
        assertThat(up.podName()).isEqualTo("val-0-0");
        assertThat(up.podUid()).isEqualTo("uid-" + N0);
        h.assertNothingElse();
    }

    @Test
    void duplicatePollsRestartsAndTheOtherSourceFoldIntoTheIncidentAndEmitNothing() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        haltsForV6(N0, 10);
        assertThat(h.decisions()).hasSize(1);

        h.halt(statusHalt(N0, 70, "v6", V6_HEIGHT, t(9), IMG5, t(15)), t(15));
        h.halt(statusHalt(N0, 70, "v6", V6_HEIGHT, t(9), IMG5, t(20)), t(20));
        h.halt(exitHalt(N0, 70, "uid-" + N0, "containerd://c1", 1, t(30), IMG5), t(31));
        h.halt(exitHalt(N0, 70, "uid-" + N0, "containerd://c2", 2, t(60), IMG5), t(61));
        h.halt(exitHalt(N0, 70, "uid-" + N0, "containerd://c2", 2, t(60), IMG5), t(62));

        h.assertNothingElse();
        NodeState.Incident open = h.nodeState(N0).open();
        assertThat(open.id()).isEqualTo(N0 + "#1");
        assertThat(open.halt().sources()).containsExactly("status", "exit-code");
        assertThat(open.halt().containerIds()).containsExactly("containerd://c1", "containerd://c2");
        assertThat(h.nodeState(N0).incidentCount()).isEqualTo(1);
    }

    @Test
    void statusBeforeExitCodeIsOneIncident() {
        h.observe(podReady(N0, "uid-a", IMG5, 0, t(1)), t(1));
        h.halt(statusHalt(N0, 70, "v6", V6_HEIGHT, t(9), IMG5, t(10)), t(10));
        MappingAwaited awaited = only(h.decisions(), MappingAwaited.class);
        assertThat(awaited.waitReason()).isEqualTo(Decision.WaitReason.ImageMappingMissing);
        assertThat(awaited.planName()).isEqualTo("v6");

        h.halt(exitHalt(N0, 70, "uid-a", "containerd://c1", 1, t(20), IMG5), t(21));
        h.assertNothingElse();
    }

    @Test
    void exitCodeBeforeStatusIsOneIncidentAndFindsThePlanByHeight() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        h.observe(heartbeat(N0, V6_HEIGHT - 1, t(1)), t(1));
        h.halt(exitHalt(N0, 70, "uid-a", "containerd://c1", 1, t(10), IMG5), t(11));

        UpgradeDecided up = only(h.decisions(), UpgradeDecided.class);
        assertThat(up.planName()).isEqualTo("v6");
        assertThat(up.targetImage()).isEqualTo(IMG6);
        assertThat(up.podUid()).isEqualTo("uid-a");
        assertThat(h.nodeState(N0).open().planSource()).isEqualTo("height");

        h.halt(statusHalt(N0, 70, "v6", V6_HEIGHT, t(9), IMG5, t(15)), t(15));
        h.assertNothingElse();
    }

    @Test
    void exitCodeFindsThePlanOfTheFirstUpgradePastAStaleLastHeight() {
        // the last heartbeat is older than the last block: the next upgrade past it is the one the node hit
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        h.map(mapping("v7", IMG6 + "-v7", V6_HEIGHT + 5_000_000L, t(0)), t(0));
        h.map(mapping("v5", IMG5, V6_HEIGHT - 5_000_000L, t(0)), t(0));
        h.observe(heartbeat(N0, V6_HEIGHT - 700, t(1)), t(1));
        // 699 blocks to go: reachable in the 199 s (+ 30 s margin) to the exit at 0.25 s per block (916)
        h.halt(exitHalt(N0, 70, "uid-a", "containerd://c1", 1, t(200), IMG5), t(201));

        UpgradeDecided up = only(h.decisions(), UpgradeDecided.class);
        assertThat(up.planName()).isEqualTo("v6");
        assertThat(up.targetImage()).isEqualTo(IMG6);
        h.assertNothingElse();
    }

    @Test
    void exitCodeDoesNotTakeAPlanWhoseHeightTheNodeCouldNotHaveReached() {
        // seen at 140,000,000, exits ten seconds later: the mapping at 151,000,000 is eleven million blocks away
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        h.observe(heartbeat(N0, 140_000_000L, t(1)), t(1));
        h.halt(exitHalt(N0, 70, "uid-a", "containerd://c1", 1, t(11), IMG5), t(12));

        MappingAwaited awaited = only(h.decisions(), MappingAwaited.class);
        assertThat(awaited.waitReason()).isEqualTo(Decision.WaitReason.PlanUnknown);
        assertThat(awaited.planName()).isNull();
        h.assertNothingElse();
    }

    @Test
    void aMappingHeightQualifiesUpToTheBlocksTheFastestChainCouldProduceInTheWindowAndMargin() {
        // 10 s from the last height to the exit, + 30 s margin, at 0.25 s per block: at most 160 blocks
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        h.observe(heartbeat(N0, V6_HEIGHT - 1 - 160, t(1)), t(1));
        h.observe(heartbeat(N1, V6_HEIGHT - 1 - 161, t(1)), t(1));
        h.halt(exitHalt(N0, 70, "uid-a", "containerd://c1", 1, t(11), IMG5), t(12));
        h.halt(exitHalt(N1, 70, "uid-b", "containerd://c2", 1, t(11), IMG5), t(12));

        assertThat(h.decisions()).extracting(Decision::decisionId)
                .containsExactly(N0 + "#1/upgrade/0", N1 + "#1/await-mapping/0");
        h.assertNothingElse();
    }

    @Test
    void planUnknownIsDecidedByALaterMappingAboveTheLastHeightButNotByOneBelowIt() {
        h.observe(heartbeat(N0, V6_HEIGHT - 700, t(1)), t(1));
        h.halt(exitHalt(N0, 70, "uid-a", "containerd://c1", 1, t(200), IMG5), t(201));
        assertThat(only(h.decisions(), MappingAwaited.class).waitReason())
                .isEqualTo(Decision.WaitReason.PlanUnknown);

        h.map(mapping("v5", IMG5, V6_HEIGHT - 5_000_000L, t(220)), t(220));
        h.assertNothingElse();
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(230)), t(230));
        UpgradeDecided up = only(h.decisions(), UpgradeDecided.class);
        assertThat(up.planName()).isEqualTo("v6");
        h.assertNothingElse();
    }

    @Test
    void exitCodeWithoutAnyPlanAwaitsWithPlanUnknownAndLearnsThePlanFromALaterStatus() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        h.halt(exitHalt(N0, 70, "uid-a", "containerd://c1", 1, t(10), IMG5), t(11));
        MappingAwaited awaited = only(h.decisions(), MappingAwaited.class);
        assertThat(awaited.waitReason()).isEqualTo(Decision.WaitReason.PlanUnknown);
        assertThat(awaited.planName()).isNull();

        h.halt(statusHalt(N0, 70, "v6", V6_HEIGHT, t(9), IMG5, t(15)), t(15));
        UpgradeDecided up = only(h.decisions(), UpgradeDecided.class);
        assertThat(up.decisionId()).isEqualTo(N0 + "#1/upgrade/1");
        assertThat(up.targetImage()).isEqualTo(IMG6);
        h.assertNothingElse();
    }

    @Test
    void planUnknownByHeightIsDecidedWhenAMappingWithThatHeightArrives() {
        h.observe(heartbeat(N0, V6_HEIGHT - 1, t(1)), t(1));
        h.halt(exitHalt(N0, 70, "uid-a", "containerd://c1", 1, t(10), IMG5), t(11));
        assertThat(only(h.decisions(), MappingAwaited.class).waitReason())
                .isEqualTo(Decision.WaitReason.PlanUnknown);

        h.map(mapping("v5-other", IMG5, 140_000_000L, t(20)), t(20));
        h.assertNothingElse();
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(30)), t(30));
        UpgradeDecided up = only(h.decisions(), UpgradeDecided.class);
        assertThat(up.planName()).isEqualTo("v6");
        assertThat(up.decidedAt()).isEqualTo(t(30));
        h.assertNothingElse();
    }

    @Test
    void exitCodeTakesThePlanFromTheNodesLastKnownHaltIntent() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        // quarantined (72); while quarantined the node served an intent for v6, folded into the quarantine
        h.halt(exitHalt(N0, 72, "uid-a", "containerd://c1", 1, t(10), IMG5), t(11));
        assertThat(only(h.decisions(), QuarantineDecided.class).reasonCode()).isEqualTo(72);
        h.halt(statusHalt(N0, 70, "v6", V6_HEIGHT, t(20), IMG5, t(21)), t(21));
        h.assertNothingElse();
        h.command(command("cmd-r", N0, Command.RELEASE, t(30)), t(30));
        assertThat(only(h.decisions(), OperatorCommandApplied.class).releasedQuarantine()).isTrue();

        // a new container halts with 70 after the release, seen only by its exit code
        h.halt(exitHalt(N0, 70, "uid-a", "containerd://c2", 2, t(40), IMG5), t(41));
        List<Decision> out = h.decisions();
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOf(IncidentResolved.class);
        assertThat(out.get(0).incidentId()).isEqualTo(N0 + "#1");
        UpgradeDecided up = (UpgradeDecided) out.get(1);
        assertThat(up.incidentId()).isEqualTo(N0 + "#2");
        assertThat(up.planName()).isEqualTo("v6");
        assertThat(h.nodeState(N0).open().planSource()).isEqualTo("last-intent");
        h.assertNothingElse();
    }

    @Test
    void lateMappingUpgradesTheWaitingIncident() {
        haltsForV6(N0, 10);
        MappingAwaited awaited = only(h.decisions(), MappingAwaited.class);
        assertThat(awaited.decisionId()).isEqualTo(N0 + "#1/await-mapping/0");
        assertThat(awaited.podName()).isEqualTo("val-0-0");

        h.map(mapping("v6", IMG6, V6_HEIGHT, t(100)), t(100));
        UpgradeDecided up = only(h.decisions(), UpgradeDecided.class);
        assertThat(up.decisionId()).isEqualTo(N0 + "#1/upgrade/1");
        assertThat(up.decidedAt()).isEqualTo(t(100));
        assertThat(up.targetImage()).isEqualTo(IMG6);

        h.map(mapping("v6", IMG6, V6_HEIGHT, t(110)), t(110));
        h.assertNothingElse();
    }

    @Test
    void twoNodesWaitingOnOnePlanAreBothUpgradedAndOthersAreNotTouched() {
        haltsForV6(N0, 10);
        haltsForV6(N1, 11);
        h.observe(podReady(N2, "uid-n2", IMG6, 0, t(1)), t(1));
        h.halt(statusHalt(N2, 70, "v7", 160_000_000L, t(11), IMG6, t(12)), t(12));
        assertThat(h.decisions()).hasSize(3).allMatch(d -> d instanceof MappingAwaited);

        h.map(mapping("v6", IMG6, V6_HEIGHT, t(100)), t(100));
        List<Decision> out = h.decisions();
        assertThat(out).hasSize(2).allMatch(d -> d instanceof UpgradeDecided);
        assertThat(out).extracting(Decision::nodeId).containsExactly(N0, N1);

        h.map(mapping("v7", IMG7, 160_000_000L, t(200)), t(200));
        UpgradeDecided up = only(h.decisions(), UpgradeDecided.class);
        assertThat(up.nodeId()).isEqualTo(N2);
        assertThat(up.targetImage()).isEqualTo(IMG7);
        h.assertNothingElse();
    }

    // ------------------------------------------------------------------ resolve

    @Test
    void resolvesWhenTheNodeRunsTheTargetImageHealthyAndThenOpensANewIncidentForANewHalt() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        haltsForV6(N0, 10);
        assertThat(h.decisions()).hasSize(1);

        h.observe(podNotReady(N0, "uid-new", IMG6, 0, t(40)), t(40));
        h.observe(podReady(N0, "uid-other", IMG5, 0, t(45)), t(45));
        h.assertNothingElse();
        h.observe(podReady(N0, "uid-new", IMG6, 0, t(50)), t(50));
        IncidentResolved resolved = only(h.decisions(), IncidentResolved.class);
        assertThat(resolved.decisionId()).isEqualTo(N0 + "#1/resolve/1");
        assertThat(resolved.image()).isEqualTo(IMG6);
        assertThat(resolved.openedAt()).isEqualTo(t(10));
        assertThat(resolved.resolution()).contains("running target image");
        assertThat(h.nodeState(N0).open()).isNull();
        assertThat(h.nodeState(N0).healthyImages()).startsWith(IMG6);

        // a late observation of the old halt changes nothing
        h.halt(statusHalt(N0, 70, "v6", V6_HEIGHT, t(9), IMG5, t(55)), t(55));
        h.halt(exitHalt(N0, 70, "uid-" + N0, "containerd://old", 1, t(20), IMG5), t(56));
        h.assertNothingElse();

        // a new halt later is a new incident
        h.halt(statusHalt(N0, 84, null, null, t(300), IMG6, t(301)), t(301));
        HaltPaged paged = only(h.decisions(), HaltPaged.class);
        assertThat(paged.incidentId()).isEqualTo(N0 + "#2");
        h.assertNothingElse();
    }

    @Test
    void aStayAliveHaltedPodThatStaysReadyDoesNotResolveItsIncident() {
        h.observe(podReady(N0, "uid-a", IMG5, 0, t(1)), t(1));
        h.halt(statusHalt(N0, 84, null, null, t(9), IMG5, t(10)), t(10));
        assertThat(h.decisions()).hasSize(1);
        // same pod, same restart count, same image: the halted process itself
        h.observe(podReady(N0, "uid-a", IMG5, 0, t(20)), t(20));
        h.assertNothingElse();
        // the status poller sees the intent gone: the node is no longer halted
        h.observe(recovered(N0, V6_HEIGHT, t(30)), t(30));
        assertThat(only(h.decisions(), IncidentResolved.class).resolution()).isEqualTo("healthy again");
        h.assertNothingElse();
    }

    // ------------------------------------------------------------------ 71, 72, 73–89

    @Test
    void binaryTooNewRollsBackToThePreviousRunningImageAndNeverAutoAppliesTheTooNewImageAgain() {
        h.observe(podReady(N0, "uid-a", IMG5, 0, t(1)), t(1));
        h.observe(podNotReady(N0, "uid-b", IMG6, 0, t(5)), t(5));
        h.halt(exitHalt(N0, 71, "uid-b", "containerd://c1", 1, t(10), IMG6), t(11));
        RollbackDecided rb = only(h.decisions(), RollbackDecided.class);
        assertThat(rb.decisionId()).isEqualTo(N0 + "#1/rollback/0");
        assertThat(rb.targetImage()).isEqualTo(IMG5);
        assertThat(rb.tooNewImage()).isEqualTo(IMG6);
        assertThat(rb.podUid()).isEqualTo("uid-b");

        h.observe(podReady(N0, "uid-c", IMG5, 0, t(40)), t(40));
        assertThat(only(h.decisions(), IncidentResolved.class).image()).isEqualTo(IMG5);

        // later a 70 whose mapping points at the image that was too new: page, no upgrade
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(100)), t(100));
        h.halt(statusHalt(N0, 70, "v6", V6_HEIGHT, t(109), IMG5, t(110)), t(110));
        HaltPaged page = only(h.decisions(), HaltPaged.class);
        assertThat(page.pageReason()).isEqualTo(Decision.PageReason.TooNewImageRefused);
        assertThat(page.severity()).isEqualTo(Decision.Severity.critical);
        assertThat(page.summary()).contains(IMG6);
        h.assertNothingElse();
    }

    @Test
    void binaryTooNewOnASeiNodeNeverSeenRunningRollsBackToTheImageItsControllerReportsAsCurrent() {
        // deployed after the node last changed image: the decider never saw IMG5 run; the SeiNode's update
        // plan to IMG6 never completed, so its status.currentImage (on the pod observation) still says IMG5
        h.observe(podNotReady(N0, "uid-b", IMG6, 0, t(5)).withCurrentImage(IMG5), t(5));
        h.halt(exitHalt(N0, 71, "uid-b", "containerd://c1", 1, t(10), IMG6), t(11));
        RollbackDecided rb = only(h.decisions(), RollbackDecided.class);
        assertThat(rb.targetImage()).isEqualTo(IMG5);
        assertThat(rb.tooNewImage()).isEqualTo(IMG6);
        h.assertNothingElse();
    }

    @Test
    void binaryTooNewWhoseControllerReportsTheTooNewImageAsCurrentHasNoPreviousImage() {
        h.observe(podNotReady(N0, "uid-b", IMG6, 0, t(5)).withCurrentImage(IMG6), t(5));
        h.halt(exitHalt(N0, 71, "uid-b", "containerd://c1", 1, t(10), IMG6), t(11));
        assertThat(only(h.decisions(), HaltPaged.class).pageReason()).isEqualTo(Decision.PageReason.NoPreviousImage);
        h.assertNothingElse();
    }

    @Test
    void binaryTooNewWithoutAPreviousImagePagesAndDoesNothingElse() {
        h.halt(exitHalt(N0, 71, "uid-b", "containerd://c1", 1, t(10), IMG6), t(11));
        HaltPaged page = only(h.decisions(), HaltPaged.class);
        assertThat(page.pageReason()).isEqualTo(Decision.PageReason.NoPreviousImage);
        assertThat(page.severity()).isEqualTo(Decision.Severity.critical);
        assertThat(page.reasonCode()).isEqualTo(71);
        h.driver.advanceWallClockTime(Duration.ofMinutes(30));
        h.assertNothingElse();
    }

    @Test
    void downgradeDetectedQuarantinesUntilAnOperatorReleasesThenResolvesOnAnyHealthyImage() {
        h.observe(podReady(N0, "uid-a", IMG6, 0, t(1)), t(1));
        h.halt(exitHalt(N0, 72, "uid-a", "containerd://c1", 1, t(10), IMG5), t(11));
        QuarantineDecided q = only(h.decisions(), QuarantineDecided.class);
        assertThat(q.decisionId()).isEqualTo(N0 + "#1/quarantine/0");
        assertThat(q.image()).isEqualTo(IMG5);
        assertThat(q.podUid()).isEqualTo("uid-a");

        // nothing automatic: not the other halt codes, not a healthy pod, not time
        h.halt(exitHalt(N0, 70, "uid-a", "containerd://c2", 2, t(20), IMG5), t(21));
        h.observe(podReady(N0, "uid-z", IMG6, 0, t(30)), t(30));
        h.driver.advanceWallClockTime(Duration.ofHours(1));
        h.assertNothingElse();

        h.command(command("cmd-1", N0, Command.RELEASE, t(40)), t(40));
        OperatorCommandApplied released = only(h.decisions(), OperatorCommandApplied.class);
        assertThat(released.decisionId()).isEqualTo(N0 + "#1/operator/cmd-1");
        assertThat(released.releasedQuarantine()).isTrue();
        assertThat(released.by()).isEqualTo("alice");
        assertThat(released.effect()).contains("quarantine released");

        h.observe(podReady(N0, "uid-y", IMG6, 0, t(50)), t(50));
        IncidentResolved resolved = only(h.decisions(), IncidentResolved.class);
        assertThat(resolved.resolution()).isEqualTo("healthy after operator release");
        h.assertNothingElse();
    }

    @Test
    void aNewHaltOfTheSameKindAfterAReleaseOpensANewIncident() {
        h.halt(exitHalt(N0, 72, "uid-a", "containerd://c1", 1, t(10), IMG5), t(11));
        h.halt(exitHalt(N0, 72, "uid-a", "containerd://c2", 2, t(20), IMG5), t(21));
        assertThat(only(h.decisions(), QuarantineDecided.class).incidentId()).isEqualTo(N0 + "#1");
        h.command(command("rel-1", N0, Command.RELEASE, t(30)), t(30));
        assertThat(only(h.decisions(), OperatorCommandApplied.class).releasedQuarantine()).isTrue();

        // the container that halted before the release, seen again: still the same incident
        h.halt(exitHalt(N0, 72, "uid-a", "containerd://c2", 2, t(20), IMG5), t(31));
        h.assertNothingElse();

        // a container started after the release halts again: the old incident closes, a new one opens
        h.halt(exitHalt(N0, 72, "uid-a", "containerd://c3", 3, t(40), IMG5), t(41));
        List<Decision> out = h.decisions();
        assertThat(out).extracting(Decision::decisionId)
                .containsExactly(N0 + "#1/resolve/1", N0 + "#2/quarantine/0");
        assertThat(((IncidentResolved) out.get(0)).resolution()).isEqualTo("halted again after operator release");
        h.assertNothingElse();
    }

    @Test
    void reservedCodesPageAsGracefulButUnrecognisedWithTheRawCodeAndNoAction() {
        h.halt(exitHalt(N0, 77, "uid-a", "containerd://c1", 1, t(10), IMG5), t(11));
        h.halt(exitHalt(N1, 84, "uid-b", "containerd://c1", 1, t(10), IMG5), t(11));
        List<Decision> out = h.decisions();
        assertThat(out).hasSize(2).allMatch(d -> d instanceof HaltPaged);
        assertThat(out).extracting(d -> ((HaltPaged) d).reasonCode()).containsExactly(77, 84);
        assertThat(out).extracting(d -> ((HaltPaged) d).pageReason())
                .containsOnly(Decision.PageReason.UnrecognisedHalt);
        assertThat(((HaltPaged) out.get(1)).summary()).contains("84").contains("reserved_operator");
        h.driver.advanceWallClockTime(Duration.ofMinutes(30));
        h.assertNothingElse();
    }

    @Test
    void aHaltIntentWithReasonZeroPagesAsGracefulButUnrecognisedAndActsOnNothing() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        h.observe(podReady(N0, "uid-a", IMG5, 0, t(5)), t(5));
        h.halt(statusHalt(N0, 0, "v6", V6_HEIGHT, t(9), IMG5, t(10)), t(10));
        HaltPaged paged = only(h.decisions(), HaltPaged.class);
        assertThat(paged.reasonCode()).isZero();
        assertThat(paged.pageReason()).isEqualTo(Decision.PageReason.UnrecognisedHalt);
        assertThat(paged.summary()).isEqualTo("graceful but unrecognised halt: halt_intent reason 0 (unknown), plan v6:"
                + " the node gave no reason to act on; no automatic action");
        h.driver.advanceWallClockTime(Duration.ofMinutes(30));
        h.assertNothingElse();
    }

    // ------------------------------------------------------------------ grace window

    @Test
    void escalationTerminatesThePodOnceAfterTheGraceWindowThenPagesAfterASecondWindow() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        haltsForV6(N0, 10);
        assertThat(h.decisions()).hasSize(1);

        h.driver.advanceWallClockTime(Duration.ofMinutes(4));
        h.assertNothingElse();
        h.driver.advanceWallClockTime(Duration.ofMinutes(1).plusSeconds(15));
        PodTerminationDecided term = only(h.decisions(), PodTerminationDecided.class);
        assertThat(term.decisionId()).isEqualTo(N0 + "#1/terminate/1");
        assertThat(term.decidedAt()).isEqualTo(t(10).plus(Duration.ofMinutes(5)));
        assertThat(term.graceSeconds()).isEqualTo(300);
        assertThat(term.podName()).isEqualTo("val-0-0");
        assertThat(term.podUid()).isEqualTo("uid-" + N0);

        h.driver.advanceWallClockTime(Duration.ofMinutes(5));
        IncidentEscalated esc = only(h.decisions(), IncidentEscalated.class);
        assertThat(esc.decisionId()).isEqualTo(N0 + "#1/escalate/2");
        assertThat(esc.decidedAt()).isEqualTo(t(10).plus(Duration.ofMinutes(10)));
        assertThat(esc.openedAt()).isEqualTo(t(10));
        assertThat(esc.summary()).contains("pod terminated once");

        h.driver.advanceWallClockTime(Duration.ofHours(2));
        h.assertNothingElse();
    }

    @Test
    void aResolvedIncidentIsNeitherTerminatedNorEscalated() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        haltsForV6(N0, 10);
        h.observe(podReady(N0, "uid-2", IMG6, 0, t(60)), t(60));
        assertThat(h.decisions()).extracting(Decision::kind).containsExactly("upgrade", "resolve");
        h.driver.advanceWallClockTime(Duration.ofHours(1));
        h.assertNothingElse();
    }

    @Test
    void anAcknowledgedIncidentIsTerminatedButNotEscalated() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        haltsForV6(N0, 10);
        h.command(command("ack-1", N0, Command.ACK, t(20)), t(20));
        assertThat(h.decisions()).extracting(Decision::kind).containsExactly("upgrade", "operator");
        h.driver.advanceWallClockTime(Duration.ofMinutes(5).plusSeconds(20));
        assertThat(only(h.decisions(), PodTerminationDecided.class).incidentId()).isEqualTo(N0 + "#1");
        h.driver.advanceWallClockTime(Duration.ofMinutes(10));
        h.assertNothingElse();
    }

    @Test
    void withoutWallClockTimersRecordTimePassingTheDeadlineFiresTheTimerFirst() {
        h.close();
        h = new DeciderHarness(DeciderConfig.fromEnv(java.util.Map.of(
                DeciderConfig.ENV_APPLICATION_ID, "decider-test", DeciderConfig.ENV_WALL_CLOCK_TIMERS, "false")));
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        haltsForV6(N0, 10);
        assertThat(h.decisions()).hasSize(1);
        h.driver.advanceWallClockTime(Duration.ofHours(1));
        h.assertNothingElse();

        // another node's heartbeat past the deadline advances record time
        h.observe(heartbeat(N1, 100, t(10 + 301)), t(10 + 301));
        PodTerminationDecided term = only(h.decisions(), PodTerminationDecided.class);
        assertThat(term.decidedAt()).isEqualTo(t(310));
        h.assertNothingElse();
    }

    // ------------------------------------------------------------------ operators

    @Test
    void holdStopsAutomaticActionsUntilReleaseAndRetryDecidesAgainWithANewId() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        h.command(command("hold-1", N0, Command.HOLD, t(1)), t(1));
        OperatorCommandApplied hold = only(h.decisions(), OperatorCommandApplied.class);
        assertThat(hold.incidentId()).isEqualTo(N0 + "#none");
        assertThat(hold.command()).isEqualTo(Command.HOLD);

        haltsForV6(N0, 10);
        HaltPaged page = only(h.decisions(), HaltPaged.class);
        assertThat(page.pageReason()).isEqualTo(Decision.PageReason.NodeOnHold);
        h.driver.advanceWallClockTime(Duration.ofMinutes(30));
        h.assertNothingElse();

        h.command(command("rel-1", N0, Command.RELEASE, t(20)), t(20));
        OperatorCommandApplied release = only(h.decisions(), OperatorCommandApplied.class);
        assertThat(release.releasedQuarantine()).isFalse();
        assertThat(release.effect()).contains("hold lifted");

        h.command(command("retry-1", N0, Command.RETRY, t(30)), t(30));
        List<Decision> out = h.decisions();
        assertThat(out).hasSize(2);
        assertThat(((OperatorCommandApplied) out.get(0)).command()).isEqualTo(Command.RETRY);
        UpgradeDecided up = (UpgradeDecided) out.get(1);
        assertThat(up.decisionId()).isEqualTo(N0 + "#1/upgrade/1");
        assertThat(up.decidedAt()).isEqualTo(t(30));

        h.command(command("retry-2", N0, Command.RETRY, t(40)), t(40));
        assertThat(h.decisions()).extracting(Decision::decisionId)
                .containsExactly(N0 + "#1/operator/retry-2", N0 + "#1/upgrade/2");
        h.assertNothingElse();
    }

    @Test
    void aRepeatedCommandIdIsAppliedOnce() {
        h.command(command("hold-1", N0, Command.HOLD, t(1)), t(1));
        h.command(command("hold-1", N0, Command.HOLD, t(2)), t(2));
        assertThat(h.decisions()).hasSize(1);
        h.assertNothingElse();
    }

    // ------------------------------------------------------------------ fleet breaker

    @Test
    void breakerTripsOnceWhenMoreThanThresholdNodesHit71Or72AndHoldsImageActionsUntilReleasedFleetWide() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        for (int i = 1; i <= 4; i++) {
            String node = "sei/n-" + i;
            h.observe(podReady(node, "uid-" + i, IMG5, 0, t(i)), t(i));
            h.halt(exitHalt(node, i == 2 ? 72 : 71, "uid-" + i, "containerd://c" + i, 1, t(10 + i), IMG6),
                    t(11 + i));
        }
        List<Decision> out = h.decisions();
        assertThat(out).extracting(Decision::kind)
                .containsExactly("rollback", "quarantine", "rollback", "rollback", "fleet-hold");
        Decision.FleetHoldDecided hold = (Decision.FleetHoldDecided) out.get(4);
        assertThat(hold.decisionId()).isEqualTo("_fleet#1/fleet-hold");
        assertThat(hold.key()).isEqualTo(Topics.FLEET_KEY);
        assertThat(hold.nodes()).containsExactly("sei/n-1", "sei/n-2", "sei/n-3", "sei/n-4");
        assertThat(hold.threshold()).isEqualTo(3);
        assertThat(hold.windowSeconds()).isEqualTo(600);
        assertThat(hold.decidedAt()).isEqualTo(t(15));

        // more trips while open: no second hold; automatic image actions become pages
        h.observe(podReady("sei/n-5", "uid-5", IMG5, 0, t(20)), t(20));
        h.halt(exitHalt("sei/n-5", 71, "uid-5", "containerd://c5", 1, t(21), IMG6), t(22));
        haltsForV6(N0, 30);
        List<Decision> held = h.decisions();
        assertThat(held).hasSize(2).allMatch(d -> d instanceof HaltPaged);
        assertThat(held).extracting(d -> ((HaltPaged) d).pageReason())
                .containsOnly(Decision.PageReason.FleetHoldActive);

        h.command(fleetRelease("fleet-1", t(40)), t(40));
        Decision.FleetReleased released = only(h.decisions(), Decision.FleetReleased.class);
        assertThat(released.decisionId()).isEqualTo("_fleet#1/fleet-release/fleet-1");
        assertThat(released.by()).isEqualTo("bob");

        haltsForV6(N1, 50);
        assertThat(only(h.decisions(), UpgradeDecided.class).nodeId()).isEqualTo(N1);
        h.assertNothingElse();
    }

    @Test
    void tripsOutsideTheWindowDoNotOpenTheBreaker() {
        for (int i = 1; i <= 4; i++) {
            String node = "sei/n-" + i;
            long at = i * 400L; // 400 s apart: never more than 2 within 10 minutes
            h.halt(exitHalt(node, 71, "uid-" + i, "containerd://c" + i, 1, t(at), IMG6), t(at + 1));
        }
        assertThat(h.decisions()).hasSize(4).allMatch(d -> d instanceof HaltPaged);
        h.assertNothingElse();
    }

    // ------------------------------------------------------------------ poison

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicAndTheNextRecordIsStillDecided() {
        h.map(mapping("v6", IMG6, V6_HEIGHT, t(0)), t(0));
        h.pipeRaw(Topics.HALT_OBSERVATIONS, N0.getBytes(StandardCharsets.UTF_8),
                "{\"schemaVersion\":1,\"nodeId\":".getBytes(StandardCharsets.UTF_8), t(5));
        List<DeadLetterRecorded> letters = h.deadLetters.readValuesToList();
        assertThat(letters).hasSize(1);
        DeadLetterRecorded letter = letters.get(0);
        assertThat(letter.sourceTopic()).isEqualTo(Topics.HALT_OBSERVATIONS.name());
        assertThat(letter.partition()).isZero();
        assertThat(letter.offset()).isZero();
        assertThat(letter.error()).contains("malformed HaltObserved").contains(Topics.HALT_OBSERVATIONS.name());
        assertThat(letter.component()).isEqualTo("decider");
        assertThat(new String(java.util.Base64.getDecoder().decode(letter.keyBase64()), StandardCharsets.UTF_8))
                .isEqualTo(N0);

        haltsForV6(N0, 10);
        assertThat(only(h.decisions(), UpgradeDecided.class).nodeId()).isEqualTo(N0);
        h.assertNothingElse();
    }

    @Test
    void aRecordThatDeserialisesButIsInvalidIsDeadLetteredWithoutChangingState() {
        // keyed by another node than the one it is about
        h.pipeRaw(Topics.HALT_OBSERVATIONS, N1.getBytes(StandardCharsets.UTF_8),
                Json.write(statusHalt(N0, 70, "v6", V6_HEIGHT, t(1), IMG5, t(2))).getBytes(StandardCharsets.UTF_8),
                t(2));
        // a mapping keyed by another plan
        h.pipeRaw(Topics.IMAGE_MAPPINGS, "v7".getBytes(StandardCharsets.UTF_8),
                Json.write(mapping("v6", IMG6, V6_HEIGHT, t(3))).getBytes(StandardCharsets.UTF_8), t(3));
        // a tombstone where events are expected
        h.pipeRaw(Topics.NODE_OBSERVATIONS, N0.getBytes(StandardCharsets.UTF_8), null, t(4));

        List<DeadLetterRecorded> letters = h.deadLetters.readValuesToList();
        assertThat(letters).extracting(DeadLetterRecorded::sourceTopic).containsExactly(
                Topics.HALT_OBSERVATIONS.name(), Topics.IMAGE_MAPPINGS.name(), Topics.NODE_OBSERVATIONS.name());
        assertThat(letters.get(0).error()).contains("keyed '" + N1 + "'").contains(N0);
        assertThat(letters.get(1).error()).contains("keyed 'v7'").contains("'v6'");
        assertThat(letters.get(2).error()).contains("tombstone");
        assertThat(h.nodeState(N0)).isNull();
        assertThat(h.nodeState(N1)).isNull();
        h.assertNothingElse();
    }
    @Test
    void aRecordOnAnotherPartitionThanItsKeysIsDeadLetteredAsMisroutedAndChangesNothing() {
        // the driver puts every record on partition 0: with four partitions, a key of another partition is misrouted
        String home = null;
        String away = null;
        for (int i = 0; home == null || away == null; i++) {
            String node = "sei/part-" + i;
            if (io.haltsupervisor.schemas.Partitioning.partitionOf(node, 4) == 0) {
                home = home == null ? node : home;
            } else {
                away = away == null ? node : away;
            }
        }
        String onZero = home;
        try (DeciderHarness four = new DeciderHarness(DeciderConfig.defaults("decider-test"),
                new DeciderTopology.InputPartitions(4, 1))) {
            four.halts.pipeInput(away, statusHalt(away, 70, "v6", V6_HEIGHT, t(1), IMG5, t(2)), t(2));
            four.halts.pipeInput(onZero, statusHalt(onZero, 70, "v6", V6_HEIGHT, t(1), IMG5, t(3)), t(3));

            List<DeadLetterRecorded> letters = four.deadLetters.readValuesToList();
            assertThat(letters).singleElement().satisfies(letter -> {
                assertThat(letter.category()).isEqualTo(DeadLetterRecorded.Category.MISROUTED);
                assertThat(letter.error()).contains("partition 0").contains("murmur2_random");
            });
            assertThat(four.nodeState(away)).isNull();
            assertThat(four.decisions()).singleElement().satisfies(d -> assertThat(d.nodeId()).isEqualTo(onZero));
        }
    }
}
