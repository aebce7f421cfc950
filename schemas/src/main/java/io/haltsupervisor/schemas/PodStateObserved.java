package io.haltsupervisor.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * The {@code seid} container of a node's pod, as the pod watcher sees it. Published when the running
 * image or readiness changes (the decider learns a node's previous running image from these), and
 * when the pod runs cosmovisor, whose exit code 1 masks the halt codes.
 *
 * @param podName      the pod
 * @param podUid       the pod uid
 * @param image        the {@code seid} container's image (spec)
 * @param ready        the container's readiness
 * @param phase        the pod phase
 * @param restartCount the container's restart count
 * @param lastExitCode the last terminated exit code of any kind, when there is one (not only halts)
 * @param cosmovisor   true when the container runs cosmovisor (exit-code path blind)
 * @param deleted      true when the pod was deleted
 */
public record PodStateObserved(
        int schemaVersion,
        String nodeId,
        Instant observedAt,
        String podName,
        String podUid,
        String image,
        @JsonProperty(required = true) boolean ready,
        String phase,
        @JsonProperty(required = true) int restartCount,
        Integer lastExitCode,
        @JsonProperty(required = true) boolean cosmovisor,
        @JsonProperty(required = true) boolean deleted) implements NodeObservation {

    public PodStateObserved {
        Require.schemaVersion(schemaVersion, SCHEMA_VERSION);
        Require.nodeId(nodeId, "nodeId");
        Require.present(observedAt, "observedAt");
        Require.nonBlank(podName, "podName");
        Require.nonBlank(image, "image");
    }

    public static PodStateObserved of(String nodeId, Instant observedAt, String podName, String podUid, String image,
            @JsonProperty(required = true) boolean ready, String phase, int restartCount, Integer lastExitCode, boolean cosmovisor, boolean deleted) {
        return new PodStateObserved(SCHEMA_VERSION, nodeId, observedAt, podName, podUid, image, ready, phase,
                restartCount, lastExitCode, cosmovisor, deleted);
    }
}
