package io.haltsupervisor.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;

/**
 * A node's {@code /status} without a halt intent. Published when something changed — first seen,
 * recovered (an intent went away), version changed — and as a low-rate heartbeat carrying
 * {@code latestBlockHeight}, so an exit-code-only incident can find its plan by height.
 *
 * @param change            why this was published
 * @param latestBlockHeight {@code sync_info.latest_block_height}
 * @param version           {@code node_info.version} (or {@code application_info.version})
 * @param catchingUp        {@code sync_info.catching_up}, when served
 * @param podName           the pod polled
 */
public record NodeStatusObserved(
        int schemaVersion,
        String nodeId,
        Instant observedAt,
        Change change,
        Long latestBlockHeight,
        String version,
        Boolean catchingUp,
        String podName) implements NodeObservation {

    public NodeStatusObserved {
        Require.schemaVersion(schemaVersion, SCHEMA_VERSION);
        Require.nodeId(nodeId, "nodeId");
        Require.present(observedAt, "observedAt");
        Require.present(change, "change");
        Require.nonNegative(latestBlockHeight, "latestBlockHeight");
    }

    public static NodeStatusObserved of(String nodeId, Instant observedAt, Change change, Long latestBlockHeight,
            String version, Boolean catchingUp, String podName) {
        return new NodeStatusObserved(SCHEMA_VERSION, nodeId, observedAt, change, latestBlockHeight, version,
                catchingUp, podName);
    }

    /** Why a status observation was published. */
    public enum Change {
        FIRST_SEEN("first-seen"),
        RECOVERED("recovered"),
        VERSION_CHANGED("version-changed"),
        HEARTBEAT("heartbeat");

        private final String token;

        Change(String token) {
            this.token = token;
        }

        @JsonValue
        public String token() {
            return token;
        }

        @JsonCreator
        public static Change fromToken(String token) {
            for (Change c : values()) {
                if (c.token.equals(token)) {
                    return c;
                }
            }
            throw new IllegalArgumentException(
                    "change: expected first-seen, recovered, version-changed or heartbeat, got '" + token + "'");
        }
    }
}
