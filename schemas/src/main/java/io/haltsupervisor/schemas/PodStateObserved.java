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
 * @param currentImage for a pod of a SeiNode: the image its controller reports the node runs — the SeiNode's
 *                     {@code status.currentImage}, else its SeiNetwork's {@code status.nodes[].currentImage} —
 *                     as read when this was published; null for other nodes or when not reported yet. While an
 *                     update plan runs it is still the image before the change (the controller stamps it only
 *                     once the new pod runs the new image), so it is the node's previous image even when the
 *                     supervisor never saw that image run.
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
        @JsonProperty(required = true) boolean deleted,
        String currentImage) implements NodeObservation {

    public PodStateObserved {
        Require.schemaVersion(schemaVersion, SCHEMA_VERSION);
        Require.nodeId(nodeId, "nodeId");
        Require.present(observedAt, "observedAt");
        Require.nonBlank(podName, "podName");
        Require.nonBlank(image, "image");
        if (currentImage != null && currentImage.isBlank()) {
            currentImage = null;
        }
    }

    /** Without a controller-reported image (not a SeiNode's pod, or not reported yet). */
    public PodStateObserved(int schemaVersion, String nodeId, Instant observedAt, String podName, String podUid,
            String image, boolean ready, String phase, int restartCount, Integer lastExitCode, boolean cosmovisor,
            boolean deleted) {
        this(schemaVersion, nodeId, observedAt, podName, podUid, image, ready, phase, restartCount, lastExitCode,
                cosmovisor, deleted, null);
    }

    /** This observation with the controller-reported image {@code currentImage}. */
    public PodStateObserved withCurrentImage(String currentImage) {
        return new PodStateObserved(schemaVersion, nodeId, observedAt, podName, podUid, image, ready, phase,
                restartCount, lastExitCode, cosmovisor, deleted, currentImage);
    }

    public static PodStateObserved of(String nodeId, Instant observedAt, String podName, String podUid, String image,
            @JsonProperty(required = true) boolean ready, String phase, int restartCount, Integer lastExitCode, boolean cosmovisor, boolean deleted) {
        return new PodStateObserved(SCHEMA_VERSION, nodeId, observedAt, podName, podUid, image, ready, phase,
                restartCount, lastExitCode, cosmovisor, deleted);
    }
}
