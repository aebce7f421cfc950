package io.haltsupervisor.cli;

import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.PodStateObserved;
import java.util.StringJoiner;

/**
 * One readable line per event, for the console, {@code timeline} and the dashboard: what a person
 * needs to follow an incident from halt to resolution.
 */
public final class EventFormatter {
    private EventFormatter() {
    }

    /** A short label of the event's kind, e.g. {@code halt}, {@code decision:upgrade}, {@code action}. */
    public static String label(Object event) {
        if (event instanceof HaltObserved) {
            return "halt";
        } else if (event instanceof NodeStatusObserved) {
            return "status";
        } else if (event instanceof PodStateObserved) {
            return "pod";
        } else if (event instanceof ImageMappingChanged) {
            return "mapping";
        } else if (event instanceof OperatorCommandIssued) {
            return "operator";
        } else if (event instanceof Decision d) {
            return "decision:" + d.kind();
        } else if (event instanceof ActionResultRecorded) {
            return "action";
        } else if (event instanceof DeadLetterRecorded) {
            return "dead-letter";
        }
        return "record";
    }

    /** The line's text (without timestamp and label). */
    public static String describe(Object event) {
        StringJoiner j = new StringJoiner(" ");
        if (event instanceof HaltObserved h) {
            j.add(h.nodeId()).add(h.source().token()).add(Integer.toString(h.reasonCode())).add(h.reason());
            opt(j, "plan", h.planName());
            opt(j, "height", h.intent() == null ? null : h.intent().height());
            opt(j, "pod", h.podName());
            opt(j, "restarts", h.restartCount());
        } else if (event instanceof NodeStatusObserved s) {
            j.add(s.nodeId()).add(s.change().token());
            opt(j, "height", s.latestBlockHeight());
            opt(j, "version", s.version());
        } else if (event instanceof PodStateObserved p) {
            j.add(p.nodeId()).add(p.podName()).add(p.ready() ? "ready" : "not-ready").add(p.image());
            opt(j, "restarts", p.restartCount());
            opt(j, "exit", p.lastExitCode());
            if (p.cosmovisor()) {
                j.add("cosmovisor");
            }
            if (p.deleted()) {
                j.add("deleted");
            }
        } else if (event instanceof ImageMappingChanged m) {
            j.add(m.plan()).add("→").add(m.image());
            opt(j, "height", m.upgradeHeight());
            opt(j, "source", m.source());
        } else if (event instanceof OperatorCommandIssued c) {
            j.add(c.command().token()).add(c.fleet() ? "--fleet" : c.nodeId()).add("by").add(c.by());
            opt(j, "reason", c.reason());
        } else if (event instanceof Decision d) {
            describeDecision(j, d);
        } else if (event instanceof ActionResultRecorded a) {
            j.add(a.nodeId() == null ? "fleet" : a.nodeId()).add(a.incidentId()).add(a.decisionKind() + "/" + a.step())
                    .add(a.outcome().token());
            opt(j, "target", a.target());
            if (a.attempt() > 1) {
                j.add("attempt=" + a.attempt());
            }
            opt(j, "detail", a.detail());
        } else if (event instanceof DeadLetterRecorded dl) {
            j.add(dl.sourceTopic() + "[" + dl.partition() + "]@" + dl.offset()).add(dl.error());
        } else if (event != null) {
            j.add(event.toString());
        } else {
            j.add("(tombstone)");
        }
        return j.toString();
    }

    private static void describeDecision(StringJoiner j, Decision d) {
        j.add(d.nodeId() == null ? "fleet" : d.nodeId()).add(d.incidentId());
        if (d instanceof Decision.UpgradeDecided u) {
            j.add(u.planName()).add(String.valueOf(u.previousImage())).add("→").add(u.targetImage());
        } else if (d instanceof Decision.MappingAwaited m) {
            opt(j, "plan", m.planName());
            j.add(m.waitReason().name());
        } else if (d instanceof Decision.RollbackDecided r) {
            j.add(String.valueOf(r.tooNewImage())).add("→").add(r.targetImage());
        } else if (d instanceof Decision.QuarantineDecided q) {
            opt(j, "image", q.image());
        } else if (d instanceof Decision.HaltPaged p) {
            j.add(p.severity().name()).add(p.pageReason().name()).add(p.summary());
        } else if (d instanceof Decision.PodTerminationDecided t) {
            opt(j, "pod", t.podName());
            j.add("after " + t.graceSeconds() + "s");
        } else if (d instanceof Decision.IncidentEscalated e) {
            j.add(e.summary());
        } else if (d instanceof Decision.IncidentResolved r) {
            j.add(r.resolution());
            opt(j, "image", r.image());
        } else if (d instanceof Decision.OperatorCommandApplied o) {
            j.add(o.command().token()).add("by").add(o.by()).add(o.effect());
        } else if (d instanceof Decision.FleetHoldDecided f) {
            j.add(f.nodes().size() + " nodes").add(String.join(",", f.nodes()));
        } else if (d instanceof Decision.FleetReleased f) {
            j.add("by").add(f.by());
        }
    }

    private static void opt(StringJoiner j, String name, Object value) {
        if (value != null) {
            j.add(name + "=" + value);
        }
    }
}
