package io.haltsupervisor.actuator;

import io.haltsupervisor.actuator.plan.PagesTriggered;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import java.util.Collections;
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
 * results. A step with a final outcome here is never executed again.
 *
 * <p>Memory: one entry per recorded step, bounded by the topic's retention (a few hundred bytes each).
 */
public final class ResultsIndex {
    private final Map<String, Outcome> finalOutcomes = new HashMap<>();
    private final Set<String> resolvedIncidents = new HashSet<>();
    /** incident → decision → the pages that decision triggered. */
    private final Map<String, Map<String, PagesTriggered>> triggered = new HashMap<>();

    public synchronized void apply(ActionResultRecorded r) {
        if (r.outcome().isFinal()) {
            finalOutcomes.put(key(r.decisionId(), r.step()), r.outcome());
        }
        PagesTriggered.triggerOf(r).ifPresent(t -> triggered.computeIfAbsent(r.incidentId(), i -> new LinkedHashMap<>())
                .merge(r.decisionId(), PagesTriggered.NONE.with(t.sink(), t.kind()), PagesTriggered::union));
        if ("resolve".equals(r.decisionKind()) || "fleet-release".equals(r.decisionKind())) {
            resolvedIncidents.add(r.incidentId());
        }
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
