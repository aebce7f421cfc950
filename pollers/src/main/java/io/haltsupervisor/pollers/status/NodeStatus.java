package io.haltsupervisor.pollers.status;

import io.haltsupervisor.schemas.HaltIntent;

/**
 * What a node's {@code /status} says, as far as the supervisor cares.
 *
 * @param latestBlockHeight {@code sync_info.latest_block_height}
 * @param version           the binary version: {@code application_info.version}, else {@code node_info.version}
 * @param catchingUp        {@code sync_info.catching_up}, null when not served
 * @param network           {@code node_info.network} (the chain id), null when not served
 * @param moniker           {@code node_info.moniker}, null when not served
 * @param haltIntent        the {@code halt_intent}, null when absent or {@code null}
 */
public record NodeStatus(long latestBlockHeight, String version, Boolean catchingUp, String network, String moniker,
        HaltIntent haltIntent) {

    public NodeStatus {
        if (latestBlockHeight < 0) {
            throw new IllegalArgumentException("latestBlockHeight: expected >= 0, got " + latestBlockHeight);
        }
    }

    public boolean halted() {
        return haltIntent != null;
    }
}
