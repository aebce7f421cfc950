package io.haltsupervisor.decider.core;

import io.haltsupervisor.decider.DeciderConfig;

import io.haltsupervisor.decider.core.NodeState.DecisionState;
import io.haltsupervisor.decider.core.NodeState.HaltIdentity;
import io.haltsupervisor.decider.core.NodeState.Incident;
import io.haltsupervisor.decider.core.NodeState.Phase;
import io.haltsupervisor.decider.core.NodeState.PodInfo;
import io.haltsupervisor.decider.core.NodeState.ResolvedSummary;
import io.haltsupervisor.decider.core.NodeState.TimerKind;
import io.haltsupervisor.decider.core.NodeState.TimerState;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Decision.ImageMappingRef;
import io.haltsupervisor.schemas.Decision.PageReason;
import io.haltsupervisor.schemas.Decision.Severity;
import io.haltsupervisor.schemas.Decision.WaitReason;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.NodeObservation;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.ObservationSource;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.ShutdownReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The per-node incident state machine (docs/requirements.md §3) as plain functions: {@code (state, input, time) →
 * (state', decisions)}. No Kafka, no clock: every instant comes from the caller (a record timestamp
 * or a timer's due time), so the same inputs always give the same outputs, ids included.
 *
 * <p>Decision ids are {@code incidentId/kind/seq}, {@code seq} counting the incident's decisions;
 * operator decisions are {@code incidentId/operator/commandId}.
 */
public final class NodeStateMachine {

    /** What a decision may look up beyond the node's own state. */
    public interface Env {
        /** The mapping for {@code plan}, as this task knows it now. */
        Optional<ImageMappingChanged> mapping(String plan);

        /**
         * The mapping with the smallest upgrade height at or above {@code height} (ties: the first plan
         * name), or empty. A node that halts with 70 halted at the first upgrade past its last committed
         * block that its binary cannot handle, so for a node last seen at height {@code h} this is the
         * plan it most likely halted for — if the node can have got there ({@link HeightRule}).
         */
        Optional<ImageMappingChanged> firstMappingFrom(long height);

        /** The fleet hold incident id when the fleet breaker is open. */
        Optional<String> fleetHold();
    }

    /**
     * The outcome of one input.
     *
     * @param state       the node's new state ({@code ==} the old one when nothing changed)
     * @param decisions   decisions to emit, in order
     * @param fleetEvents what the fleet breaker must hear
     * @param note        what happened, for the log (folded, ignored, …)
     */
    public record Transition(NodeState state, List<Decision> decisions, List<FleetEvent> fleetEvents, String note) {
        static Transition unchanged(NodeState state, String note) {
            return new Transition(state, List.of(), List.of(), note);
        }
    }

    private final Duration grace;
    private final Duration dedupeRetention;
    private final HeightRule heightRule;

    public NodeStateMachine(Duration graceWindow, Duration dedupeRetention, HeightRule heightRule) {
        this.grace = graceWindow;
        this.dedupeRetention = dedupeRetention;
        this.heightRule = heightRule;
    }

    /**
     * When a mapping's upgrade height can be the plan of a 70 seen only by exit code: the node, last seen at
     * height {@code h} at time {@code seenAt}, must have been able to commit the blocks up to the upgrade height
     * (height − 1 − h of them) before it exited at {@code haltedAt}, producing at most one block per
     * {@code minBlockTime} over that interval plus {@code margin}. Otherwise the mapping is not the plan (a
     * node last seen eleven million blocks below it did not get there in minutes), and the incident waits
     * with {@code PlanUnknown}. Times come from the records, so the rule is deterministic.
     */
    public record HeightRule(Duration minBlockTime, Duration margin) {
        public HeightRule {
            Objects.requireNonNull(minBlockTime, "minBlockTime");
            Objects.requireNonNull(margin, "margin");
            if (minBlockTime.isZero() || minBlockTime.isNegative()) {
                throw new IllegalArgumentException("minBlockTime must be positive, got " + minBlockTime);
            }
        }

        /** The rule with the decider's settings ({@code DECIDER_MIN_BLOCK_TIME}, {@code DECIDER_HEIGHT_MARGIN}). */
        public static HeightRule of(DeciderConfig config) {
            return new HeightRule(config.minBlockTime(), config.heightMargin());
        }

        /** True when a node seen at {@code height} at {@code seenAt} can have reached {@code upgradeHeight}. */
        public boolean reachable(long height, Instant seenAt, Long upgradeHeight, Instant haltedAt) {
            if (upgradeHeight == null || seenAt == null || haltedAt == null) {
                return false;
            }
            long needed = upgradeHeight - 1 - height;
            if (needed <= 0) {
                return true;
            }
            Duration window = Duration.between(seenAt, haltedAt);
            if (window.isNegative()) {
                window = Duration.ZERO;
            }
            long possible = window.plus(margin).toNanos() / minBlockTime.toNanos();
            return needed <= possible;
        }

        /** The most blocks a node can produce in {@code window} under this rule (for messages and docs). */
        public long blocksIn(Duration window) {
            return window.plus(margin).toNanos() / minBlockTime.toNanos();
        }
    }

    // ------------------------------------------------------------------ halts

    /** A halt observation (status intent or exit code). */
    public Transition onHalt(NodeState current, HaltObserved h, long ts, Env env) {
        NodeState s = current == null ? NodeState.initial(h.nodeId()) : current;
        Incident open = s.open();
        Instant eventTime = eventTime(h);
        if (open == null) {
            ResolvedSummary last = s.lastResolved();
            if (last != null && last.covers(h, eventTime)) {
                return Transition.unchanged(current, "late observation of resolved incident " + last.incidentId());
            }
            return openIncident(remember(s, h), h, ts, env, List.of());
        }
        if (open.quarantinedUnreleased()) {
            return fold(s, open, h, "folded into quarantined incident");
        }
        if (!sameHalt(open, h)) {
            if (eventTime.isBefore(open.openedAt())) {
                return Transition.unchanged(current, "late observation from before incident " + open.id());
            }
            return supersede(remember(s, h), open, h, ts, env,
                    "superseded by a new halt (code " + h.reasonCode() + ")");
        }
        if (open.released() && open.halt().isNew(h) && eventTime.isAfter(open.releasedAt())) {
            return supersede(remember(s, h), open, h, ts, env, "halted again after operator release");
        }
        // the same halt: fold; a status observation may tell an exit-code incident its plan
        if (open.planName() == null && h.planName() != null) {
            Incident learned = open.withHalt(open.halt().merge(h))
                    .withPlan(h.planName(), "intent", h.intent().height());
            NodeState s2 = remember(s, h).withOpen(learned);
            if (learned.phase() == Phase.AWAITING_MAPPING) {
                return redecide(s2, learned, ts, env, "plan " + h.planName() + " learned from halt_intent");
            }
            return new Transition(s2, List.of(), List.of(), "plan learned");
        }
        return fold(s, open, h, "folded");
    }

    private Transition fold(NodeState s, Incident open, HaltObserved h, String note) {
        HaltIdentity merged = open.halt().merge(h);
        NodeState next = remember(s, h);
        if (merged != open.halt()) {
            next = next.withOpen(open.withHalt(merged));
        }
        return Transition.unchanged(next, note + " into " + open.id());
    }

    /** Keeps what a halt observation says about the node itself (intent, height). */
    private static NodeState remember(NodeState s, HaltObserved h) {
        NodeState next = s.withBlockHeight(h.latestBlockHeight(), h.observedAt());
        if (h.source() == ObservationSource.STATUS) {
            next = next.withLastIntent(h.intent());
        }
        return next;
    }

    private static boolean sameHalt(Incident open, HaltObserved h) {
        if (h.reasonCode() != open.reasonCode()) {
            return false;
        }
        return open.planName() == null || h.planName() == null || open.planName().equals(h.planName());
    }

    private Transition openIncident(NodeState s, HaltObserved h, long ts, Env env, List<Decision> before) {
        int number = s.incidentCount() + 1;
        String id = s.nodeId() + "#" + number;
        HaltIntent intent = h.intent();
        Incident incident = new Incident(id, number, h.reasonCode(), h.planName(),
                h.planName() == null ? null : "intent", intent == null ? null : intent.height(),
                Instant.ofEpochMilli(ts), HaltIdentity.of(h, s.pod()), 0, null, TimerState.NONE, false, false,
                null, eventTime(h));
        Decided d = decide(s.withIncidentCount(number), incident, ts, env);
        List<Decision> decisions = new ArrayList<>(before);
        decisions.add(d.decision());
        List<FleetEvent> fleet = h.reasonCode() == ShutdownReason.EXIT_CODE_BINARY_TOO_NEW
                || h.reasonCode() == ShutdownReason.EXIT_CODE_DOWNGRADE_DETECTED
                        ? List.of(new FleetEvent.Tripped(s.nodeId(), id, h.reasonCode(), ts))
                        : List.of();
        return new Transition(d.state().withOpen(d.incident()), decisions, fleet, "opened " + id);
    }

    private Transition supersede(NodeState s, Incident open, HaltObserved h, long ts, Env env, String resolution) {
        Decision resolved = resolveDecision(open, ts, s.currentImage(), resolution);
        // not a recovery: the node has not been healthy since, so its last intent still counts
        NodeState closed = s.withResolved(summary(open, ts, resolution)).withLastIntent(s.lastIntent());
        return openIncident(closed, h, ts, env, List.of(resolved));
    }

    // ------------------------------------------------------------------ deciding

    private record Decided(NodeState state, Incident incident, Decision decision) {
    }

    private Decided decide(NodeState s, Incident inc, long ts, Env env) {
        Instant at = Instant.ofEpochMilli(ts);
        int code = inc.reasonCode();
        String node = s.nodeId();
        String id = inc.id();
        Optional<String> fleetHold = env.fleetHold();
        if (code == ShutdownReason.EXIT_CODE_UPGRADE_REQUIRED) {
            String plan = inc.planName();
            String source = inc.planSource();
            Long height = inc.haltHeight();
            if (plan == null && s.lastIntent() != null && s.lastIntent().reason() == code
                    && s.lastIntent().planName() != null) {
                plan = s.lastIntent().planName();
                source = "last-intent";
                height = s.lastIntent().height();
            }
            Instant haltedAt = inc.haltedAt() != null ? inc.haltedAt() : inc.openedAt();
            if (plan == null && s.lastBlockHeight() != null) {
                Optional<ImageMappingChanged> byHeight = env.firstMappingFrom(s.lastBlockHeight() + 1)
                        .filter(m -> heightRule.reachable(s.lastBlockHeight(), s.lastBlockHeightAt(),
                                m.upgradeHeight(), haltedAt));
                if (byHeight.isPresent()) {
                    plan = byHeight.get().plan();
                    source = "height";
                    height = byHeight.get().upgradeHeight();
                }
            }
            if (plan != null && inc.planName() == null) {
                inc = inc.withPlan(plan, source, height);
            }
            if (s.hold()) {
                return page(s, inc, at, Severity.error, PageReason.NodeOnHold,
                        describe(inc) + " while the node is on hold: no automatic action");
            }
            if (plan == null) {
                String key = s.lastBlockHeight() == null ? null : WaitKeys.height(s.lastBlockHeight() + 1);
                return await(s, inc, at, WaitReason.PlanUnknown, key);
            }
            Optional<ImageMappingChanged> mapping = env.mapping(plan);
            if (mapping.isEmpty()) {
                return await(s, inc, at, WaitReason.ImageMappingMissing, WaitKeys.plan(plan));
            }
            String target = mapping.get().image();
            if (s.refusedImages().contains(target)) {
                return page(s, inc, at, Severity.critical, PageReason.TooNewImageRefused,
                        describe(inc) + ": mapped image " + target + " halted this node as too new before;"
                                + " it is never applied automatically again");
            }
            if (fleetHold.isPresent()) {
                return page(s, inc, at, Severity.error, PageReason.FleetHoldActive,
                        describe(inc) + ": fleet breaker " + fleetHold.get() + " is open; upgrade to " + target
                                + " not applied");
            }
            String previous = inc.halt().image() != null ? inc.halt().image() : s.currentImage();
            Decision d = new Decision.UpgradeDecided(Decision.SCHEMA_VERSION, decisionId(inc, "upgrade"), id, node,
                    at, code, plan, target, previous, ImageMappingRef.of(mapping.get()), podName(s, inc),
                    podUid(s, inc));
            return decided(s, inc, d, Phase.UPGRADING, target, ImageMappingRef.of(mapping.get()), null, null, null,
                    ts, true);
        }
        if (code == ShutdownReason.EXIT_CODE_BINARY_TOO_NEW) {
            String tooNew = inc.halt().image() != null ? inc.halt().image() : s.currentImage();
            NodeState refused = s.withRefusedImage(tooNew);
            if (tooNew == null) {
                return page(refused, inc, at, Severity.critical, PageReason.NoPreviousImage,
                        describe(inc) + ": the image that halted is unknown, so no previous image can be told"
                                + " apart from it; no rollback");
            }
            if (s.hold()) {
                return page(refused, inc, at, Severity.critical, PageReason.NodeOnHold,
                        describe(inc) + " while the node is on hold: no rollback");
            }
            if (fleetHold.isPresent()) {
                return page(refused, inc, at, Severity.critical, PageReason.FleetHoldActive,
                        describe(inc) + ": fleet breaker " + fleetHold.get() + " is open; no rollback");
            }
            // the last image seen running ready; else, for a SeiNode, the image its controller still reports as
            // current (status.currentImage is stamped only once a new image runs, so during the update plan that
            // brought the too-new image it names the image before: known even if we never saw it run)
            String previous = refused.healthyImages().stream()
                    .filter(i -> !i.equals(tooNew) && !refused.refusedImages().contains(i))
                    .findFirst()
                    .or(() -> Optional.ofNullable(refused.controllerImage())
                            .filter(i -> !i.equals(tooNew) && !refused.refusedImages().contains(i)))
                    .orElse(null);
            if (previous == null) {
                return page(refused, inc, at, Severity.critical, PageReason.NoPreviousImage,
                        describe(inc) + ": no previous running image known for the node; no rollback");
            }
            Decision d = new Decision.RollbackDecided(Decision.SCHEMA_VERSION, decisionId(inc, "rollback"), id, node,
                    at, code, inc.planName(), previous, tooNew, podName(s, inc), podUid(s, inc));
            return decided(refused, inc, d, Phase.ROLLING_BACK, previous, null, null, null, null, ts, true);
        }
        if (code == ShutdownReason.EXIT_CODE_DOWNGRADE_DETECTED) {
            if (s.hold()) {
                return page(s, inc, at, Severity.critical, PageReason.NodeOnHold,
                        describe(inc) + " while the node is on hold: not quarantined automatically");
            }
            String image = inc.halt().image() != null ? inc.halt().image() : s.currentImage();
            Decision d = new Decision.QuarantineDecided(Decision.SCHEMA_VERSION, decisionId(inc, "quarantine"), id,
                    node, at, code, inc.planName(), image, podName(s, inc), podUid(s, inc));
            return decided(s, inc, d, Phase.QUARANTINED, null, null, null, null, null, ts, false);
        }
        if (code == ShutdownReason.UNKNOWN.code()) {
            // sei-config's ShutdownReasonUnknown in a halt_intent: the node halts gracefully without saying why
            return page(s, inc, at, Severity.error, PageReason.UnrecognisedHalt,
                    "graceful but unrecognised halt: halt_intent reason 0 (unknown)"
                            + (inc.planName() == null ? "" : ", plan " + inc.planName())
                            + ": the node gave no reason to act on; no automatic action");
        }
        return page(s, inc, at, Severity.error, PageReason.UnrecognisedHalt,
                "graceful but unrecognised halt code " + code + " (" + ShutdownReason.ofCode(code).token()
                        + "): no automatic action");
    }

    private Decided page(NodeState s, Incident inc, Instant at, Severity severity, PageReason reason, String summary) {
        Decision d = new Decision.HaltPaged(Decision.SCHEMA_VERSION, decisionId(inc, "page"), inc.id(), s.nodeId(),
                at, inc.reasonCode(), inc.planName(), severity, reason, summary);
        return decided(s, inc, d, Phase.PAGED, null, null, null, null, reason, at.toEpochMilli(), false);
    }

    private Decided await(NodeState s, Incident inc, Instant at, WaitReason reason, String waitKey) {
        Decision d = new Decision.MappingAwaited(Decision.SCHEMA_VERSION, decisionId(inc, "await-mapping"),
                inc.id(), s.nodeId(), at, inc.reasonCode(), inc.planName(), reason, podName(s, inc));
        return decided(s, inc, d, Phase.AWAITING_MAPPING, null, null, reason, waitKey, null, at.toEpochMilli(), true);
    }

    private Decided decided(NodeState s, Incident inc, Decision d, Phase phase, String target, ImageMappingRef mapping,
            WaitReason waitReason, String waitKey, PageReason pageReason, long ts, boolean armTimer) {
        DecisionState state = new DecisionState(phase, d.kind(), d.decisionId(), d.decidedAt(), target, mapping,
                waitReason, waitKey, pageReason);
        TimerState timer = inc.timer().cancelled();
        if (armTimer && !s.hold()) {
            long due = ts + grace.toMillis();
            if (!timer.terminated()) {
                timer = new TimerState(TimerKind.TERMINATE, due, false, timer.escalated());
            } else if (!timer.escalated()) {
                timer = new TimerState(TimerKind.ESCALATE, due, true, false);
            }
        }
        return new Decided(s, inc.withDecision(state, timer), d);
    }

    private static String decisionId(Incident inc, String kind) {
        return inc.id() + "/" + kind + "/" + inc.seq();
    }

    /** Decides an awaiting incident again (a mapping or its plan arrived); emits nothing if nothing changes. */
    private Transition redecide(NodeState s, Incident inc, long ts, Env env, String why) {
        Decided d = decide(s, inc, ts, env);
        if (d.decision() instanceof Decision.MappingAwaited again && inc.decision() != null
                && again.waitReason() == inc.decision().waitReason()
                && Objects.equals(d.incident().waitKey(), inc.waitKey())
                && Objects.equals(again.planName(), inc.planName())) {
            return Transition.unchanged(s, "still awaiting a mapping");
        }
        return new Transition(d.state().withOpen(d.incident()), List.of(d.decision()), List.of(), why);
    }

    /** A mapping this node's incident waits for is now known. */
    public Transition onMappingAvailable(NodeState s, long ts, Env env) {
        Incident inc = s == null ? null : s.open();
        if (inc == null || inc.phase() != Phase.AWAITING_MAPPING) {
            return Transition.unchanged(s, "not awaiting a mapping");
        }
        return redecide(s, inc, ts, env, "mapping arrived");
    }

    // ------------------------------------------------------------------ node observations

    /**
     * A node observation: updates what is known of the pod and height, and resolves the open incident
     * when the node is observed healthy (see the package doc for the exact rule).
     */
    public Transition onObservation(NodeState current, NodeObservation o, long ts) {
        NodeState s = current == null ? NodeState.initial(o.nodeId()) : current;
        boolean healthy;
        boolean fresh;
        String image;
        if (o instanceof PodStateObserved p) {
            s = s.withPod(PodInfo.of(p, s.pod()));
            healthy = p.ready() && !p.deleted();
            image = p.image();
            fresh = s.open() == null || freshRun(s.open().halt(), p);
        } else if (o instanceof NodeStatusObserved st) {
            s = s.withBlockHeight(st.latestBlockHeight(), st.observedAt());
            healthy = st.change() == NodeStatusObserved.Change.RECOVERED;
            image = s.currentImage();
            fresh = true;
        } else {
            throw new IllegalStateException("unknown node observation " + o.getClass());
        }
        s = expireDedupe(s, ts);
        List<Decision> decisions = new ArrayList<>(1);
        String note = "observed";
        Incident inc = s.open();
        if (inc != null && healthy && fresh && resolvable(inc, image)) {
            String resolution = inc.released() ? "healthy after operator release"
                    : inc.targetImage() != null ? "running target image " + inc.targetImage()
                    : "healthy again";
            decisions.add(resolveDecision(inc, ts, image, resolution));
            s = s.withResolved(summary(inc, ts, resolution));
            note = "resolved " + inc.id();
        }
        if (s.open() == null && o instanceof PodStateObserved p && p.ready() && !p.deleted()) {
            s = s.withHealthyImage(p.image());
        }
        return new Transition(s.equals(current) ? current : s, decisions, List.of(), note);
    }

    /** A pod observation shows a run that is not the one that halted. */
    private static boolean freshRun(HaltIdentity halt, PodStateObserved p) {
        if (halt.podUid() != null && p.podUid() != null && !halt.podUid().equals(p.podUid())) {
            return true;
        }
        if (halt.restartCount() != null && p.restartCount() > halt.restartCount()) {
            return true;
        }
        return halt.image() != null && !halt.image().equals(p.image());
    }

    private static boolean resolvable(Incident inc, String image) {
        if (inc.quarantinedUnreleased()) {
            return false;
        }
        if (inc.released()) {
            return true;
        }
        if (inc.targetImage() != null) {
            return inc.targetImage().equals(image);
        }
        return true;
    }

    private NodeState expireDedupe(NodeState s, long ts) {
        ResolvedSummary last = s.lastResolved();
        if (last != null && (!last.containerIds().isEmpty() || !last.announcedAts().isEmpty())
                && ts - last.resolvedAt().toEpochMilli() > dedupeRetention.toMillis()) {
            return new NodeState(s.nodeId(), s.incidentCount(), s.open(), last.forgetIdentities(), s.pod(),
                    s.healthyImages(), s.refusedImages(), s.lastBlockHeight(), s.lastIntent(), s.hold(),
                    s.recentCommands(), s.lastBlockHeightAt());
        }
        return s;
    }

    private static Decision resolveDecision(Incident inc, long ts, String image, String resolution) {
        return new Decision.IncidentResolved(Decision.SCHEMA_VERSION, decisionId(inc, "resolve"), inc.id(),
                nodeOf(inc), Instant.ofEpochMilli(ts), inc.reasonCode(), inc.planName(), image, inc.openedAt(),
                resolution);
    }

    private static ResolvedSummary summary(Incident inc, long ts, String resolution) {
        return new ResolvedSummary(inc.id(), inc.reasonCode(), inc.planName(), inc.openedAt(),
                Instant.ofEpochMilli(ts), resolution, inc.halt().containerIds(), inc.halt().announcedAts());
    }

    private static String nodeOf(Incident inc) {
        return inc.id().substring(0, inc.id().lastIndexOf('#'));
    }

    // ------------------------------------------------------------------ operators

    /** An operator command for this node ({@code ack}, {@code hold}, {@code release}, {@code retry}). */
    public Transition onCommand(NodeState current, OperatorCommandIssued c, long ts, Env env) {
        NodeState s = current == null ? NodeState.initial(c.nodeId()) : current;
        if (s.recentCommands().contains(c.commandId())) {
            return Transition.unchanged(current, "repeated command " + c.commandId() + " ignored");
        }
        s = s.withCommand(c.commandId());
        Incident inc = s.open();
        String incidentId = inc == null ? s.nodeId() + "#none" : inc.id();
        Instant at = Instant.ofEpochMilli(ts);
        boolean releasedQuarantine = false;
        String effect;
        Decision followUp = null;
        switch (c.command()) {
            case ACK -> {
                if (inc == null) {
                    effect = "no open incident to acknowledge";
                } else {
                    Incident acked = inc.withAcked();
                    if (acked.timer().kind() == TimerKind.ESCALATE) {
                        acked = acked.withTimer(acked.timer().cancelled());
                    }
                    s = s.withOpen(acked);
                    effect = "page acknowledged; automation continues";
                }
            }
            case HOLD -> {
                effect = s.hold() ? "node already on hold" : "node on hold: no automatic action until release";
                s = s.withHold(true);
                if (inc != null && inc.timer().pending()) {
                    s = s.withOpen(inc.withTimer(inc.timer().cancelled()));
                }
            }
            case RELEASE -> {
                boolean wasHeld = s.hold();
                releasedQuarantine = inc != null && inc.quarantinedUnreleased();
                s = s.withHold(false);
                if (inc != null) {
                    s = s.withOpen(inc.withReleased(at));
                }
                List<String> parts = new ArrayList<>();
                if (wasHeld) {
                    parts.add("hold lifted");
                }
                if (releasedQuarantine) {
                    parts.add("quarantine released");
                }
                if (inc != null) {
                    parts.add("incident resolves when the node runs healthy on any image");
                }
                effect = parts.isEmpty() ? "nothing to release" : String.join("; ", parts);
            }
            case RETRY -> {
                if (inc == null) {
                    effect = "no open incident to retry";
                } else {
                    Incident fresh = inc.withTimer(TimerState.NONE);
                    Decided d = decide(s, fresh, ts, env);
                    s = d.state().withOpen(d.incident());
                    followUp = d.decision();
                    effect = "incident decided again: " + followUp.kind() + " " + followUp.decisionId();
                }
            }
            default -> throw new IllegalStateException("unknown command " + c.command());
        }
        List<Decision> decisions = new ArrayList<>(2);
        decisions.add(new Decision.OperatorCommandApplied(Decision.SCHEMA_VERSION,
                incidentId + "/operator/" + c.commandId(), incidentId, s.nodeId(), at, c.commandId(), c.command(),
                c.by(), c.reason(), releasedQuarantine, effect));
        if (followUp != null) {
            decisions.add(followUp);
        }
        return new Transition(s, decisions, List.of(), c.command().token() + " by " + c.by());
    }

    // ------------------------------------------------------------------ timers

    /**
     * The incident's timer due at {@code dueAtMs} fired (wall-clock punctuation or record time passing it).
     * A timer that no longer matches the open incident is ignored.
     */
    public Transition onTimer(NodeState s, long dueAtMs) {
        Incident inc = s == null ? null : s.open();
        if (inc == null || !inc.timer().pending() || inc.timer().dueAtMs() != dueAtMs) {
            return Transition.unchanged(s, "stale timer");
        }
        Instant at = Instant.ofEpochMilli(dueAtMs);
        TimerState timer = inc.timer();
        if (timer.kind() == TimerKind.TERMINATE) {
            String podName = s.pod() != null && !s.pod().deleted() ? s.pod().podName() : inc.halt().podName();
            String podUid = s.pod() != null && !s.pod().deleted() ? s.pod().podUid() : inc.halt().podUid();
            Decision d = new Decision.PodTerminationDecided(Decision.SCHEMA_VERSION, decisionId(inc, "terminate"),
                    inc.id(), s.nodeId(), at, podName, podUid, grace.toSeconds());
            TimerState next = new TimerState(TimerKind.ESCALATE, dueAtMs + grace.toMillis(), true, timer.escalated());
            return new Transition(s.withOpen(inc.withTimerDecision(next)), List.of(d), List.of(), "grace window over");
        }
        if (inc.acked()) {
            return new Transition(s.withOpen(inc.withTimer(timer.cancelled())), List.of(), List.of(),
                    "acknowledged: not escalated");
        }
        long unresolvedFor = Duration.between(inc.decision().decidedAt(), at).toSeconds();
        Decision d = new Decision.IncidentEscalated(Decision.SCHEMA_VERSION, decisionId(inc, "escalate"), inc.id(),
                s.nodeId(), at, inc.reasonCode(), inc.planName(), inc.openedAt(),
                describe(inc) + " still unresolved " + unresolvedFor + "s after " + inc.decision().kind() + " "
                        + inc.decision().decisionId()
                        + (timer.terminated() ? ", pod terminated once" : ""));
        TimerState done = new TimerState(null, 0, timer.terminated(), true);
        return new Transition(s.withOpen(inc.withTimerDecision(done)), List.of(d), List.of(), "escalated");
    }

    // ------------------------------------------------------------------ helpers

    private static String describe(Incident inc) {
        String token = ShutdownReason.ofCode(inc.reasonCode()).token();
        return String.format(Locale.ROOT, "halt %d (%s%s)", inc.reasonCode(), token,
                inc.planName() == null ? "" : ", plan " + inc.planName());
    }

    private static String podName(NodeState s, Incident inc) {
        return inc.halt().podName() != null ? inc.halt().podName() : s.pod() == null ? null : s.pod().podName();
    }

    private static String podUid(NodeState s, Incident inc) {
        return inc.halt().podUid() != null ? inc.halt().podUid() : s.pod() == null ? null : s.pod().podUid();
    }

    /** When the halt happened as far as the observation says. */
    static Instant eventTime(HaltObserved h) {
        if (h.source() == ObservationSource.EXIT_CODE && h.finishedAt() != null) {
            return h.finishedAt();
        }
        if (h.intent() != null && h.intent().announcedAt() != null) {
            return h.intent().announcedAt();
        }
        return h.observedAt();
    }
}
