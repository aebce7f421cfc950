package io.haltsupervisor.decider;

import io.haltsupervisor.schemas.HaltCode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.ShutdownReason;
import java.time.Instant;

/** Builders of input events for decider tests; names say what a node did. */
public final class Events {
    public static final String IMG5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    public static final String IMG6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    public static final String IMG7 = "ghcr.io/sei-protocol/seid:v7.0.0";
    public static final long V6_HEIGHT = 151_000_000L;

    private Events() {
    }

    public static String pod(String nodeId) {
        return nodeId.substring(nodeId.indexOf('/') + 1) + "-0";
    }

    /** The status poller read a halt_intent. */
    public static HaltObserved statusHalt(String nodeId, int code, String plan, Long height, Instant announcedAt,
            String image, Instant observedAt) {
        HaltIntent intent = new HaltIntent(code, ShutdownReason.ofCode(code).token(), plan, height, null, announcedAt);
        return HaltObserved.fromStatus(nodeId, intent, observedAt, pod(nodeId), image,
                height == null ? null : height - 1, "v5.9.0");
    }

    /** The pod watcher read a terminated container's exit code. */
    public static HaltObserved exitHalt(String nodeId, int code, String podUid, String containerId, int restarts,
            Instant finishedAt, String image) {
        return HaltObserved.fromExitCode(nodeId, new HaltCode(code), finishedAt.plusSeconds(1), pod(nodeId), podUid,
                containerId, restarts, finishedAt, image);
    }

    public static PodStateObserved podReady(String nodeId, String uid, String image, int restarts, Instant at) {
        return PodStateObserved.of(nodeId, at, pod(nodeId), uid, image, true, "Running", restarts, null, false, false);
    }

    public static PodStateObserved podNotReady(String nodeId, String uid, String image, int restarts, Instant at) {
        return PodStateObserved.of(nodeId, at, pod(nodeId), uid, image, false, "Running", restarts, null, false,
                false);
    }

    public static NodeStatusObserved heartbeat(String nodeId, long height, Instant at) {
        return NodeStatusObserved.of(nodeId, at, NodeStatusObserved.Change.HEARTBEAT, height, "v5.9.0", false,
                pod(nodeId));
    }

    public static NodeStatusObserved recovered(String nodeId, long height, Instant at) {
        return NodeStatusObserved.of(nodeId, at, NodeStatusObserved.Change.RECOVERED, height, "v6.0.1", false,
                pod(nodeId));
    }

    public static ImageMappingChanged mapping(String plan, String image, Long height, Instant at) {
        return ImageMappingChanged.of(plan, image, height, "configmap:sei/upgrades", at);
    }

    public static OperatorCommandIssued command(String id, String nodeId, OperatorCommandIssued.Command command,
            Instant at) {
        return OperatorCommandIssued.forNode(id, nodeId, command, "alice", "testing " + command.token(), at);
    }

    public static OperatorCommandIssued fleetRelease(String id, Instant at) {
        return OperatorCommandIssued.forFleet(id, OperatorCommandIssued.Command.RELEASE, "bob", "fixed the release",
                at);
    }
}
