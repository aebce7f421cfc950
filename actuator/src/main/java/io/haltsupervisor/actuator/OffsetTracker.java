package io.haltsupervisor.actuator;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which decision offsets may be committed while decisions of one partition finish out of order (decisions of
 * different nodes run concurrently, {@link NodeLanes}). Per partition the committed offset is the lowest record
 * not fully recorded — the lowest still in flight, or one past the highest consumed when none is — never past a
 * record whose results are not all written. The records above it that are fully recorded are listed in the
 * commit's metadata ({@value #PREFIX} and their distances from the offset, e.g. {@code done:1,3-5}): when the
 * partition is consumed again from the committed offset (a restart, another replica), {@link #seed} reads them back
 * and {@link #alreadyDone} skips them, so a decision that was fully recorded is never run a second time — a second
 * run could plan differently (an acknowledgement planned after a later escalation was recorded would acknowledge
 * that escalation too).
 *
 * <p>The in-flight span of a partition (highest consumed − lowest in flight) is what {@link #span} reports; the
 * consuming thread pauses a partition whose span reaches {@link #MAX_SPAN}, which bounds the metadata (well under
 * the broker's {@code offset.metadata.max.bytes}, 4096 by default). Pure and thread-safe.
 */
final class OffsetTracker {
    /** Start of the metadata of a commit that lists fully recorded offsets above it. */
    static final String PREFIX = "done:";
    /** Largest in-flight span of a partition before its consumption pauses. */
    static final int MAX_SPAN = 256;

    private static final class Partition {
        final NavigableSet<Long> inFlight = new TreeSet<>();
        /** Fully recorded offsets at or above the next commit point (from this session or the last commit). */
        final NavigableSet<Long> done = new TreeSet<>();
        long highest = -1;
        long committedOffset = -1;
        String committedMetadata = "";
    }

    private final Map<TopicPartition, Partition> partitions = new HashMap<>();

    /**
     * The group's committed position of {@code tp} (when this member is assigned it): the offsets its metadata lists
     * as fully recorded are skipped when consumed again.
     *
     * @throws IllegalArgumentException when the metadata is not one this class wrote (it is then ignored by callers)
     */
    synchronized void seed(TopicPartition tp, OffsetAndMetadata committed) {
        Partition p = new Partition();
        partitions.put(tp, p);
        if (committed == null) {
            return;
        }
        p.committedOffset = committed.offset();
        p.committedMetadata = committed.metadata() == null ? "" : committed.metadata();
        p.done.addAll(decode(committed.offset(), p.committedMetadata));
    }

    /**
     * True when the record at {@code offset} was fully recorded before (listed in the committed metadata): it is
     * then counted done at once and must not run again.
     */
    synchronized boolean alreadyDone(TopicPartition tp, long offset) {
        Partition p = partitions.computeIfAbsent(tp, k -> new Partition());
        if (!p.done.contains(offset)) {
            return false;
        }
        consumed(p, offset);
        return true;
    }

    /** The record at {@code offset} has been handed to a lane (or is being dead-lettered). */
    synchronized void dispatched(TopicPartition tp, long offset) {
        Partition p = partitions.computeIfAbsent(tp, k -> new Partition());
        p.inFlight.add(offset);
        consumed(p, offset);
    }

    private static void consumed(Partition p, long offset) {
        p.highest = Math.max(p.highest, offset);
        if (p.committedOffset < 0) {
            // the first record seen was fetched from the group's committed position (or later): nothing to commit
            // below it
            p.committedOffset = offset;
        }
    }

    /** The record at {@code offset} is done: its results (or dead letter) are in the transaction being written. */
    synchronized void done(TopicPartition tp, long offset) {
        Partition p = partitions.get(tp);
        if (p != null && p.inFlight.remove(offset)) {
            p.done.add(offset);
        }
    }

    /** The offsets (with metadata) to commit per partition, where they changed since {@link #committed}. */
    synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (Map.Entry<TopicPartition, Partition> e : partitions.entrySet()) {
            Partition p = e.getValue();
            if (p.highest < 0) {
                continue; // nothing consumed in this session: the committed position stands
            }
            long next = p.inFlight.isEmpty() ? p.highest + 1 : p.inFlight.first();
            p.done.headSet(next, false).clear();
            String metadata = encode(next, p.done);
            if (next != p.committedOffset || !metadata.equals(p.committedMetadata)) {
                out.put(e.getKey(), new OffsetAndMetadata(next, metadata));
            }
        }
        return out;
    }

    /** {@code offsets} were committed. */
    synchronized void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, om) -> {
            Partition p = partitions.get(tp);
            if (p != null) {
                p.committedOffset = om.offset();
                p.committedMetadata = om.metadata();
            }
        });
    }

    /** Records of these partitions in flight (0 when none). */
    synchronized int inFlight(Iterable<TopicPartition> tps) {
        int n = 0;
        for (TopicPartition tp : tps) {
            Partition p = partitions.get(tp);
            n += p == null ? 0 : p.inFlight.size();
        }
        return n;
    }

    /** Highest consumed offset minus the lowest in flight (0 when none is in flight). */
    synchronized long span(TopicPartition tp) {
        Partition p = partitions.get(tp);
        return p == null || p.inFlight.isEmpty() ? 0 : p.highest - p.inFlight.first();
    }

    /** Forgets partitions this member no longer owns. */
    synchronized void forget(Iterable<TopicPartition> tps) {
        for (TopicPartition tp : tps) {
            partitions.remove(tp);
        }
    }

    /** {@code done:} and the distances from {@code base} of the offsets in {@code done}, runs as {@code a-b}. */
    static String encode(long base, NavigableSet<Long> done) {
        if (done.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(PREFIX);
        long runStart = -1;
        long prev = -2;
        for (long o : done) {
            long d = o - base;
            if (d == prev + 1) {
                prev = d;
                continue;
            }
            if (runStart >= 0) {
                appendRun(sb, runStart, prev);
            }
            runStart = d;
            prev = d;
        }
        appendRun(sb, runStart, prev);
        return sb.toString();
    }

    private static void appendRun(StringBuilder sb, long from, long to) {
        if (sb.length() > PREFIX.length()) {
            sb.append(',');
        }
        sb.append(from);
        if (to > from) {
            sb.append('-').append(to);
        }
    }

    /**
     * The offsets a commit's metadata lists as fully recorded; empty for empty metadata.
     *
     * @throws IllegalArgumentException for metadata this class did not write, naming it
     */
    static NavigableSet<Long> decode(long base, String metadata) {
        Objects.requireNonNull(metadata, "metadata");
        NavigableSet<Long> out = new TreeSet<>();
        if (metadata.isEmpty()) {
            return out;
        }
        if (!metadata.startsWith(PREFIX)) {
            throw new IllegalArgumentException("committed offset metadata '" + metadata + "': expected '" + PREFIX
                    + "' and offset distances (e.g. done:1,3-5)");
        }
        try {
            for (String part : metadata.substring(PREFIX.length()).split(",")) {
                int dash = part.indexOf('-');
                long from = Long.parseLong(dash < 0 ? part : part.substring(0, dash));
                long to = dash < 0 ? from : Long.parseLong(part.substring(dash + 1));
                if (from < 0 || to < from || to - from > MAX_SPAN * 4L) {
                    throw new NumberFormatException("range " + part);
                }
                for (long d = from; d <= to; d++) {
                    out.add(base + d);
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("committed offset metadata '" + metadata + "': expected '" + PREFIX
                    + "' and offset distances (e.g. done:1,3-5), " + e.getMessage(), e);
        }
        return out;
    }
}
