package io.haltsupervisor.cli;

import java.util.Map;
import java.util.Optional;

/**
 * How far a node is from the next known upgrade height: the lowest mapped height above its latest height, and the
 * blocks remaining to it. What the dashboard and {@code supervisor incidents} show for nodes near an upgrade (the
 * moment height-aware polling prepares for, docs/operations.md). Pure.
 *
 * @param plan            the mapping's plan
 * @param upgradeHeight   the plan's height
 * @param blocksRemaining {@code upgradeHeight - latestHeight}, at least 1 (a node halted at the height shows 1: it
 *                        has committed {@code upgradeHeight - 1})
 */
public record UpgradeApproach(String plan, long upgradeHeight, long blocksRemaining) {

    /** Nodes this many blocks or fewer from a mapped height are "near" it (about 1 h at Sei's 0.4 s). */
    public static final long NEAR_BLOCKS = 10_000;

    /**
     * @param latestHeight  the node's latest reported height, or null when unknown
     * @param mappedHeights plan → upgrade height, for the mappings that have a height
     * @return the nearest mapped height above {@code latestHeight} within {@link #NEAR_BLOCKS}, if any
     */
    public static Optional<UpgradeApproach> of(Long latestHeight, Map<String, Long> mappedHeights) {
        if (latestHeight == null) {
            return Optional.empty();
        }
        UpgradeApproach best = null;
        for (Map.Entry<String, Long> e : mappedHeights.entrySet()) {
            Long h = e.getValue();
            if (h == null || h <= latestHeight || h - latestHeight > NEAR_BLOCKS) {
                continue;
            }
            if (best == null || h < best.upgradeHeight || (h == best.upgradeHeight && e.getKey().compareTo(best.plan) < 0)) {
                best = new UpgradeApproach(e.getKey(), h, h - latestHeight);
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code 42 blocks to v6 (1000000)}. */
    public String describe() {
        return blocksRemaining + (blocksRemaining == 1 ? " block" : " blocks") + " to " + plan + " (" + upgradeHeight
                + ")";
    }
}
