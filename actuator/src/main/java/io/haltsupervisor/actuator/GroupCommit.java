package io.haltsupervisor.actuator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One transactional producer shared by the decision lanes, written in as few transactions as the lanes allow:
 * whatever is handed in while a transaction is being committed goes, all together, into the next one (group
 * commit). A transaction carries its records and, through {@link OffsetTracker}, the decision offsets that became
 * committable with them ({@code sendOffsetsToTransaction}), so a decision's offset is committed with its last
 * results, never before them, and never past a decision of the same partition still running.
 *
 * <p>{@link #submit} returns once its records are committed (a step's result is recorded before the next step
 * acts); {@link #enqueue} returns at once (dead letters: they ride with the next transaction, or {@link #flush}).
 * A failed transaction is aborted and breaks the committer: that and every later call fail with the error, and the
 * session is rebuilt. Thread-safe.
 */
final class GroupCommit {

    /** The producer's transactional calls. */
    interface Transactor {
        void begin();

        void send(ProducerRecord<String, byte[]> record);

        /** {@code sendOffsetsToTransaction} with the consumer's current group metadata. */
        void offsets(Map<TopicPartition, OffsetAndMetadata> nextOffsets);

        void commit();

        void abort();
    }

    /** Records to write, and optionally the decision record they finish. */
    private static final class Ticket {
        final List<ProducerRecord<String, byte[]>> records;
        final TopicPartition partition;
        final long offset;
        volatile boolean done;
        volatile RuntimeException failure;

        Ticket(List<ProducerRecord<String, byte[]>> records, TopicPartition partition, long offset) {
            this.records = List.copyOf(records);
            this.partition = partition;
            this.offset = offset;
        }
    }

    private final Transactor tx;
    private final OffsetTracker offsets;
    private final Runnable onTransaction;
    private final List<Ticket> queue = new ArrayList<>();
    private final Object commitLock = new Object();
    private volatile RuntimeException broken;

    /** @param onTransaction called after each committed transaction (a metric) */
    GroupCommit(Transactor tx, OffsetTracker offsets, Runnable onTransaction) {
        this.tx = Objects.requireNonNull(tx, "tx");
        this.offsets = Objects.requireNonNull(offsets, "offsets");
        this.onTransaction = Objects.requireNonNull(onTransaction, "onTransaction");
    }

    /**
     * Writes {@code records} (and marks the decision record at {@code partition}/{@code offset} done, when
     * {@code partition} is not null) and returns once they are committed.
     *
     * @throws RuntimeException the transaction's failure
     */
    void submit(List<ProducerRecord<String, byte[]>> records, TopicPartition partition, long offset) {
        Ticket t = add(records, partition, offset);
        synchronized (commitLock) {
            if (!t.done) {
                commitQueued();
            }
        }
        if (t.failure != null) {
            throw t.failure;
        }
    }

    /** As {@link #submit} without waiting: committed with the next transaction or {@link #flush}. */
    void enqueue(List<ProducerRecord<String, byte[]>> records, TopicPartition partition, long offset) {
        add(records, partition, offset);
    }

    /** Commits everything handed in so far (nothing when nothing is queued). */
    void flush() {
        synchronized (commitLock) {
            if (queued() == 0) {
                return;
            }
            commitQueued();
            RuntimeException b = broken;
            if (b != null) {
                throw b;
            }
        }
    }

    /** Items handed in and not committed yet. */
    int queued() {
        synchronized (queue) {
            return queue.size();
        }
    }

    /** Fails every waiting and later call with {@code cause} (the session is going away). */
    void breakWith(RuntimeException cause) {
        if (broken == null) {
            broken = cause;
        }
        failQueued(broken);
    }

    private Ticket add(List<ProducerRecord<String, byte[]>> records, TopicPartition partition, long offset) {
        Ticket t = new Ticket(records, partition, offset);
        RuntimeException b = broken;
        if (b != null) {
            throw b;
        }
        synchronized (queue) {
            queue.add(t);
        }
        return t;
    }

    /** Holds commitLock. */
    private void commitQueued() {
        if (broken != null) {
            failQueued(broken);
            return;
        }
        List<Ticket> batch;
        synchronized (queue) {
            if (queue.isEmpty()) {
                return;
            }
            batch = new ArrayList<>(queue);
            queue.clear();
        }
        try {
            tx.begin();
            for (Ticket t : batch) {
                t.records.forEach(tx::send);
                if (t.partition != null) {
                    offsets.done(t.partition, t.offset);
                }
            }
            Map<TopicPartition, OffsetAndMetadata> next = offsets.committable();
            if (!next.isEmpty()) {
                tx.offsets(next);
            }
            tx.commit();
            offsets.committed(next);
            batch.forEach(t -> t.done = true);
            onTransaction.run();
        } catch (RuntimeException e) {
            try {
                tx.abort();
            } catch (RuntimeException ignored) {
                // the session is rebuilt anyway
            }
            broken = e;
            batch.forEach(t -> {
                t.failure = e;
                t.done = true;
            });
            failQueued(e);
        }
    }

    private void failQueued(RuntimeException e) {
        synchronized (queue) {
            queue.forEach(t -> {
                t.failure = e;
                t.done = true;
            });
            queue.clear();
        }
    }
}
