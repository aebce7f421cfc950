package io.haltsupervisor.actuator.plan;

import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which of one incident's pages were triggered, through which sink: what a resolve (or an acknowledgement)
 * of that incident may send, and nothing more. Derived from the action results of the incident's trigger
 * steps ({@link #triggerOf}), so it can be rebuilt from {@code seid.action-results.v1} after a restart.
 *
 * <p>A trigger counts once it was attempted: {@code applied}, {@code already-applied}, and also
 * {@code failed} or {@code failed-retrying}, since a request that timed out or was answered 5xx may still
 * have opened the page. {@code dry-run} sent nothing; {@link PagerSink#NONE} (no pager configured) reaches
 * no one. Immutable.
 */
public final class PagesTriggered {
    /** No page triggered. */
    public static final PagesTriggered NONE = new PagesTriggered(Map.of());

    private final Map<PagerSink, Set<PageKind>> bySink;

    private PagesTriggered(Map<PagerSink, Set<PageKind>> bySink) {
        this.bySink = bySink;
    }

    /** Exactly these pages triggered (for tests and tools). */
    public static PagesTriggered of(Map<PagerSink, Set<PageKind>> bySink) {
        Map<PagerSink, Set<PageKind>> copy = new EnumMap<>(PagerSink.class);
        bySink.forEach((sink, kinds) -> {
            if (sink != PagerSink.NONE && !kinds.isEmpty()) {
                copy.put(sink, Collections.unmodifiableSet(EnumSet.copyOf(kinds)));
            }
        });
        return new PagesTriggered(Collections.unmodifiableMap(copy));
    }

    /** This set plus {@code kind} triggered through {@code sink}. */
    public PagesTriggered with(PagerSink sink, PageKind kind) {
        if (sink == PagerSink.NONE || kinds(sink).contains(kind)) {
            return this;
        }
        Map<PagerSink, Set<PageKind>> copy = new EnumMap<>(PagerSink.class);
        bySink.forEach((s, k) -> copy.put(s, k));
        Set<PageKind> kinds = EnumSet.noneOf(PageKind.class);
        kinds.addAll(kinds(sink));
        kinds.add(kind);
        copy.put(sink, Collections.unmodifiableSet(kinds));
        return new PagesTriggered(Collections.unmodifiableMap(copy));
    }

    /** Every page of this set and of {@code other}. */
    public PagesTriggered union(PagesTriggered other) {
        PagesTriggered t = this;
        for (Map.Entry<PagerSink, Set<PageKind>> e : other.bySink.entrySet()) {
            for (PageKind kind : e.getValue()) {
                t = t.with(e.getKey(), kind);
            }
        }
        return t;
    }

    /** The page kinds triggered through {@code sink} (empty when none). */
    public Set<PageKind> kinds(PagerSink sink) {
        return bySink.getOrDefault(sink, Set.of());
    }

    public boolean isEmpty() {
        return bySink.isEmpty();
    }

    /** A recorded trigger: page {@code kind} of the result's incident was triggered through {@code sink}. */
    public record Trigger(PagerSink sink, PageKind kind) {
    }

    /**
     * The page a recorded result triggered, if it is the result of an attempted trigger step
     * ({@code page-trigger:<sink>}, {@code failure-page-trigger:<sink>} or {@code reverted-page-trigger:<sink>}, see
     * {@link Step.PageStep#name()}). Which page it was follows from the planner: a failure page is
     * {@link PageKind#ACTION_FAILED}, a reverted page {@link PageKind#REVERTED}, an
     * {@code escalate} decision pages {@link PageKind#ESCALATION}, a {@code fleet-hold} decision
     * {@link PageKind#FLEET_HOLD}, every other decision that pages {@link PageKind#HALT}.
     */
    public static Optional<Trigger> triggerOf(ActionResultRecorded r) {
        if (r.outcome() == Outcome.DRY_RUN || r.outcome() == Outcome.REFUSED_BY_POLICY) {
            return Optional.empty();
        }
        String step = r.step();
        int colon = step.lastIndexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String head = step.substring(0, colon);
        PagerSink sink = sink(step.substring(colon + 1));
        if (sink == null || sink == PagerSink.NONE) {
            return Optional.empty();
        }
        String trigger = "-" + PageAction.TRIGGER.token();
        PageKind kind;
        if (head.equals(StepPlanner.FAILURE_PAGE + trigger)) {
            kind = PageKind.ACTION_FAILED;
        } else if (head.equals(StepPlanner.REVERTED_PAGE + trigger)) {
            kind = PageKind.REVERTED;
        } else if (head.equals(StepPlanner.PAGE + trigger)) {
            kind = switch (r.decisionKind()) {
                case "escalate" -> PageKind.ESCALATION;
                case "fleet-hold" -> PageKind.FLEET_HOLD;
                default -> PageKind.HALT;
            };
        } else {
            return Optional.empty();
        }
        return Optional.of(new Trigger(sink, kind));
    }

    private static PagerSink sink(String token) {
        for (PagerSink s : PagerSink.values()) {
            if (s.token().equals(token)) {
                return s;
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PagesTriggered other && bySink.equals(other.bySink);
    }

    @Override
    public int hashCode() {
        return bySink.hashCode();
    }

    @Override
    public String toString() {
        return bySink.toString();
    }
}
