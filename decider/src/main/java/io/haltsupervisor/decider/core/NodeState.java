package io.haltsupervisor.decider.core;

import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ObservationSource;
import io.haltsupervisor.schemas.PodStateObserved;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the decider remembers about one node: the value of the {@code decider-node-state} store,
 * keyed by node id, and what {@code GET /nodes/{ns}/{name}} returns.
 *
 * <p>State is bounded: at most one open incident; a resolved incident is compacted into
 * {@link ResolvedSummary}; image and command lists are capped.
 *
 * @param nodeId          the node
 * @param incidentCount   incidents opened so far (the next one is {@code nodeId#incidentCount+1})
 * @param open            the open incident, or null when the node is healthy
 * @param lastResolved    a summary of the last resolved incident (for folding late observations of it)
 * @param pod             the node's pod as last observed, or null
 * @param healthyImages   distinct images the node last ran ready with no open incident, most recent first
 * @param refusedImages   images the node halted on as too new (71): never applied automatically again
 * @param lastBlockHeight the last block height seen (status poller)
 * @param lastIntent      the last {@code halt_intent} seen since the node was last healthy
 * @param hold            an operator put the node on hold: no automatic action until {@code release}
 * @param recentCommands  ids of the last operator commands applied (a repeat is ignored)
 * @param lastBlockHeightAt when {@code lastBlockHeight} was last observed (the observation's own time), or null
 *                          (state written before this was kept)
 */
public record NodeState(
        String nodeId,
        int incidentCount,
        Incident open,
        ResolvedSummary lastResolved,
        PodInfo pod,
        List<String> healthyImages,
        List<String> refusedImages,
        Long lastBlockHeight,
        HaltIntent lastIntent,
        boolean hold,
        List<String> recentCommands,
        Instant lastBlockHeightAt) {

    static final int MAX_HEALTHY_IMAGES = 5;
    static final int MAX_REFUSED_IMAGES = 32;
    static final int MAX_RECENT_COMMANDS = 16;
    static final int MAX_IDENTITIES = 8;

    public NodeState {
        healthyImages = healthyImages == null ? List.of() : List.copyOf(healthyImages);
        refusedImages = refusedImages == null ? List.of() : List.copyOf(refusedImages);
        recentCommands = recentCommands == null ? List.of() : List.copyOf(recentCommands);
    }

    static NodeState initial(String nodeId) {
        return new NodeState(nodeId, 0, null, null, null, List.of(), List.of(), null, null, false, List.of(), null);
    }

    NodeState withOpen(Incident incident) {
        return new NodeState(nodeId, incidentCount, incident, lastResolved, pod, healthyImages, refusedImages,
                lastBlockHeight, lastIntent, hold, recentCommands, lastBlockHeightAt);
    }

    NodeState withIncidentCount(int count) {
        return new NodeState(nodeId, count, open, lastResolved, pod, healthyImages, refusedImages, lastBlockHeight,
                lastIntent, hold, recentCommands, lastBlockHeightAt);
    }

    NodeState withResolved(ResolvedSummary summary) {
        return new NodeState(nodeId, incidentCount, null, summary, pod, healthyImages, refusedImages,
                lastBlockHeight, null, hold, recentCommands, lastBlockHeightAt);
    }

    NodeState withPod(PodInfo info) {
        return new NodeState(nodeId, incidentCount, open, lastResolved, info, healthyImages, refusedImages,
                lastBlockHeight, lastIntent, hold, recentCommands, lastBlockHeightAt);
    }

    NodeState withHealthyImage(String image) {
        if (image == null || (!healthyImages.isEmpty() && healthyImages.get(0).equals(image))) {
            return this;
        }
        List<String> images = new ArrayList<>(healthyImages.size() + 1);
        images.add(image);
        healthyImages.stream().filter(i -> !i.equals(image)).limit(MAX_HEALTHY_IMAGES - 1L).forEach(images::add);
        return new NodeState(nodeId, incidentCount, open, lastResolved, pod, images, refusedImages, lastBlockHeight,
                lastIntent, hold, recentCommands, lastBlockHeightAt);
    }

    NodeState withRefusedImage(String image) {
        if (image == null || refusedImages.contains(image)) {
            return this;
        }
        List<String> images = new ArrayList<>(refusedImages);
        images.add(image);
        if (images.size() > MAX_REFUSED_IMAGES) {
            images.remove(0);
        }
        return new NodeState(nodeId, incidentCount, open, lastResolved, pod, healthyImages, images, lastBlockHeight,
                lastIntent, hold, recentCommands, lastBlockHeightAt);
    }

    /** The node was seen at {@code height} at {@code at} (an observation's own time). */
    NodeState withBlockHeight(Long height, Instant at) {
        if (height == null || height.equals(lastBlockHeight) && java.util.Objects.equals(at, lastBlockHeightAt)) {
            return this;
        }
        return new NodeState(nodeId, incidentCount, open, lastResolved, pod, healthyImages, refusedImages, height,
                lastIntent, hold, recentCommands, at);
    }

    NodeState withLastIntent(HaltIntent intent) {
        if (intent == null || intent.equals(lastIntent)) {
            return this;
        }
        return new NodeState(nodeId, incidentCount, open, lastResolved, pod, healthyImages, refusedImages,
                lastBlockHeight, intent, hold, recentCommands, lastBlockHeightAt);
    }

    NodeState withHold(boolean onHold) {
        return new NodeState(nodeId, incidentCount, open, lastResolved, pod, healthyImages, refusedImages,
                lastBlockHeight, lastIntent, onHold, recentCommands, lastBlockHeightAt);
    }

    NodeState withCommand(String commandId) {
        List<String> ids = new ArrayList<>(recentCommands);
        ids.add(commandId);
        if (ids.size() > MAX_RECENT_COMMANDS) {
            ids.remove(0);
        }
        return new NodeState(nodeId, incidentCount, open, lastResolved, pod, healthyImages, refusedImages,
                lastBlockHeight, lastIntent, hold, ids, lastBlockHeightAt);
    }

    /** The image the node currently runs, as far as the decider knows. */
    String currentImage() {
        return pod == null ? null : pod.image();
    }

    /** The image the node's SeiNode controller last reported it runs, or null (no SeiNode, or not reported). */
    String controllerImage() {
        return pod == null ? null : pod.controllerImage();
    }

    /** What phase the node's open incident is in; {@code null} when healthy. */
    public enum Phase {
        /** 70 without a usable mapping: waiting for one. */
        AWAITING_MAPPING,
        /** Upgrade decided: waiting for the node to run the target image. */
        UPGRADING,
        /** Rollback decided: waiting for the node to run the previous image. */
        ROLLING_BACK,
        /** 72: quarantined until an operator releases it. */
        QUARANTINED,
        /** Paged, no automatic action. */
        PAGED
    }

    /** Pending time-based step of an incident. */
    public enum TimerKind {
        /** Grace window over: terminate the pod once. */
        TERMINATE,
        /** Second window over: escalate by page. */
        ESCALATE
    }

    /**
     * The node's pod as last observed by the pod watcher.
     */
    /**
     * The node's pod as last observed. {@code controllerImage} is the image the SeiNode's controller reports the
     * node runs ({@link PodStateObserved#currentImage()}): kept across the deletion of the pod (whose
     * observation cannot carry it), null for nodes that are no SeiNode.
     */
    public record PodInfo(String podName, String podUid, String image, boolean ready, int restartCount,
            boolean cosmovisor, boolean deleted, String controllerImage) {
        static PodInfo of(PodStateObserved p, PodInfo previous) {
            String controller = p.currentImage() != null ? p.currentImage()
                    : p.deleted() && previous != null ? previous.controllerImage() : null;
            return new PodInfo(p.podName(), p.podUid(), p.image(), p.ready(), p.restartCount(), p.cosmovisor(),
                    p.deleted(), controller);
        }
    }

    /**
     * What identifies the halt an incident is about: the pod and container(s) that halted, the
     * {@code announced_at} values of the intents served, and the sources that saw it. Used to fold
     * repeats and to recognise a <em>new</em> halt after an operator release.
     */
    public record HaltIdentity(String podName, String podUid, Integer restartCount, String image,
            List<String> containerIds, List<String> announcedAts, List<String> sources) {

        public HaltIdentity {
            containerIds = containerIds == null ? List.of() : List.copyOf(containerIds);
            announcedAts = announcedAts == null ? List.of() : List.copyOf(announcedAts);
            sources = sources == null ? List.of() : List.copyOf(sources);
        }

        static HaltIdentity of(HaltObserved h, PodInfo pod) {
            return new HaltIdentity(
                    h.podName() != null ? h.podName() : pod == null ? null : pod.podName(),
                    h.podUid() != null ? h.podUid() : pod == null ? null : pod.podUid(),
                    h.restartCount() != null ? h.restartCount() : pod == null ? null : pod.restartCount(),
                    h.image() != null ? h.image() : pod == null ? null : pod.image(),
                    h.containerId() == null ? List.of() : List.of(h.containerId()),
                    announcedAt(h) == null ? List.of() : List.of(announcedAt(h)),
                    List.of(h.source().token()));
        }

        /** True when {@code h} is a halt this identity has not seen (new container or new announcement). */
        boolean isNew(HaltObserved h) {
            if (h.source() == ObservationSource.EXIT_CODE) {
                return h.containerId() != null && !containerIds.contains(h.containerId());
            }
            String announced = announcedAt(h);
            return announced != null && !announcedAts.contains(announced);
        }

        /** This identity with what {@code h} adds; {@code this} when it adds nothing. */
        HaltIdentity merge(HaltObserved h) {
            List<String> containers = add(containerIds, h.containerId());
            List<String> announced = add(announcedAts, announcedAt(h));
            List<String> srcs = add(sources, h.source().token());
            Integer restarts = restartCount;
            if (h.restartCount() != null && (restarts == null || h.restartCount() > restarts)) {
                restarts = h.restartCount();
            }
            String podUidNow = podUid != null ? podUid : h.podUid();
            String podNameNow = podName != null ? podName : h.podName();
            String imageNow = image != null ? image : h.image();
            HaltIdentity merged = new HaltIdentity(podNameNow, podUidNow, restarts, imageNow, containers, announced,
                    srcs);
            return merged.equals(this) ? this : merged;
        }

        private static List<String> add(List<String> values, String value) {
            if (value == null || values.contains(value)) {
                return values;
            }
            List<String> out = new ArrayList<>(values);
            out.add(value);
            if (out.size() > MAX_IDENTITIES) {
                out.remove(0);
            }
            return out;
        }

        static String announcedAt(HaltObserved h) {
            return h.intent() == null || h.intent().announcedAt() == null ? null : h.intent().announcedAt().toString();
        }
    }

    /**
     * The decision an incident is in.
     *
     * @param phase       what the incident waits for
     * @param kind        the decision kind token of the last decision
     * @param decisionId  the last decision's id
     * @param decidedAt   when it was decided
     * @param targetImage the image the node must run for the incident to resolve (upgrade, rollback)
     * @param mapping     the mapping an upgrade used
     * @param waitReason  why a mapping is awaited
     * @param waitKey     the waiter-index prefix the incident is registered under (awaiting only)
     * @param pageReason  why a page-only decision was made
     */
    public record DecisionState(NodeState.Phase phase, String kind, String decisionId, Instant decidedAt,
            String targetImage, Decision.ImageMappingRef mapping, Decision.WaitReason waitReason, String waitKey,
            Decision.PageReason pageReason) {
    }

    /**
     * The incident's grace-window timer.
     *
     * @param kind       the pending step, or null when none is pending
     * @param dueAtMs    when it is due (epoch ms, in record time)
     * @param terminated a terminate-pod decision was already made for this incident
     * @param escalated  an escalation was already made for this incident
     */
    public record TimerState(TimerKind kind, long dueAtMs, boolean terminated, boolean escalated) {
        static final TimerState NONE = new TimerState(null, 0, false, false);

        public boolean pending() {
            return kind != null;
        }

        TimerState cancelled() {
            return new TimerState(null, 0, terminated, escalated);
        }
    }

    /**
     * One open incident.
     *
     * @param id         {@code nodeId#number}
     * @param number     the node's incident counter
     * @param reasonCode the raw halt code 70–89
     * @param planName   the upgrade plan, when known
     * @param planSource where the plan came from: {@code intent}, {@code last-intent}, {@code height}
     * @param haltHeight the upgrade height from the intent, when known
     * @param openedAt   timestamp of the record that opened it
     * @param halt       what identifies the halt
     * @param seq        decisions made so far (next decision's sequence number)
     * @param decision   the current decision, null before the first
     * @param timer      grace-window timer
     * @param acked      an operator acknowledged the page
     * @param released   an operator released the node while this incident was open
     * @param releasedAt when
     * @param haltedAt   when the halt that opened it happened, as its observation says (a container's
     *                   {@code finishedAt}, an intent's {@code announced_at}, else when it was observed), or null
     */
    public record Incident(String id, int number, int reasonCode, String planName, String planSource,
            Long haltHeight, Instant openedAt, HaltIdentity halt, int seq, DecisionState decision, TimerState timer,
            boolean acked, boolean released, Instant releasedAt, Instant haltedAt) {

        public Incident {
            timer = timer == null ? TimerState.NONE : timer;
        }

        Incident withHalt(HaltIdentity identity) {
            return new Incident(id, number, reasonCode, planName, planSource, haltHeight, openedAt, identity, seq,
                    decision, timer, acked, released, releasedAt, haltedAt);
        }

        Incident withPlan(String plan, String source, Long height) {
            return new Incident(id, number, reasonCode, plan, source, height, openedAt, halt, seq, decision, timer,
                    acked, released, releasedAt, haltedAt);
        }

        Incident withDecision(DecisionState state, TimerState timerState) {
            return new Incident(id, number, reasonCode, planName, planSource, haltHeight, openedAt, halt, seq + 1,
                    state, timerState, acked, released, releasedAt, haltedAt);
        }

        Incident withTimer(TimerState timerState) {
            return new Incident(id, number, reasonCode, planName, planSource, haltHeight, openedAt, halt, seq,
                    decision, timerState, acked, released, releasedAt, haltedAt);
        }

        /** A timer decision (terminate, escalate) uses a sequence number too. */
        Incident withTimerDecision(TimerState timerState) {
            return new Incident(id, number, reasonCode, planName, planSource, haltHeight, openedAt, halt, seq + 1,
                    decision, timerState, acked, released, releasedAt, haltedAt);
        }

        Incident withAcked() {
            return new Incident(id, number, reasonCode, planName, planSource, haltHeight, openedAt, halt, seq,
                    decision, timer, true, released, releasedAt, haltedAt);
        }

        Incident withReleased(Instant at) {
            return new Incident(id, number, reasonCode, planName, planSource, haltHeight, openedAt, halt, seq,
                    decision, timer, acked, true, at, haltedAt);
        }

        public NodeState.Phase phase() {
            return decision == null ? null : decision.phase();
        }

        boolean quarantinedUnreleased() {
            return phase() == NodeState.Phase.QUARANTINED && !released;
        }

        public String waitKey() {
            return decision == null ? null : decision.waitKey();
        }

        public String targetImage() {
            return decision == null ? null : decision.targetImage();
        }
    }

    /**
     * A resolved incident, compacted: enough to recognise late observations of its halt.
     * Its halt identities are forgotten after the dedupe retention.
     */
    public record ResolvedSummary(String incidentId, int reasonCode, String planName, Instant openedAt,
            Instant resolvedAt, String resolution, List<String> containerIds, List<String> announcedAts) {

        public ResolvedSummary {
            containerIds = containerIds == null ? List.of() : List.copyOf(containerIds);
            announcedAts = announcedAts == null ? List.of() : List.copyOf(announcedAts);
        }

        /** True when {@code h} is an observation of the halt this incident was about. */
        boolean covers(HaltObserved h, Instant eventTime) {
            if (h.containerId() != null && containerIds.contains(h.containerId())) {
                return true;
            }
            String announced = HaltIdentity.announcedAt(h);
            if (announced != null && announcedAts.contains(announced)) {
                return true;
            }
            return !eventTime.isAfter(resolvedAt);
        }

        ResolvedSummary forgetIdentities() {
            return new ResolvedSummary(incidentId, reasonCode, planName, openedAt, resolvedAt, resolution, List.of(),
                    List.of());
        }
    }
}
