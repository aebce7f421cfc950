package io.haltsupervisor.decider.core;

import java.util.Locale;

/**
 * Keys of the {@code decider-plan-waiters} index: {@code prefix + nodeId}, where the prefix names what
 * the incident waits for. A mapping's arrival reads exactly the entries under its plan's (and its
 * upgrade height's) prefix, never the whole node population.
 */
public final class WaitKeys {
    private WaitKeys() {
    }

    /** Waiting for the mapping of {@code plan}. Length-prefixed so no plan name is a prefix of another's key. */
    public static String plan(String plan) {
        return "p:" + plan.length() + ":" + plan + "/";
    }

    /**
     * Waiting for a mapping whose upgrade height is at least {@code height} (plan unknown; {@code height} is
     * the node's last known block height + 1). Zero-padded so the keys sort by height for range scans.
     */
    public static String height(long height) {
        return String.format(Locale.ROOT, "h:%019d/", height);
    }
}
