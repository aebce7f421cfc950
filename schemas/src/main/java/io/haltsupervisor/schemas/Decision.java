package io.haltsupervisor.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * Value of {@code seid.decisions.v1}: what the decider decided for one node (or the fleet), told apart
 * by {@code kind}. Keyed by node id, or {@link Topics#FLEET_KEY} for fleet decisions.
 *
 * <p>Decisions say <em>what</em> should happen; the actuator turns each kind into steps (cluster
 * change, condition, event, page). {@code decisionId} is deterministic — derived from the inputs that
 * caused it — so replaying the input topics reproduces the decision log byte for byte, and the
 * actuator can use it as its idempotence key. {@code decidedAt} is a record timestamp or a punctuation
 * time, never the wall clock of the decider's host.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Decision.UpgradeDecided.class, name = "upgrade"),
    @JsonSubTypes.Type(value = Decision.MappingAwaited.class, name = "await-mapping"),
    @JsonSubTypes.Type(value = Decision.RollbackDecided.class, name = "rollback"),
    @JsonSubTypes.Type(value = Decision.QuarantineDecided.class, name = "quarantine"),
    @JsonSubTypes.Type(value = Decision.HaltPaged.class, name = "page"),
    @JsonSubTypes.Type(value = Decision.PodTerminationDecided.class, name = "terminate-pod"),
    @JsonSubTypes.Type(value = Decision.IncidentEscalated.class, name = "escalate"),
    @JsonSubTypes.Type(value = Decision.IncidentResolved.class, name = "resolve"),
    @JsonSubTypes.Type(value = Decision.OperatorCommandApplied.class, name = "operator"),
    @JsonSubTypes.Type(value = Decision.FleetHoldDecided.class, name = "fleet-hold"),
    @JsonSubTypes.Type(value = Decision.FleetReleased.class, name = "fleet-release")
})
public sealed interface Decision {
    int SCHEMA_VERSION = 1;

    int schemaVersion();

    /** Deterministic id; the actuator's idempotence key. */
    String decisionId();

    /** The incident this belongs to ({@code nodeId#n}); for fleet decisions the fleet incident. */
    String incidentId();

    /** The node, or null for a fleet decision. */
    String nodeId();

    Instant decidedAt();

    /** The record key on {@code seid.decisions.v1}. */
    default String key() {
        return nodeId() == null ? Topics.FLEET_KEY : nodeId();
    }

    /** Every kind token, in declaration order (e.g. for meters that must exist before the first decision). */
    static java.util.List<String> kinds() {
        return java.util.Arrays.stream(Decision.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::name).toList();
    }

    /** The kind token as on the wire ({@code upgrade}, {@code rollback}, …). */
    default String kind() {
        JsonSubTypes.Type[] types = Decision.class.getAnnotation(JsonSubTypes.class).value();
        for (JsonSubTypes.Type t : types) {
            if (t.value() == getClass()) {
                return t.name();
            }
        }
        throw new IllegalStateException("unregistered decision kind " + getClass());
    }

    private static void common(int schemaVersion, String decisionId, String incidentId, String nodeId,
            Instant decidedAt) {
        Require.schemaVersion(schemaVersion);
        Require.nonBlank(decisionId, "decisionId");
        Require.nonBlank(incidentId, "incidentId");
        Require.nodeId(nodeId, "nodeId");
        Require.present(decidedAt, "decidedAt");
    }

    /** 70 with a mapping: set the node's image to {@code targetImage} and recreate its pod. */
    record UpgradeDecided(int schemaVersion, String decisionId, String incidentId, String nodeId, Instant decidedAt,
            @JsonProperty(required = true) int reasonCode, String planName, String targetImage, String previousImage, ImageMappingRef mapping,
            String podName, String podUid) implements Decision {
        public UpgradeDecided {
            common(schemaVersion, decisionId, incidentId, nodeId, decidedAt);
            Require.nonBlank(planName, "planName");
            Require.nonBlank(targetImage, "targetImage");
            Require.present(mapping, "mapping");
        }
    }

    /**
     * 70 without a usable mapping: condition {@code Upgrading=Unknown} with {@code waitReason}, a Warning
     * event and a page. Decided again as an upgrade when the mapping arrives.
     */
    record MappingAwaited(int schemaVersion, String decisionId, String incidentId, String nodeId, Instant decidedAt,
            @JsonProperty(required = true) int reasonCode, String planName, WaitReason waitReason, String podName) implements Decision {
        public MappingAwaited {
            common(schemaVersion, decisionId, incidentId, nodeId, decidedAt);
            Require.present(waitReason, "waitReason");
        }
    }

    /**
     * 71: critical page, and roll back to the node's previous running image. {@code tooNewImage} is never
     * applied automatically to this node again.
     */
    record RollbackDecided(int schemaVersion, String decisionId, String incidentId, String nodeId, Instant decidedAt,
            @JsonProperty(required = true) int reasonCode, String planName, String targetImage, String tooNewImage, String podName, String podUid)
            implements Decision {
        public RollbackDecided {
            common(schemaVersion, decisionId, incidentId, nodeId, decidedAt);
            Require.nonBlank(targetImage, "targetImage");
        }
    }

    /** 72: critical page and quarantine (SeiNode paused / workload scaled to 0) until an operator releases. */
    record QuarantineDecided(int schemaVersion, String decisionId, String incidentId, String nodeId,
            Instant decidedAt, @JsonProperty(required = true) int reasonCode, String planName, String image, String podName, String podUid)
            implements Decision {
        public QuarantineDecided {
            common(schemaVersion, decisionId, incidentId, nodeId, decidedAt);
        }
    }

    /**
     * A page with no automatic action: a reserved (unrecognised) halt code, a 71 without a known previous
     * image, a halt while the node is on hold or the fleet breaker is open.
     */
    record HaltPaged(int schemaVersion, String decisionId, String incidentId, String nodeId, Instant decidedAt,
            @JsonProperty(required = true) int reasonCode, String planName, Severity severity, PageReason pageReason, String summary)
            implements Decision {
        public HaltPaged {
            common(schemaVersion, decisionId, incidentId, nodeId, decidedAt);
            Require.present(severity, "severity");
            Require.present(pageReason, "pageReason");
            Require.nonBlank(summary, "summary");
        }
    }

    /** The stay-alive grace window ran out: terminate the (halted, still running) pod once. */
    record PodTerminationDecided(int schemaVersion, String decisionId, String incidentId, String nodeId,
            Instant decidedAt, String podName, String podUid, @JsonProperty(required = true) long graceSeconds) implements Decision {
        public PodTerminationDecided {
            common(schemaVersion, decisionId, incidentId, nodeId, decidedAt);
        }
    }

    /** Still unresolved a second window after termination: page (escalation). */
    record IncidentEscalated(int schemaVersion, String decisionId, String incidentId, String nodeId,
            Instant decidedAt, @JsonProperty(required = true) int reasonCode, String planName, Instant openedAt, String summary)
            implements Decision {
        public IncidentEscalated {
            common(schemaVersion, decisionId, incidentId, nodeId, decidedAt);
            Require.present(openedAt, "openedAt");
            Require.nonBlank(summary, "summary");
        }
    }

    /** The node runs healthy again (on the target image, or on any image after a release): clear page and condition. */
    record IncidentResolved(int schemaVersion, String decisionId, String incidentId, String nodeId,
            Instant decidedAt, @JsonProperty(required = true) int reasonCode, String planName, String image, Instant openedAt, String resolution)
            implements Decision {
        public IncidentResolved {
            common(schemaVersion, decisionId, incidentId, nodeId, decidedAt);
            Require.nonBlank(resolution, "resolution");
        }
    }

    /**
     * An operator command took effect on a node ({@code ack}, {@code hold}, {@code release}, {@code retry}).
     * {@code incidentId} is the node's open incident, or {@code nodeId#none} when there is none.
     * For {@code release} of a quarantine, {@code releasedQuarantine} tells the actuator to undo it.
     */
    record OperatorCommandApplied(int schemaVersion, String decisionId, String incidentId, String nodeId,
            Instant decidedAt, String commandId, OperatorCommandIssued.Command command, String by, String reason,
            @JsonProperty(required = true) boolean releasedQuarantine, String effect) implements Decision {
        public OperatorCommandApplied {
            common(schemaVersion, decisionId, incidentId, nodeId, decidedAt);
            Require.nonBlank(commandId, "commandId");
            Require.present(command, "command");
            Require.nonBlank(by, "by");
            Require.nonBlank(effect, "effect");
        }
    }

    /** Fleet circuit breaker tripped: too many 71/72 in the window; automatic image actions stop. One page. */
    record FleetHoldDecided(int schemaVersion, String decisionId, String incidentId, String nodeId,
            Instant decidedAt, java.util.List<String> nodes, @JsonProperty(required = true) int threshold, @JsonProperty(required = true) long windowSeconds) implements Decision {
        public FleetHoldDecided {
            Require.schemaVersion(schemaVersion);
            Require.nonBlank(decisionId, "decisionId");
            Require.nonBlank(incidentId, "incidentId");
            if (nodeId != null) {
                throw new IllegalArgumentException("field 'nodeId' must be absent for a fleet decision");
            }
            Require.present(decidedAt, "decidedAt");
            nodes = java.util.List.copyOf(Require.nonNullElements(nodes, "nodes"));
        }
    }

    /** An operator released the fleet breaker ({@code release --fleet}). */
    record FleetReleased(int schemaVersion, String decisionId, String incidentId, String nodeId, Instant decidedAt,
            String commandId, String by, String reason) implements Decision {
        public FleetReleased {
            Require.schemaVersion(schemaVersion);
            Require.nonBlank(decisionId, "decisionId");
            Require.nonBlank(incidentId, "incidentId");
            if (nodeId != null) {
                throw new IllegalArgumentException("field 'nodeId' must be absent for a fleet decision");
            }
            Require.present(decidedAt, "decidedAt");
            Require.nonBlank(commandId, "commandId");
            Require.nonBlank(by, "by");
        }
    }

    /** Which mapping a decision used. */
    record ImageMappingRef(String plan, String image, Long upgradeHeight, String source) {
        public ImageMappingRef {
            Require.nonBlank(plan, "mapping.plan");
            Require.nonBlank(image, "mapping.image");
        }

        public static ImageMappingRef of(ImageMappingChanged m) {
            return new ImageMappingRef(m.plan(), m.image(), m.upgradeHeight(), m.source());
        }
    }

    /** Why an incident awaits a mapping: the condition's reason. */
    enum WaitReason {
        ImageMappingMissing,
        PlanUnknown
    }

    /** Page severities (PagerDuty's set). */
    enum Severity {
        critical,
        error,
        warning,
        info
    }

    /** Why a page-only decision was made. */
    enum PageReason {
        /** A reserved code 73–89: graceful but unrecognised. */
        UnrecognisedHalt,
        /** 71 but no previous running image is known for the node. */
        NoPreviousImage,
        /** The node is on hold; nothing automatic. */
        NodeOnHold,
        /** The fleet breaker is open; nothing automatic. */
        FleetHoldActive,
        /** The only candidate image is one this node rejected as too new. */
        TooNewImageRefused,
        /** The node is quarantined; nothing automatic. */
        Quarantined
    }
}
