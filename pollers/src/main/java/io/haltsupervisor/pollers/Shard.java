package io.haltsupervisor.pollers;

/**
 * Which nodes this replica owns: {@code floorMod(nodeId.hashCode(), replicas) == ordinal}.
 * {@link String#hashCode()} is specified by the language, so every replica, on any JVM, agrees.
 */
public record Shard(int ordinal, int replicas) {

    public static final Shard SOLE = new Shard(0, 1);

    public Shard {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas: expected at least 1, got " + replicas);
        }
        if (ordinal < 0 || ordinal >= replicas) {
            throw new IllegalArgumentException(
                    "ordinal: expected 0.." + (replicas - 1) + " for " + replicas + " replicas, got " + ordinal);
        }
    }

    public boolean owns(String nodeId) {
        return Math.floorMod(nodeId.hashCode(), replicas) == ordinal;
    }

    /** The replica that runs fleet-wide duties (the mapping sync). */
    public boolean leader() {
        return ordinal == 0;
    }
}
