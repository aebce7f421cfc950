package io.haltsupervisor.cli;

import io.haltsupervisor.schemas.Decision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Open incidents, folded from the decision log alone (so it works against any deployment, whether
 * or not a decider answers queries): an incident opens with its first decision and closes with
 * {@code resolve} (or, for the fleet breaker, {@code fleet-release}). Also the nodes on hold: a {@code hold}
 * applied (an operator's, or the actuator's after another writer reverted its change) until a {@code release}.
 */
public final class IncidentView {
    private static final int RESOLVED_KEPT = 50;
    private final Map<String, Incident> open = new LinkedHashMap<>();
    private final java.util.Deque<Resolved> resolved = new java.util.ArrayDeque<>();
    private final Map<String, Hold> holds = new LinkedHashMap<>();

    /** One open incident as the decision log tells it. */
    public record Incident(String incidentId, String nodeId, Instant openedAt, Integer reasonCode, String planName,
            String state, Instant updatedAt, int decisions, String lastDecisionId) {
    }

    /** A recently closed incident and how it ended. */
    public record Resolved(Incident incident, Instant resolvedAt, String resolution) {
    }

    /**
     * A node on hold: no automatic action for it until {@code release}.
     *
     * @param nodeId     the node
     * @param since      when the hold was applied
     * @param by         who held it ({@code halt-supervisor-actuator} after a reverted change)
     * @param reason     why, as given
     * @param incidentId the incident open when it was held, or {@code <node>#none}
     */
    public record Hold(String nodeId, Instant since, String by, String reason, String incidentId) {
    }

    /** Folds one decision in. */
    public synchronized void apply(Decision d) {
        if (d instanceof Decision.OperatorCommandApplied o && o.nodeId() != null) {
            switch (o.command()) {
                case HOLD -> holds.putIfAbsent(o.nodeId(), new Hold(o.nodeId(), o.decidedAt(), o.by(), o.reason(),
                        o.incidentId()));
                case RELEASE -> holds.remove(o.nodeId());
                default -> {
                }
            }
        }
        if (d instanceof Decision.IncidentResolved || d instanceof Decision.FleetReleased) {
            Incident closed = open.remove(d.incidentId());
            if (closed != null) {
                String how = d instanceof Decision.IncidentResolved r ? r.resolution() : "fleet released";
                resolved.addFirst(new Resolved(closed, d.decidedAt(), how));
                while (resolved.size() > RESOLVED_KEPT) {
                    resolved.removeLast();
                }
            }
            return;
        }
        if (d instanceof Decision.OperatorCommandApplied o && !open.containsKey(o.incidentId())) {
            return; // a command on a node without an open incident opens nothing
        }
        Incident before = open.get(d.incidentId());
        Integer code = reasonCode(d);
        String plan = planName(d);
        open.put(d.incidentId(), new Incident(d.incidentId(), d.nodeId() == null ? "fleet" : d.nodeId(),
                before == null ? d.decidedAt() : before.openedAt(),
                code != null ? code : before == null ? null : before.reasonCode(),
                plan != null ? plan : before == null ? null : before.planName(),
                state(d), d.decidedAt(), before == null ? 1 : before.decisions() + 1, d.decisionId()));
    }

    /** Open incidents, oldest first. */
    public synchronized List<Incident> open() {
        List<Incident> list = new ArrayList<>(open.values());
        list.sort(Comparator.comparing(Incident::openedAt).thenComparing(Incident::incidentId));
        return list;
    }

    /** The nodes on hold, longest held first. */
    public synchronized List<Hold> held() {
        List<Hold> list = new ArrayList<>(holds.values());
        list.sort(Comparator.comparing(Hold::since).thenComparing(Hold::nodeId));
        return list;
    }

    /** The most recently closed incidents, newest first (at most 50). */
    public synchronized List<Resolved> recentlyResolved() {
        return List.copyOf(resolved);
    }

    public static String state(Decision d) {
        if (d instanceof Decision.UpgradeDecided) {
            return "upgrading";
        } else if (d instanceof Decision.MappingAwaited m) {
            return "awaiting-mapping (" + m.waitReason().name() + ")";
        } else if (d instanceof Decision.RollbackDecided) {
            return "rolling-back";
        } else if (d instanceof Decision.QuarantineDecided) {
            return "quarantined";
        } else if (d instanceof Decision.HaltPaged p) {
            return "paged (" + p.pageReason().name() + ")";
        } else if (d instanceof Decision.PodTerminationDecided) {
            return "pod-terminated";
        } else if (d instanceof Decision.IncidentEscalated) {
            return "escalated";
        } else if (d instanceof Decision.OperatorCommandApplied o) {
            return o.command().token() + " by " + o.by();
        } else if (d instanceof Decision.FleetHoldDecided) {
            return "fleet-hold";
        }
        return d.kind();
    }

    static Integer reasonCode(Decision d) {
        if (d instanceof Decision.UpgradeDecided u) {
            return u.reasonCode();
        } else if (d instanceof Decision.MappingAwaited m) {
            return m.reasonCode();
        } else if (d instanceof Decision.RollbackDecided r) {
            return r.reasonCode();
        } else if (d instanceof Decision.QuarantineDecided q) {
            return q.reasonCode();
        } else if (d instanceof Decision.HaltPaged p) {
            return p.reasonCode();
        } else if (d instanceof Decision.IncidentEscalated e) {
            return e.reasonCode();
        }
        return null;
    }

    static String planName(Decision d) {
        if (d instanceof Decision.UpgradeDecided u) {
            return u.planName();
        } else if (d instanceof Decision.MappingAwaited m) {
            return m.planName();
        } else if (d instanceof Decision.RollbackDecided r) {
            return r.planName();
        } else if (d instanceof Decision.QuarantineDecided q) {
            return q.planName();
        } else if (d instanceof Decision.HaltPaged p) {
            return p.planName();
        } else if (d instanceof Decision.IncidentEscalated e) {
            return e.planName();
        }
        return null;
    }
}
