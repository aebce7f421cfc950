package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GroupCommitTest {
    private static final TopicPartition P0 = new TopicPartition("seid.decisions.v1", 0);

    /** Records every call; {@code commit} can be held, or made to fail. */
    private static final class FakeTransactor implements GroupCommit.Transactor {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch holdCommit = new CountDownLatch(0);
        volatile CountDownLatch inCommit = new CountDownLatch(1);
        volatile RuntimeException failCommit;

        @Override
        public void begin() {
            calls.add("begin");
        }

        @Override
        public void send(ProducerRecord<String, byte[]> record) {
            calls.add("send " + record.key());
        }

        @Override
        public void offsets(Map<TopicPartition, OffsetAndMetadata> next) {
            calls.add("offsets " + next.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().offset()
                    + (e.getValue().metadata().isEmpty() ? "" : " " + e.getValue().metadata())).sorted().toList());
        }

        @Override
        public void commit() {
            inCommit.countDown();
            try {
                holdCommit.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failCommit != null) {
                throw failCommit;
            }
            calls.add("commit");
        }

        @Override
        public void abort() {
            calls.add("abort");
        }
    }

    private static List<ProducerRecord<String, byte[]>> records(String... keys) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        for (String k : keys) {
            out.add(new ProducerRecord<>("seid.action-results.v1", k, new byte[0]));
        }
        return out;
    }

    @Test
    void commitsADecisionsLastResultsWithItsOffsetInOneTransaction() {
        FakeTransactor tx = new FakeTransactor();
        OffsetTracker offsets = new OffsetTracker();
        AtomicInteger transactions = new AtomicInteger();
        GroupCommit commits = new GroupCommit(tx, offsets, transactions::incrementAndGet);
        offsets.dispatched(P0, 4);
        commits.submit(records("set-image"), null, -1);
        commits.submit(records("event", "page"), P0, 4);
        assertThat(tx.calls).containsExactly("begin", "send set-image", "commit",
                "begin", "send event", "send page", "offsets [seid.decisions.v1-0=5]", "commit");
        assertThat(transactions).hasValue(2);
    }

    @Test
    void whatIsHandedInDuringACommitGoesTogetherIntoTheNextTransaction() throws Exception {
        FakeTransactor tx = new FakeTransactor();
        tx.holdCommit = new CountDownLatch(1);
        OffsetTracker offsets = new OffsetTracker();
        GroupCommit commits = new GroupCommit(tx, offsets, () -> { });
        Thread first = new Thread(() -> commits.submit(records("a1"), null, -1));
        first.start();
        assertThat(tx.inCommit.await(5, TimeUnit.SECONDS)).isTrue();
        List<Thread> others = new ArrayList<>();
        for (String k : List.of("b1", "c1")) {
            Thread t = new Thread(() -> commits.submit(records(k), null, -1));
            others.add(t);
            t.start();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> commits.queued() == 2);
        tx.holdCommit.countDown();
        first.join(5_000);
        for (Thread t : others) {
            t.join(5_000);
        }
        assertThat(tx.calls).filteredOn("commit"::equals).hasSize(2);
        assertThat(tx.calls.subList(3, tx.calls.size())).containsExactlyInAnyOrder("begin", "send b1", "send c1",
                "commit");
    }

    @Test
    void aFailedTransactionIsAbortedAndFailsEveryLaterCall() {
        FakeTransactor tx = new FakeTransactor();
        tx.failCommit = new KafkaException("broker gone");
        OffsetTracker offsets = new OffsetTracker();
        GroupCommit commits = new GroupCommit(tx, offsets, () -> { });
        offsets.dispatched(P0, 0);
        assertThatThrownBy(() -> commits.submit(records("a"), P0, 0)).hasMessage("broker gone");
        assertThat(tx.calls).endsWith("abort");
        assertThatThrownBy(() -> commits.submit(records("b"), null, -1)).hasMessage("broker gone");
        assertThatThrownBy(() -> commits.enqueue(records("c"), null, -1)).hasMessage("broker gone");
    }

    @Test
    void queuedDeadLettersRideWithTheNextTransactionOrAFlush() {
        FakeTransactor tx = new FakeTransactor();
        OffsetTracker offsets = new OffsetTracker();
        GroupCommit commits = new GroupCommit(tx, offsets, () -> { });
        offsets.dispatched(P0, 0);
        offsets.dispatched(P0, 1);
        commits.enqueue(records("poison-0"), P0, 0);
        commits.enqueue(records("poison-1"), P0, 1);
        assertThat(tx.calls).isEmpty();
        commits.flush();
        assertThat(tx.calls).containsExactly("begin", "send poison-0", "send poison-1",
                "offsets [seid.decisions.v1-0=2]", "commit");
        commits.flush();
        assertThat(tx.calls).as("nothing queued: no transaction").hasSize(5);
    }

    @Test
    void aDecisionFinishedAboveOneStillRunningIsListedInTheCommitsMetadata() {
        FakeTransactor tx = new FakeTransactor();
        OffsetTracker offsets = new OffsetTracker();
        GroupCommit commits = new GroupCommit(tx, offsets, () -> { });
        offsets.dispatched(P0, 7);
        offsets.dispatched(P0, 8);
        commits.submit(records("b-event"), P0, 8);
        commits.submit(records("a-event"), P0, 7);
        assertThat(tx.calls).containsExactly("begin", "send b-event", "offsets [seid.decisions.v1-0=7 done:1]",
                "commit", "begin", "send a-event", "offsets [seid.decisions.v1-0=9]", "commit");
    }
}
