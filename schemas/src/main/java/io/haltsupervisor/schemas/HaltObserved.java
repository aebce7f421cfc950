package io.haltsupervisor.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A graceful halt seen on one node: value of {@code seid.halt-observations.v1}, keyed by node id.
 *
 * <p>From the status poller ({@link ObservationSource#STATUS}) it carries the {@code intent} as the
 * node served it; from the pod watcher ({@link ObservationSource#EXIT_CODE}) it carries the pod uid,
 * container id, restart count and {@code finishedAt}, which is what lets the decider fold a
 * crash-loop's restarts into one incident.
 *
 * @param reasonCode        the raw halt code 70–89 (kept for reserved codes), or 0 from a {@code halt_intent}
 *                          without a known reason (status source only)
 * @param reason            the reason token (derived from the code when absent)
 * @param intent            the {@code halt_intent} as served (status source only)
 * @param observedAt        when the poller or watcher saw it
 * @param podName           the pod, when known
 * @param podUid            the pod uid (exit-code source)
 * @param containerId       the terminated container's id (exit-code source)
 * @param restartCount      the container's restart count (exit-code source)
 * @param finishedAt        when the container terminated (exit-code source)
 * @param image             the image the container ran, when known
 * @param latestBlockHeight the node's last block height, when known (status source)
 * @param version           the binary version, when known (status source)
 */
public record HaltObserved(
        int schemaVersion,
        String nodeId,
        ObservationSource source,
        @JsonProperty(required = true) int reasonCode,
        String reason,
        HaltIntent intent,
        Instant observedAt,
        String podName,
        String podUid,
        String containerId,
        Integer restartCount,
        Instant finishedAt,
        String image,
        Long latestBlockHeight,
        String version) {

    public static final int SCHEMA_VERSION = 1;

    public HaltObserved {
        Require.schemaVersion(schemaVersion, SCHEMA_VERSION);
        Require.nodeId(nodeId, "nodeId");
        Require.present(source, "source");
        new HaltCode(reasonCode); // validates 70–89 or 0
        if (reasonCode == ShutdownReason.UNKNOWN.code() && source != ObservationSource.STATUS) {
            throw new IllegalArgumentException("reasonCode: 0 comes only from a halt_intent (source status), not from "
                    + source.name().toLowerCase(java.util.Locale.ROOT));
        }
        Require.present(observedAt, "observedAt");
        if (reason == null || reason.isBlank()) {
            reason = ShutdownReason.ofCode(reasonCode).token();
        }
        if (source == ObservationSource.STATUS) {
            Require.present(intent, "intent");
        }
        Require.nonNegative(latestBlockHeight, "latestBlockHeight");
    }

    /** A halt read from {@code /status}. */
    public static HaltObserved fromStatus(String nodeId, HaltIntent intent, Instant observedAt, String podName,
            String image, Long latestBlockHeight, String version) {
        return new HaltObserved(SCHEMA_VERSION, nodeId, ObservationSource.STATUS, intent.reason(), null, intent,
                observedAt, podName, null, null, null, null, image, latestBlockHeight, version);
    }

    /** A halt read from a terminated container's exit code. */
    public static HaltObserved fromExitCode(String nodeId, HaltCode code, Instant observedAt, String podName,
            String podUid, String containerId, int restartCount, Instant finishedAt, String image) {
        return new HaltObserved(SCHEMA_VERSION, nodeId, ObservationSource.EXIT_CODE, code.code(), null, null,
                observedAt, podName, podUid, containerId, restartCount, finishedAt, image, null, null);
    }

    public HaltCode haltCode() {
        return new HaltCode(reasonCode);
    }

    /** The plan name, when the node said it (status source). */
    public String planName() {
        return intent == null ? null : intent.planName();
    }
}
