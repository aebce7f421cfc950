package io.haltsupervisor.actuator;

import io.haltsupervisor.actuator.plan.PageAction;
import io.haltsupervisor.actuator.plan.PageKind;
import io.haltsupervisor.actuator.plan.PagerSink;
import io.haltsupervisor.actuator.plan.PagesTriggered;
import io.haltsupervisor.actuator.plan.Reverts;
import io.haltsupervisor.actuator.plan.StepPlanner;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the action-results topic says has been done: the final outcome of each {@code (decisionId, step)},
 * which incidents were resolved, and which pages of each incident were triggered through which sink (by which
 * decision), so that a resolve sends exactly what was triggered. Rebuilt at start (and at every partition assignment) by reading
 * {@code seid.action-results.v1} read-committed to its end, then kept up to date with this actuator's own
 * results. A step with a final outcome here is never executed again. It also knows which incidents had a step
 * recorded {@code reverted} and which of their {@code /reverted} pages are open: those live with the hold the node
 * was put on, and end when a {@code release} of the node resolves them ({@link Reverts}).
 *
 * <p>Memory: one entry per recorded step, bounded by the topic's retention (a few hundred bytes each).
 */
public final class ResultsIndex {
    private final Map<String, Outcome> finalOutcomes = new HashMap<>();
    private final Set<String> resolvedIncidents = new HashSet<>();
    /** incident → decision → the pages that decision triggered. */
    private final Map<String, Map<String, PagesTriggered>> triggered = new HashMap<>();
    /** Incidents with a step recorded {@code reverted}. */
    private final Set<String> revertedIncidents = new HashSet<>();
    /** node → incident → sinks its {@code /reverted} page was triggered through and no release resolved yet. */
    private final Map<String, Map<String, Set<PagerSink>>> openRevertedPages = new HashMap<>();
    /** Incidents whose {@code /reverted} page a release resolved. */
    private final Set<String> releasedReverts = new HashSet<>();

    public synchronized void apply(ActionResultRecorded r) {
        if (r.outcome().isFinal()) {
            finalOutcomes.put(key(r.decisionId(), r.step()), r.outcome());
        }
        if (r.outcome() == Outcome.REVERTED) {
            revertedIncidents.add(r.incidentId());
        }
        PagesTriggered.triggerOf(r).ifPresent(t -> {
            triggered.computeIfAbsent(r.incidentId(), i -> new LinkedHashMap<>())
                    .merge(r.decisionId(), PagesTriggered.NONE.with(t.sink(), t.kind()), PagesTriggered::union);
            if (t.kind() == PageKind.REVERTED && r.nodeId() != null) {
                openRevertedPages.computeIfAbsent(r.nodeId(), n -> new LinkedHashMap<>())
                        .computeIfAbsent(r.incidentId(), i -> EnumSet.noneOf(PagerSink.class)).add(t.sink());
            }
        });
        revertedPagesResolved(r);
        if ("resolve".equals(r.decisionKind()) || "fleet-release".equals(r.decisionKind())) {
            resolvedIncidents.add(r.incidentId());
        }
    }

    /**
     * A release's {@code reverted-page-resolve:<sink>} step, done: the node's {@code /reverted} pages open through that
     * sink are resolved (the step resolved all of them; a node's decisions run one at a time, so none opened since).
     */
    private void revertedPagesResolved(ActionResultRecorded r) {
        String prefix = StepPlanner.REVERTED_PAGE + "-" + PageAction.RESOLVE.token() + ":";
        if (r.nodeId() == null || !r.step().startsWith(prefix)
                || (r.outcome() != Outcome.APPLIED && r.outcome() != Outcome.ALREADY_APPLIED)) {
            return;
        }
        Map<String, Set<PagerSink>> open = openRevertedPages.get(r.nodeId());
        if (open == null) {
            return;
        }
        String token = r.step().substring(prefix.length());
        open.entrySet().removeIf(e -> {
            e.getValue().removeIf(sink -> sink.token().equals(token));
            if (e.getValue().isEmpty()) {
                releasedReverts.add(e.getKey());
                return true;
            }
            return false;
        });
        if (open.isEmpty()) {
            openRevertedPages.remove(r.nodeId());
        }
    }

    /**
     * What {@code decision}'s plan must know of reverted changes: whether its incident had a step recorded
     * {@code reverted}, and its node's open {@code /reverted} pages.
     */
    public synchronized Reverts reverts(String incidentId, String nodeId) {
        Map<String, Set<PagerSink>> open = nodeId == null ? Map.of() : openRevertedPages.getOrDefault(nodeId, Map.of());
        return new Reverts(revertedIncidents.contains(incidentId), open);
    }

    /**
     * True when an alert of page {@code pageToken} of {@code incidentId} has ended (the Alertmanager re-send resolves
     * it again rather than refreshing it): for most pages when the incident is resolved; for a {@code /reverted}
     * page when a release resolved it, or the incident is resolved and no open {@code /reverted} page of it is known.
     */
    public synchronized boolean pageEnded(String incidentId, String pageToken) {
        if (PageKind.REVERTED.token().equals(pageToken)) {
            if (releasedReverts.contains(incidentId)) {
                return true;
            }
            boolean held = openRevertedPages.values().stream().anyMatch(m -> m.containsKey(incidentId));
            return !held && resolvedIncidents.contains(incidentId);
        }
        return resolvedIncidents.contains(incidentId);
    }

    /** The final outcome recorded for the step, if any. */
    public synchronized Optional<Outcome> finalOutcome(String decisionId, String step) {
        return Optional.ofNullable(finalOutcomes.get(key(decisionId, step)));
    }

    /**
     * The pages of {@code incidentId} triggered by its decisions other than {@code decisionId} (a decision's
     * own failure pages are about that decision, and stay open when it resolves the others).
     */
    public synchronized PagesTriggered pagesTriggered(String incidentId, String decisionId) {
        PagesTriggered all = PagesTriggered.NONE;
        for (Map.Entry<String, PagesTriggered> e : triggered.getOrDefault(incidentId, Map.of()).entrySet()) {
            if (!e.getKey().equals(decisionId)) {
                all = all.union(e.getValue());
            }
        }
        return all;
    }

    /** Incidents with a recorded resolve (or fleet release). */
    public synchronized Set<String> resolvedIncidents() {
        return Collections.unmodifiableSet(new HashSet<>(resolvedIncidents));
    }

    public synchronized int size() {
        return finalOutcomes.size();
    }

    private static String key(String decisionId, String step) {
        return decisionId + '\u0000' + step;
    }
}
