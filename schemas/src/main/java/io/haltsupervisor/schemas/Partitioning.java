package io.haltsupervisor.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.utils.Utils;

/**
 * Where a keyed record belongs: the partition Kafka's default partitioner (the Java client's, and Kafka Streams')
 * gives its key, {@code toPositive(murmur2(keyBytes)) % partitions}. Every topic is keyed so that one node's whole
 * story is on one partition (docs/requirements.md §2); a record on another partition is read by another task, which
 * knows nothing of the node and would open a second incident. So every consumer of a keyed topic checks it
 * ({@link #misrouted}) and dead-letters (or, for a read-only tool, reports) a misrouted record.
 */
public final class Partitioning {
    private Partitioning() {
    }

    /** The partition of {@code key} among {@code partitions} under the default partitioner. */
    public static int partitionOf(byte[] key, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    /** {@link #partitionOf(byte[], int)} of the key's UTF-8 bytes. */
    public static int partitionOf(String key, int partitions) {
        return partitionOf(key.getBytes(StandardCharsets.UTF_8), partitions);
    }

    /**
     * Why a record on {@code partition} of {@code topic} (which has {@code partitions}) is on the wrong one, or empty
     * when it is where its key belongs. An unkeyed record has no partition of its own: empty (readers reject it for
     * its missing key).
     */
    public static Optional<String> misrouted(String topic, int partition, byte[] key, int partitions) {
        if (key == null) {
            return Optional.empty();
        }
        int expected = partitionOf(key, partitions);
        if (expected == partition) {
            return Optional.empty();
        }
        String shown = new String(key, 0, Math.min(key.length, 200), StandardCharsets.UTF_8);
        return Optional.of("misrouted: record on " + topic + " partition " + partition + " has key '" + shown
                + "', which Kafka's default partitioner (murmur2) puts on partition " + expected + " of " + partitions
                + "; a node's records must all be on its partition, or a second task would decide for it. Produce "
                + "with a Java client's default partitioner, or with kcat -X partitioner=murmur2_random (kcat's own "
                + "default, consistent_random, uses CRC32 and picks another partition); restore an export with "
                + "./supervisor restore, which keeps each record's partition");
    }
}
