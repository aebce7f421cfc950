package io.haltsupervisor.actuator;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * Which decision offsets may be committed while decisions of one partition finish out of order (decisions of
 * different nodes run concurrently, {@link NodeLanes}): per partition, the offset to commit is the lowest one
 * still in flight, or one past the highest dispatched when none is — never past a record that is not done.
 * Pure and thread-safe.
 */
final class OffsetTracker {
    private final Map<TopicPartition, TreeSet<Long>> inFlight = new HashMap<>();
    private final Map<TopicPartition, Long> highest = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    /** The record at {@code offset} has been handed to a lane (or is being dead-lettered). */
    synchronized void dispatched(TopicPartition tp, long offset) {
        inFlight.computeIfAbsent(tp, k -> new TreeSet<>()).add(offset);
        highest.merge(tp, offset, Math::max);
        // the first record seen was fetched from the group's committed position (or later): nothing to commit below
        committed.putIfAbsent(tp, offset);
    }

    /** The record at {@code offset} is done: its results (or dead letter) are in the transaction being written. */
    synchronized void done(TopicPartition tp, long offset) {
        TreeSet<Long> set = inFlight.get(tp);
        if (set != null) {
            set.remove(offset);
        }
    }

    /** The next offset to commit per partition, where it moved since {@link #committed}. */
    synchronized Map<TopicPartition, Long> committable() {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (Map.Entry<TopicPartition, Long> e : highest.entrySet()) {
            TreeSet<Long> set = inFlight.get(e.getKey());
            long next = set == null || set.isEmpty() ? e.getValue() + 1 : set.first();
            Long last = committed.get(e.getKey());
            if (last == null || next > last) {
                out.put(e.getKey(), next);
            }
        }
        return out;
    }

    /** {@code offsets} were committed. */
    synchronized void committed(Map<TopicPartition, Long> offsets) {
        offsets.forEach((tp, o) -> committed.merge(tp, o, Math::max));
    }

    /** Records of these partitions in flight (0 when none). */
    synchronized int inFlight(Iterable<TopicPartition> partitions) {
        int n = 0;
        for (TopicPartition tp : partitions) {
            TreeSet<Long> set = inFlight.get(tp);
            n += set == null ? 0 : set.size();
        }
        return n;
    }

    /** Forgets partitions this member no longer owns. */
    synchronized void forget(Iterable<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            inFlight.remove(tp);
            highest.remove(tp);
            committed.remove(tp);
        }
    }
}
