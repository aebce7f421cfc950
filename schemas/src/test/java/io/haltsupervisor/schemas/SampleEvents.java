package io.haltsupervisor.schemas;

import io.haltsupervisor.schemas.Decision.ImageMappingRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One realistic sample of every event record, per topic; shared by tests across modules (test-jar). */
public final class SampleEvents {
    public static final Instant T0 = Instant.parse("2026-11-20T10:15:00.123456789Z");
    public static final String NODE = "sei/rpc-0";
    public static final HaltIntent INTENT = new HaltIntent(70, "upgrade_required", "v6", 151_000_000L,
            "{\"binaries\":{\"linux/amd64\":\"https://example.invalid/seid\"}}", T0);

    private SampleEvents() {
    }

    public static List<HaltObserved> haltObservations() {
        return List.of(
                HaltObserved.fromStatus(NODE, INTENT, T0.plusSeconds(1), "rpc-0", "ghcr.io/sei-protocol/seid:v5.9.0",
                        150_999_999L, "v5.9.0"),
                HaltObserved.fromExitCode(NODE, new HaltCode(71), T0.plusSeconds(2), "rpc-0", "uid-1",
                        "containerd://abc", 3, T0.plusSeconds(1), "ghcr.io/sei-protocol/seid:v6.0.0"),
                HaltObserved.fromExitCode(NODE, new HaltCode(84), T0.plusSeconds(2), "rpc-0", "uid-1",
                        "containerd://def", 0, T0, "ghcr.io/sei-protocol/seid:v6.0.0"));
    }

    public static List<NodeObservation> nodeObservations() {
        return List.of(
                NodeStatusObserved.of(NODE, T0, NodeStatusObserved.Change.HEARTBEAT, 150_999_999L, "v5.9.0", false,
                        "rpc-0"),
                PodStateObserved.of(NODE, T0, "rpc-0", "uid-1", "ghcr.io/sei-protocol/seid:v5.9.0", true, "Running", 0,
                        null, false, false),
                PodStateObserved.of(NODE, T0, "rpc-0", "uid-1", "ghcr.io/sei-protocol/seid:v5.9.0", false, "Running",
                        2, 1, true, false),
                PodStateObserved.of(NODE, T0, "rpc-1", "uid-2", "ghcr.io/sei-protocol/seid:v6.0.1", false, "Running",
                        1, 71, false, false).withCurrentImage("ghcr.io/sei-protocol/seid:v5.9.0"));
    }

    public static List<ImageMappingChanged> imageMappings() {
        return List.of(
                ImageMappingChanged.of("v6", "ghcr.io/sei-protocol/seid:v6.0.1", 151_000_000L, "configmap:sei/upgrades",
                        T0),
                ImageMappingChanged.of("v7", "registry.local:5000/seid@sha256:"
                        + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", null, "cli:alice", T0));
    }

    public static List<OperatorCommandIssued> operatorCommands() {
        return List.of(
                OperatorCommandIssued.forNode("cmd-1", NODE, OperatorCommandIssued.Command.ACK, "alice", "looking",
                        T0),
                OperatorCommandIssued.forFleet("cmd-2", OperatorCommandIssued.Command.RELEASE, "bob",
                        "fixed the release", T0));
    }

    public static List<Decision> decisions() {
        String inc = NODE + "#1";
        ImageMappingRef mapping = new ImageMappingRef("v6", "ghcr.io/sei-protocol/seid:v6.0.1", 151_000_000L,
                "configmap:sei/upgrades");
        return List.of(
                new Decision.UpgradeDecided(1, inc + "/upgrade/0", inc, NODE, T0, 70, "v6",
                        "ghcr.io/sei-protocol/seid:v6.0.1", "ghcr.io/sei-protocol/seid:v5.9.0", mapping, "rpc-0",
                        "uid-1"),
                new Decision.MappingAwaited(1, inc + "/await/0", inc, NODE, T0, 70, "v6",
                        Decision.WaitReason.ImageMappingMissing, "rpc-0"),
                new Decision.RollbackDecided(1, inc + "/rollback/0", inc, NODE, T0, 71, "v7",
                        "ghcr.io/sei-protocol/seid:v5.9.0", "ghcr.io/sei-protocol/seid:v7.0.0", "rpc-0", "uid-1"),
                new Decision.QuarantineDecided(1, inc + "/quarantine/0", inc, NODE, T0, 72, "v6",
                        "ghcr.io/sei-protocol/seid:v5.9.0", "rpc-0", "uid-1"),
                new Decision.HaltPaged(1, inc + "/page/0", inc, NODE, T0, 73, null, Decision.Severity.error,
                        Decision.PageReason.UnrecognisedHalt, "graceful but unrecognised halt code 73"),
                new Decision.PodTerminationDecided(1, inc + "/terminate/0", inc, NODE, T0, "rpc-0", "uid-1", 300),
                new Decision.IncidentEscalated(1, inc + "/escalate/0", inc, NODE, T0, 70, "v6", T0.minusSeconds(600),
                        "unresolved after 10m"),
                new Decision.IncidentResolved(1, inc + "/resolve/0", inc, NODE, T0, 70, "v6",
                        "ghcr.io/sei-protocol/seid:v6.0.1", T0.minusSeconds(60), "running target image"),
                new Decision.OperatorCommandApplied(1, inc + "/operator/cmd-1", inc, NODE, T0, "cmd-1",
                        OperatorCommandIssued.Command.RELEASE, "alice", "state restored", true, "quarantine released"),
                new Decision.FleetHoldDecided(1, "_fleet#1/fleet-hold", "_fleet#1", null, T0,
                        List.of("sei/a-0", "sei/b-0", "sei/c-0", "sei/d-0"), 3, 600),
                new Decision.FleetReleased(1, "_fleet#1/fleet-release/cmd-2", "_fleet#1", null, T0, "cmd-2", "bob",
                        "fixed"));
    }

    public static List<ActionResultRecorded> actionResults() {
        return List.of(new ActionResultRecorded(1, NODE + "#1/upgrade/0", NODE + "#1", NODE, "upgrade", "set-image", 0,
                "SeiNode sei/rpc-0", ActionResultRecorded.Outcome.APPLIED, "image v5.9.0 -> v6.0.1", 1, T0),
                new ActionResultRecorded(1, "_fleet#1/fleet-hold", "_fleet#1", null, "fleet-hold", "page-trigger", 0,
                        "pagerduty", ActionResultRecorded.Outcome.FAILED_RETRYING, "HTTP 429", 2, T0));
    }

    public static List<DeadLetterRecorded> deadLetters() {
        return List.of(DeadLetterRecorded.of("seid.halt-observations.v1", 0, 42, T0, "sei/rpc-0".getBytes(),
                "{not json".getBytes(), DeadLetterRecorded.Category.MALFORMED, new IllegalArgumentException("malformed"),
                "decider", T0), DeadLetterRecorded.of("seid.decisions.v1", 3, 7, null, null, null,
                DeadLetterRecorded.Category.REJECTED, new IllegalArgumentException("tombstone"), "actuator", T0));
    }

    /** Every sample, by topic. */
    public static Map<Topic<?, ?>, List<?>> byTopic() {
        return Map.of(Topics.HALT_OBSERVATIONS, haltObservations(), Topics.NODE_OBSERVATIONS, nodeObservations(),
                Topics.IMAGE_MAPPINGS, imageMappings(), Topics.OPERATOR_COMMANDS, operatorCommands(),
                Topics.DECISIONS, decisions(), Topics.ACTION_RESULTS, actionResults(), Topics.DEAD_LETTERS,
                deadLetters());
    }
}
