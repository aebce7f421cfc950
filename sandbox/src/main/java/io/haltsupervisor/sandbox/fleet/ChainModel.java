package io.haltsupervisor.sandbox.fleet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A toy of the chain's upgrade rules, enough to make simulated {@code seid}s halt for the same reasons
 * real ones do. The chain has an ordered list of {@link Upgrade}s; a binary (an image) has handlers for
 * the first {@code known} of them; a node's state has applied the first {@code applied}. Then, as in
 * Cosmos SDK's upgrade module:
 * <ul>
 *   <li>{@code applied > known}: the state is ahead of the binary by a completed upgrade → 72;</li>
 *   <li>the next upgrade's height is reached: the binary applies it if it knows it, else → 70;</li>
 *   <li>the binary knows the next upgrade but its height has not arrived → 71;</li>
 *   <li>otherwise the node runs.</li>
 * </ul>
 */
public final class ChainModel {
    private final List<Upgrade> upgrades;
    private final Map<String, Integer> knownByImage;

    /**
     * @param upgrades     the chain's upgrades, in height order
     * @param knownByImage for each image, how many of the upgrades (a prefix) its binary handles
     */
    public ChainModel(List<Upgrade> upgrades, Map<String, Integer> knownByImage) {
        this.upgrades = List.copyOf(upgrades);
        for (int i = 1; i < this.upgrades.size(); i++) {
            if (this.upgrades.get(i).height() <= this.upgrades.get(i - 1).height()) {
                throw new IllegalArgumentException("upgrades: expected increasing heights, got " + upgrades);
            }
        }
        knownByImage.forEach((image, known) -> {
            if (known < 0 || known > this.upgrades.size()) {
                throw new IllegalArgumentException("known upgrades of " + image + ": expected 0–"
                        + this.upgrades.size() + ", got " + known);
            }
        });
        this.knownByImage = Map.copyOf(new LinkedHashMap<>(knownByImage));
    }

    public List<Upgrade> upgrades() {
        return upgrades;
    }

    /** How many upgrades the image's binary handles; an image the model does not know handles none. */
    public int known(String image) {
        return knownByImage.getOrDefault(image, 0);
    }

    /** Whether the model knows the image at all. */
    public boolean hasImage(String image) {
        return knownByImage.containsKey(image);
    }

    /**
     * What a node does now, given its binary, its state and the height of the next block it would
     * execute (the last committed height + 1).
     */
    public Verdict evaluate(int known, int applied, long height) {
        if (applied > known) {
            return new Verdict.Halt(72, upgrades.get(applied - 1));
        }
        if (applied < upgrades.size()) {
            Upgrade next = upgrades.get(applied);
            if (height >= next.height()) {
                return known > applied ? new Verdict.Apply(next) : new Verdict.Halt(70, next);
            }
            if (known > applied) {
                return new Verdict.Halt(71, next);
            }
        }
        return new Verdict.Run();
    }

    /** A chain upgrade: plan name, height and the plan's info. */
    public record Upgrade(String plan, long height, String info) {
    }

    /** What a node does. */
    public sealed interface Verdict {
        /** Keep producing blocks. */
        record Run() implements Verdict {
        }

        /** Apply this upgrade now (the binary handles it) and go on. */
        record Apply(Upgrade upgrade) implements Verdict {
        }

        /** Halt with this code, about this upgrade. */
        record Halt(int code, Upgrade upgrade) implements Verdict {
        }
    }
}
