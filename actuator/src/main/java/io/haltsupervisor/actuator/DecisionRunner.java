package io.haltsupervisor.actuator;

import io.haltsupervisor.actuator.plan.PagerSink;
import io.haltsupervisor.actuator.plan.Plan;
import io.haltsupervisor.actuator.plan.Step;
import io.haltsupervisor.actuator.plan.Step.DeletePod;
import io.haltsupervisor.actuator.plan.Step.PageStep;
import io.haltsupervisor.actuator.plan.StepPlanner;
import io.haltsupervisor.actuator.plan.TargetKind;
import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one decision: plans it, then for each step in order — skip it when the action-results topic already
 * holds a final outcome for {@code (decisionId, step)}; else check policy, attempt it (with backoff on
 * transient failures, recording {@code failed-retrying} per failed attempt), and record the final outcome.
 * A gate step (image, pod deletion, quarantine, release) that fails or is refused skips the remaining
 * cluster steps; any failure or refusal raises one {@code action-failed} page per sink. Results go to the
 * {@link ResultSink}, which is flushed (made durable) right after every page step's final result — before the
 * decision's next step acts — and before every backoff; the rest are made durable with the decision's offset by
 * the caller, once {@link #run} returns. A cluster step whose result is lost in a crash is run again and finds its
 * change made; a page whose result is lost is sent again, with the same dedup key ({@code DESIGN.md}, "Concurrency").
 */
final class DecisionRunner {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionRunner.class);
    /** Who the hold recorded after a revert is by: the actuator's principal name in the default ACLs. */
    static final String HOLD_BY = Acls.ACTUATOR;

    private final ActuatorConfig config;
    private final ResultsIndex index;
    private final Function<String, TargetKind> kindOf;
    private final StepExecutor executor;
    private final ResultSink sink;
    private final Sleeper sleeper;
    private final Clock clock;
    private final DoubleSupplier random;
    private final StepHook hook;
    private final ActuatorMetrics metrics;
    private final Set<PagerSink> sinks;

    DecisionRunner(ActuatorConfig config, ResultsIndex index, Function<String, TargetKind> kindOf,
            StepExecutor executor, ResultSink sink, Sleeper sleeper, Clock clock,
            DoubleSupplier random, StepHook hook, ActuatorMetrics metrics) {
        this.config = config;
        this.index = index;
        this.kindOf = kindOf;
        this.executor = executor;
        this.sink = sink;
        this.sleeper = sleeper;
        this.clock = clock;
        this.random = random;
        this.hook = hook;
        this.metrics = metrics;
        this.sinks = config.pagerSinks();
    }

    /** Runs {@code decision}'s plan to the end (every step recorded, or skipped after a failed gate). */
    void run(Decision decision) throws InterruptedException {
        metrics.decision(decision.kind());
        TargetKind kind = decision.nodeId() == null ? TargetKind.FLEET : kindOf.apply(decision.nodeId());
        // resolves and acknowledgements go only to the pages this incident's earlier decisions triggered
        Plan plan = StepPlanner.plan(decision, kind, sinks,
                index.pagesTriggered(decision.incidentId(), decision.decisionId()),
                index.reverts(decision.incidentId(), decision.nodeId()));
        LOG.info("Decision {} ({}) for node {} incident {}: {} step(s) on {}{}", decision.decisionId(),
                decision.kind(), node(decision), decision.incidentId(), plan.steps().size(), kind,
                config.dryRun() ? " [dry-run]" : "");
        boolean gateFailed = false;
        boolean failurePaged = false;
        List<Step> steps = plan.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            Optional<Outcome> recorded = index.finalOutcome(decision.decisionId(), step.name());
            Outcome outcome;
            String detail;
            if (recorded.isPresent()) {
                outcome = recorded.get();
                detail = "recorded earlier as " + outcome.token();
                LOG.info("Decision {} step {} already recorded as {}: not run again (node {}, incident {})",
                        decision.decisionId(), step.name(), outcome.token(), node(decision), decision.incidentId());
            } else if (gateFailed && step.changesCluster()) {
                metrics.skippedStep(decision.kind(), step.name());
                LOG.warn("Decision {} step {} skipped: an earlier step failed or was refused (node {}, incident {})",
                        decision.decisionId(), step.name(), node(decision), decision.incidentId());
                continue;
            } else {
                ActionResultRecorded last = execute(decision, plan, step, i);
                outcome = last.outcome();
                detail = last.detail();
                if (outcome == Outcome.REVERTED) {
                    // with the result, in its transaction: a re-run finds the result and records no second hold
                    sink.hold(revertHold(decision, step, detail, clock.instant()));
                }
            }
            if (outcome == Outcome.REVERTED) {
                // another writer set the change back: its own page at once, not an action-failed one, and the node
                // held for a human (docs/requirements.md §4.3)
                raisePages(decision, plan, StepPlanner.revertedPages(decision, step, detail, sinks));
            } else if (outcome == Outcome.FAILED || outcome == Outcome.REFUSED_BY_POLICY) {
                if (step.gate()) {
                    gateFailed = true;
                }
                if (!failurePaged) {
                    failurePaged = true;
                    raiseFailurePage(decision, plan, step, detail);
                }
            }
        }
    }

    /**
     * The {@code hold} the actuator records when {@code step}'s change was set back by another writer: audited like an
     * operator's (by {@value #HOLD_BY}), it keeps the decider from acting on the node again until a human's
     * {@code release}. Its id is derived from the decision and step, so the same revert always names the same command.
     */
    static OperatorCommandIssued revertHold(Decision decision, Step step, String detail, Instant at) {
        String id = UUID.nameUUIDFromBytes(("reverted:" + decision.decisionId() + ":" + step.name())
                .getBytes(StandardCharsets.UTF_8)).toString();
        return OperatorCommandIssued.forNode(id, decision.nodeId(), OperatorCommandIssued.Command.HOLD, HOLD_BY,
                "the change of " + decision.decisionId() + " (step " + step.name() + ") did not hold: " + detail,
                at);
    }

    private void raiseFailurePage(Decision decision, Plan plan, Step failed, String detail)
            throws InterruptedException {
        raisePages(decision, plan, StepPlanner.failurePages(decision, failed, detail, sinks));
    }

    private void raisePages(Decision decision, Plan plan, List<PageStep> pages) throws InterruptedException {
        for (int j = 0; j < pages.size(); j++) {
            PageStep page = pages.get(j);
            if (index.finalOutcome(decision.decisionId(), page.name()).isPresent()) {
                continue;
            }
            execute(decision, plan, page, plan.steps().size() + j);
        }
    }

    /** Attempts {@code step} until a final outcome, recording every attempt's result; returns the last. */
    private ActionResultRecorded execute(Decision decision, Plan plan, Step step, int stepIndex)
            throws InterruptedException {
        String target = target(decision, plan, step);
        if (config.dryRun()) {
            Optional<String> wouldRefuse = policyRefusal(decision, step);
            return record(decision, step, stepIndex, target, Outcome.DRY_RUN, "would " + step.describe()
                    + wouldRefuse.map(r -> " — but policy would refuse: " + r).orElse(""), 1, Duration.ZERO);
        }
        Optional<String> refused = policyRefusal(decision, step);
        if (refused.isPresent()) {
            return record(decision, step, stepIndex, target, Outcome.REFUSED_BY_POLICY, refused.get(), 1,
                    Duration.ZERO);
        }
        ActionResultRecorded last = attemptUntilFinal(decision, step, stepIndex, target);
        if (step instanceof PageStep) {
            sink.flush(); // a page's result is durable before the decision's next step acts
        }
        return last;
    }

    private ActionResultRecorded attemptUntilFinal(Decision decision, Step step, int stepIndex, String target)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            long start = System.nanoTime();
            StepOutcome result = attempt(decision, step);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            hook.afterAttempt(decision, step, result);
            if (result instanceof StepOutcome.Done done) {
                return record(decision, step, stepIndex, target, done.outcome(), done.detail(), attempt, took);
            }
            if (result instanceof StepOutcome.Reverted r) {
                return record(decision, step, stepIndex, target, Outcome.REVERTED, r.detail(), attempt, took);
            }
            if (result instanceof StepOutcome.Refused r) {
                return record(decision, step, stepIndex, target, Outcome.REFUSED_BY_POLICY, r.detail(), attempt, took);
            }
            if (result instanceof StepOutcome.Retriable r && config.retry().retriesAfter(attempt)) {
                Duration backoff = config.retry().backoff(attempt, random);
                record(decision, step, stepIndex, target, Outcome.FAILED_RETRYING,
                        r.detail() + "; retrying in " + backoff.toMillis() + " ms", attempt, took);
                sink.flush(); // the failed attempts show while the step waits (and a timed-out page is recorded)
                sleeper.sleep(backoff);
                continue;
            }
            String why = result instanceof StepOutcome.Retriable ? result.detail() + " (gave up after " + attempt
                    + " attempts)" : result.detail();
            return record(decision, step, stepIndex, target, Outcome.FAILED, why, attempt, took);
        }
    }

    private StepOutcome attempt(Decision decision, Step step) throws InterruptedException {
        try {
            return executor.execute(decision, step);
        } catch (RecordingFailedException e) {
            throw e; // the session is failing: act on nothing more
        } catch (RuntimeException e) {
            LOG.error("Decision {} step {} hit an unexpected error (node {}, incident {})", decision.decisionId(),
                    step.name(), node(decision), decision.incidentId(), e);
            return new StepOutcome.Failed("unexpected error: " + e);
        }
    }

    private Optional<String> policyRefusal(Decision decision, Step step) {
        if (!step.changesCluster()) {
            return Optional.empty();
        }
        Optional<String> namespace = config.policy().refuseNamespace(decision.nodeId());
        if (namespace.isPresent()) {
            return namespace;
        }
        if (step.disruptive()) {
            return config.policy().refuseStale(decision.decidedAt(), clock.instant());
        }
        return Optional.empty();
    }

    private ActionResultRecorded record(Decision decision, Step step, int stepIndex, String target, Outcome outcome,
            String detail, int attempt, Duration took) {
        ActionResultRecorded result = new ActionResultRecorded(ActionResultRecorded.SCHEMA_VERSION,
                decision.decisionId(), decision.incidentId(), decision.nodeId(), decision.kind(), step.name(),
                stepIndex, target, outcome, detail, attempt, clock.instant());
        sink.record(result);
        index.apply(result);
        metrics.step(decision.kind(), step.name(), outcome.token(), took);
        String line = "Decision {} step {} [{}] on {}: {} (attempt {}) — {} (node {}, incident {})";
        Object[] args = {decision.decisionId(), step.name(), stepIndex, target, outcome.token(), attempt, detail,
            node(decision), decision.incidentId()};
        if (outcome == Outcome.FAILED || outcome == Outcome.REFUSED_BY_POLICY || outcome == Outcome.REVERTED) {
            LOG.error(line, args);
        } else if (outcome == Outcome.FAILED_RETRYING) {
            LOG.warn(line, args);
        } else {
            LOG.info(line, args);
        }
        return result;
    }

    private static String target(Decision decision, Plan plan, Step step) {
        if (step instanceof PageStep page) {
            return page.sink().token();
        }
        String namespace = decision.nodeId().substring(0, decision.nodeId().indexOf('/'));
        if (step instanceof DeletePod pod) {
            return "Pod " + namespace + "/" + pod.podName();
        }
        return plan.targetKind() == TargetKind.MISSING ? "node " + decision.nodeId()
                : plan.targetKind().display() + " " + decision.nodeId();
    }

    private static String node(Decision decision) {
        return decision.nodeId() == null ? "(fleet)" : decision.nodeId();
    }
}
