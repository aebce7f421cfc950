package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.actuator.plan.Step;
import io.haltsupervisor.actuator.plan.TargetKind;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.SampleEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The runner's bookkeeping, with a scripted executor: no Kafka, no cluster, no waiting. */
class DecisionRunnerTest {
    private static final Decision UPGRADE = SampleEvents.decisions().get(0);
    private static final Decision AWAIT = SampleEvents.decisions().get(1);
    private static final Decision ROLLBACK = SampleEvents.decisions().get(2);
    private static final Instant NOW = SampleEvents.T0.plusSeconds(5);

    private final List<ActionResultRecorded> recorded = new ArrayList<>();
    private final List<String> executed = new ArrayList<>();
    private final List<Duration> slept = new ArrayList<>();
    private final Map<String, Deque<StepOutcome>> script = new HashMap<>();
    private final ResultsIndex index = new ResultsIndex();
    private final CollectingSink sink = new CollectingSink(recorded);
    private StepHook hook = StepHook.NONE;

    private ActuatorConfig config(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("ACTUATOR_PAGERDUTY_ROUTING_KEY", "k",
                "ACTUATOR_PAGERDUTY_URL", "http://127.0.0.1:1/v2/enqueue", "ACTUATOR_RETRY_MAX_ATTEMPTS", "3"));
        env.putAll(extra);
        return ActuatorConfig.fromEnv(env);
    }

    private DecisionRunner runner(ActuatorConfig config, TargetKind kind) {
        StepExecutor executor = (decision, step) -> {
            executed.add(step.name());
            Deque<StepOutcome> q = script.get(step.name());
            return q == null || q.isEmpty() ? StepOutcome.applied("did " + step.name()) : q.poll();
        };
        return new DecisionRunner(config, index, node -> kind, executor, sink, slept::add,
                Clock.fixed(NOW, ZoneOffset.UTC), () -> 0.5, (d, s, o) -> hook.afterAttempt(d, s, o),
                new ActuatorMetrics(new SimpleMeterRegistry()));
    }

    private void script(String step, StepOutcome... outcomes) {
        script.put(step, new ArrayDeque<>(List.of(outcomes)));
    }

    private List<String> results() {
        return recorded.stream().map(r -> r.step() + "#" + r.stepIndex() + "=" + r.outcome().token() + "@" + r.attempt())
                .toList();
    }

    @Test
    void runsEveryStepInOrderAndRecordsOneResultEach() throws Exception {
        runner(config(Map.of()), TargetKind.STATEFULSET).run(UPGRADE);
        assertThat(executed).containsExactly("set-image", "delete-pod", "condition", "event", "hold");
        assertThat(results()).containsExactly("set-image#0=applied@1", "delete-pod#1=applied@1",
                "condition#2=applied@1", "event#3=applied@1", "hold#4=applied@1");
        ActionResultRecorded first = recorded.get(0);
        assertThat(first.decisionId()).isEqualTo(UPGRADE.decisionId());
        assertThat(first.incidentId()).isEqualTo("sei/rpc-0#1");
        assertThat(first.nodeId()).isEqualTo("sei/rpc-0");
        assertThat(first.decisionKind()).isEqualTo("upgrade");
        assertThat(first.target()).isEqualTo("StatefulSet sei/rpc-0");
        assertThat(recorded.get(1).target()).isEqualTo("Pod sei/rpc-0");
        assertThat(first.detail()).isEqualTo("did set-image");
        assertThat(first.recordedAt()).isEqualTo(NOW);
    }

    @Test
    void aRevertedChangeIsRecordedAndPagedAtOnceOnItsOwnKeyNotAsAFailure() throws Exception {
        script("hold", new StepOutcome.Reverted("the seid image of the pod template of StatefulSet sei/rpc-0 was set"
                + " back by argocd-controller", "argocd-controller", "StatefulSet sei/rpc-0"));
        runner(config(Map.of()), TargetKind.STATEFULSET).run(UPGRADE);
        assertThat(results()).containsExactly("set-image#0=applied@1", "delete-pod#1=applied@1",
                "condition#2=applied@1", "event#3=applied@1", "hold#4=reverted@1",
                "reverted-page-trigger:pagerduty#5=applied@1");
        assertThat(executed).as("not retried").containsOnlyOnce("hold").doesNotContain("failure-page-trigger:pagerduty");
    }

    @Test
    void aRevertedChangeHoldsTheNodeWithOneAuditedHoldCommandEvenWithoutAPagerAndARerunRecordsNoSecond()
            throws Exception {
        StepOutcome.Reverted reverted = new StepOutcome.Reverted("the seid image of the pod template of StatefulSet"
                + " sei/rpc-0 was set back from b to a by argocd-controller", "argocd-controller",
                "StatefulSet sei/rpc-0");
        script("hold", reverted);
        runner(ActuatorConfig.fromEnv(Map.of()), TargetKind.STATEFULSET).run(UPGRADE);
        assertThat(results()).as("no pager: the one page step goes to none").endsWith("hold#4=reverted@1",
                "reverted-page-trigger:none#5=applied@1");
        assertThat(sink.holds).singleElement().satisfies(c -> {
            assertThat(c.command()).isEqualTo(OperatorCommandIssued.Command.HOLD);
            assertThat(c.nodeId()).isEqualTo(UPGRADE.nodeId());
            assertThat(c.fleet()).isFalse();
            assertThat(c.by()).isEqualTo("halt-supervisor-actuator");
            assertThat(c.reason()).contains(UPGRADE.decisionId()).contains("step hold")
                    .contains("set back from b to a by argocd-controller");
            assertThat(c.issuedAt()).isEqualTo(NOW);
            assertThat(c.commandId()).as("the same revert always names the same command")
                    .isEqualTo(DecisionRunner.revertHold(UPGRADE, new Step.ConfirmHold("b", null, null), "x", NOW).commandId());
        });

        recorded.forEach(index::apply);
        recorded.clear();
        sink.holds.clear();
        runner(ActuatorConfig.fromEnv(Map.of()), TargetKind.STATEFULSET).run(UPGRADE);
        assertThat(recorded).as("every step on record").isEmpty();
        assertThat(sink.holds).as("the hold was written with the reverted result").isEmpty();
    }

    @Test
    void stepsWithAFinalOutcomeOnRecordAreNotRunAgain() throws Exception {
        runner(config(Map.of()), TargetKind.STATEFULSET).run(ROLLBACK);
        executed.clear();
        recorded.clear();
        runner(config(Map.of()), TargetKind.STATEFULSET).run(ROLLBACK);
        assertThat(executed).isEmpty();
        assertThat(recorded).isEmpty();
    }

    @Test
    void aFailedRetryingAttemptIsRunAgain() throws Exception {
        index.apply(new ActionResultRecorded(1, ROLLBACK.decisionId(), ROLLBACK.incidentId(), ROLLBACK.nodeId(),
                "rollback", "page-trigger:pagerduty", 0, "pagerduty", Outcome.APPLIED, "sent", 1, NOW));
        index.apply(new ActionResultRecorded(1, ROLLBACK.decisionId(), ROLLBACK.incidentId(), ROLLBACK.nodeId(),
                "rollback", "set-image", 1, "StatefulSet sei/rpc-0", Outcome.FAILED_RETRYING, "503", 1, NOW));
        runner(config(Map.of()), TargetKind.STATEFULSET).run(ROLLBACK);
        assertThat(executed).as("the page was recorded; the image step was not final")
                .containsExactly("set-image", "delete-pod", "condition", "event", "hold");
    }

    @Test
    void transientFailuresAreRecordedPerAttemptThenTheSuccess() throws Exception {
        script("set-image", new StepOutcome.Retriable("Kubernetes API answered 409: conflict"),
                new StepOutcome.Retriable("Kubernetes API answered 503"), StepOutcome.applied("image a -> b"));
        runner(config(Map.of()), TargetKind.SEINODE).run(UPGRADE);
        assertThat(results()).startsWith("set-image#0=failed-retrying@1", "set-image#0=failed-retrying@2",
                "set-image#0=applied@3");
        assertThat(recorded.get(0).detail()).contains("409").contains("retrying in");
        assertThat(slept).containsExactly(Duration.ofMillis(375), Duration.ofMillis(750));
    }

    @Test
    void exhaustedRetriesFailSkipTheRestOfTheClusterStepsAndPageOnce() throws Exception {
        script("set-image", new StepOutcome.Retriable("503"), new StepOutcome.Retriable("503"),
                new StepOutcome.Retriable("503"));
        runner(config(Map.of()), TargetKind.STATEFULSET).run(UPGRADE);
        assertThat(results()).containsExactly("set-image#0=failed-retrying@1", "set-image#0=failed-retrying@2",
                "set-image#0=failed@3", "failure-page-trigger:pagerduty#5=applied@1");
        assertThat(recorded.get(2).detail()).contains("gave up after 3 attempts");
        assertThat(executed).doesNotContain("delete-pod", "condition", "event");
    }

    @Test
    void aRefusalIsRecordedAndPagedButLaterPagesStillGo() throws Exception {
        script("set-image", new StepOutcome.Refused("image x is not in the repository the node runs"));
        runner(config(Map.of()), TargetKind.STATEFULSET).run(ROLLBACK);
        assertThat(results()).containsExactly("page-trigger:pagerduty#0=applied@1",
                "set-image#1=refused-by-policy@1", "failure-page-trigger:pagerduty#6=applied@1");
    }

    @Test
    void onlyTheFirstFailurePagesAndNonGateFailuresDoNotSkip() throws Exception {
        script("condition", new StepOutcome.Failed("403 forbidden"));
        script("event", new StepOutcome.Failed("403 forbidden"));
        runner(config(Map.of()), TargetKind.DEPLOYMENT).run(UPGRADE);
        assertThat(results()).containsExactly("set-image#0=applied@1", "condition#1=failed@1",
                "failure-page-trigger:pagerduty#4=applied@1", "event#2=failed@1", "hold#3=applied@1");
    }

    @Test
    void aRecordedFailedGateStillSkipsOnReplayAndTheFailurePageIsNotSentTwice() throws Exception {
        script("set-image", new StepOutcome.Failed("image changed meanwhile"));
        runner(config(Map.of()), TargetKind.STATEFULSET).run(UPGRADE);
        executed.clear();
        recorded.clear();
        runner(config(Map.of()), TargetKind.STATEFULSET).run(UPGRADE);
        assertThat(executed).isEmpty();
        assertThat(recorded).isEmpty();
    }

    @Test
    void dryRunRecordsWhatItWouldDoAndTouchesNothing() throws Exception {
        runner(config(Map.of("ACTUATOR_DRY_RUN", "true", "ACTUATOR_NAMESPACES", "other")), TargetKind.STATEFULSET)
                .run(ROLLBACK);
        assertThat(executed).isEmpty();
        assertThat(recorded).extracting(ActionResultRecorded::outcome).containsOnly(Outcome.DRY_RUN);
        assertThat(recorded).hasSize(6);
        assertThat(recorded.get(1).detail()).startsWith("would set image").contains("policy would refuse");
    }

    @Test
    void outOfScopeNamespacesAreRefusedForClusterStepsButStillPaged() throws Exception {
        runner(config(Map.of("ACTUATOR_NAMESPACES", "other")), TargetKind.STATEFULSET).run(AWAIT);
        assertThat(results()).containsExactly("page-trigger:pagerduty#0=applied@1", "condition#1=refused-by-policy@1",
                "failure-page-trigger:pagerduty#3=applied@1", "event#2=refused-by-policy@1");
        assertThat(executed).containsExactly("page-trigger:pagerduty", "failure-page-trigger:pagerduty");
        assertThat(recorded.get(1).detail()).contains("ACTUATOR_NAMESPACES");
    }

    @Test
    void staleDecisionsAreNotActedOnDisruptively() throws Exception {
        DecisionRunner r = new DecisionRunner(config(Map.of("ACTUATOR_MAX_DECISION_AGE", "1h")), index,
                node -> TargetKind.STATEFULSET, (d, s) -> {
                    executed.add(s.name());
                    return StepOutcome.applied("ok");
                }, sink, slept::add, Clock.fixed(SampleEvents.T0.plus(Duration.ofHours(2)), ZoneOffset.UTC),
                () -> 0.5, StepHook.NONE, new ActuatorMetrics(new SimpleMeterRegistry()));
        r.run(UPGRADE);
        assertThat(results()).containsExactly("set-image#0=refused-by-policy@1",
                "failure-page-trigger:pagerduty#5=applied@1");
        assertThat(recorded.get(0).detail()).contains("ACTUATOR_MAX_DECISION_AGE");
    }

    @Test
    void theHookRunsAfterActingAndBeforeRecording() {
        hook = (d, s, o) -> {
            if (s.name().equals("set-image")) {
                throw new SimulatedCrash();
            }
        };
        assertThatThrownBy(() -> runner(config(Map.of()), TargetKind.STATEFULSET).run(ROLLBACK))
                .isInstanceOf(SimulatedCrash.class);
        assertThat(executed).containsExactly("page-trigger:pagerduty", "set-image");
        assertThat(results()).containsExactly("page-trigger:pagerduty#0=applied@1");
    }

    @Test
    void anUnexpectedExceptionFailsTheStepInsteadOfTheActuator() throws Exception {
        DecisionRunner r = new DecisionRunner(config(Map.of()), index, node -> TargetKind.DEPLOYMENT, (d, s) -> {
            if (s.name().equals("condition")) {
                throw new IllegalStateException("bug");
            }
            return StepOutcome.applied("ok");
        }, sink, slept::add, Clock.fixed(NOW, ZoneOffset.UTC), () -> 0.5, StepHook.NONE,
                new ActuatorMetrics(new SimpleMeterRegistry()));
        r.run(UPGRADE);
        assertThat(results()).contains("condition#1=failed@1");
        assertThat(recorded.get(1).detail()).contains("unexpected error").contains("bug");
    }

    @Test
    void withoutPagersPagesAreRecordedAsFailedAndNoFailurePageLoops() throws Exception {
        DecisionRunner r = new DecisionRunner(ActuatorConfig.fromEnv(Map.of()), index, node -> TargetKind.SEINODE,
                (d, s) -> s.name().endsWith(":none") ? new StepOutcome.Failed("no pager configured")
                        : StepOutcome.applied("ok"), sink, slept::add, Clock.fixed(NOW, ZoneOffset.UTC),
                () -> 0.5, StepHook.NONE, new ActuatorMetrics(new SimpleMeterRegistry()));
        r.run(AWAIT);
        assertThat(results()).containsExactly("page-trigger:none#0=failed@1", "condition#1=applied@1",
                "event#2=applied@1");
        assertThat(ActuatorConfig.fromEnv(Map.of()).pagerSinks()).isEqualTo(Set.of());
    }

    @Test
    void aPagesResultIsMadeDurableBeforeTheNextStepActsAndFailedAttemptsBeforeTheBackoffTheRestAtTheEnd()
            throws Exception {
        List<String> log = new ArrayList<>();
        ResultSink sink = new ResultSink() {
            @Override
            public void record(ActionResultRecorded result) {
                log.add("record " + result.step() + "=" + result.outcome().token());
            }

            @Override
            public void hold(OperatorCommandIssued command) {
                log.add("hold " + command.nodeId());
            }

            @Override
            public void flush() {
                log.add("flush");
            }
        };
        Deque<StepOutcome> setImage = new ArrayDeque<>(List.of(new StepOutcome.Retriable("503"),
                StepOutcome.applied("image")));
        StepExecutor executor = (decision, step) -> {
            log.add("act " + step.name());
            return step.name().equals("set-image") && !setImage.isEmpty() ? setImage.poll()
                    : StepOutcome.applied("did " + step.name());
        };
        new DecisionRunner(config(Map.of()), index, node -> TargetKind.STATEFULSET, executor, sink,
                d -> log.add("sleep"), Clock.fixed(NOW, ZoneOffset.UTC), () -> 0.5, StepHook.NONE,
                new ActuatorMetrics(new SimpleMeterRegistry())).run(ROLLBACK);
        assertThat(log).as("the caller commits what is left with the decision's offset").containsExactly(
                "act page-trigger:pagerduty", "record page-trigger:pagerduty=applied", "flush",
                "act set-image", "record set-image=failed-retrying", "flush", "sleep",
                "act set-image", "record set-image=applied",
                "act delete-pod", "record delete-pod=applied",
                "act condition", "record condition=applied",
                "act event", "record event=applied",
                "act hold", "record hold=applied");
    }

    @Test
    void aFailingSessionStopsTheDecisionInsteadOfFailingTheStep() {
        StepExecutor executor = (decision, step) -> {
            throw new RecordingFailedException(new IllegalStateException("broker gone"));
        };
        DecisionRunner r = new DecisionRunner(config(Map.of()), index, node -> TargetKind.STATEFULSET, executor,
                sink, slept::add, Clock.fixed(NOW, ZoneOffset.UTC), () -> 0.5, StepHook.NONE,
                new ActuatorMetrics(new SimpleMeterRegistry()));
        assertThatThrownBy(() -> r.run(UPGRADE)).isInstanceOf(RecordingFailedException.class);
        assertThat(recorded).as("nothing recorded, no failure page").isEmpty();
    }

    /** Stands for the process dying. */
    static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;
    }
}
