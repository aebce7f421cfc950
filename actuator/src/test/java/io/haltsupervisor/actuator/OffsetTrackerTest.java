package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
    private static final TopicPartition P0 = new TopicPartition("seid.decisions.v1", 0);
    private static final TopicPartition P1 = new TopicPartition("seid.decisions.v1", 1);

    @Test
    void commitsUpToTheLowestDecisionNotFullyRecordedAndListsTheFinishedOnesAboveIt() {
        OffsetTracker t = new OffsetTracker();
        t.seed(P0, new OffsetAndMetadata(10));
        t.dispatched(P0, 10);
        t.dispatched(P0, 11);
        t.dispatched(P0, 12);
        assertThat(t.committable()).as("nothing finished: the committed position stands").isEmpty();
        t.done(P0, 12);
        t.done(P0, 11);
        assertThat(t.committable()).as("10 still runs").isEqualTo(Map.of(P0, new OffsetAndMetadata(10, "done:1-2")));
        t.committed(t.committable());
        assertThat(t.committable()).as("nothing moved since").isEmpty();
        t.done(P0, 10);
        assertThat(t.committable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(13, "")));
        t.committed(t.committable());
        assertThat(t.committable()).isEmpty();
        assertThat(t.inFlight(List.of(P0))).isZero();
    }

    @Test
    void aDecisionListedAsFinishedInTheCommittedMetadataIsSkippedWhenConsumedAgain() {
        OffsetTracker t = new OffsetTracker();
        t.seed(P0, new OffsetAndMetadata(10, "done:1,3-4"));
        assertThat(t.alreadyDone(P0, 10)).isFalse();
        t.dispatched(P0, 10);
        assertThat(t.alreadyDone(P0, 11)).isTrue();
        assertThat(t.alreadyDone(P0, 12)).isFalse();
        t.dispatched(P0, 12);
        t.done(P0, 12);
        assertThat(t.committable()).as("13 and 14 stay listed until consumed again")
                .isEqualTo(Map.of(P0, new OffsetAndMetadata(10, "done:1-4")));
        t.done(P0, 10);
        assertThat(t.committable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(13, "done:0-1")));
        assertThat(t.alreadyDone(P0, 13)).isTrue();
        assertThat(t.alreadyDone(P0, 14)).isTrue();
        assertThat(t.committable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(15, "")));
    }

    @Test
    void offsetsBetweenConsumedRecordsAreTransactionMarkersAndNeverHoldTheCommitBack() {
        OffsetTracker t = new OffsetTracker();
        t.seed(P0, null);
        t.dispatched(P0, 3);
        t.dispatched(P0, 7); // 4-6: commit markers and aborted records a read-committed consumer never sees
        t.done(P0, 3);
        t.done(P0, 7);
        assertThat(t.committable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(8, "")));
    }

    @Test
    void tracksPartitionsApartAndForgetsRevokedOnes() {
        OffsetTracker t = new OffsetTracker();
        t.dispatched(P0, 5);
        t.dispatched(P1, 7);
        t.done(P1, 7);
        assertThat(t.committable()).as("5 is where the group's position already is")
                .isEqualTo(Map.of(P1, new OffsetAndMetadata(8, "")));
        assertThat(t.inFlight(List.of(P0, P1))).isEqualTo(1);
        t.forget(List.of(P0));
        assertThat(t.inFlight(List.of(P0, P1))).isZero();
        t.dispatched(P0, 9);
        t.done(P0, 9);
        assertThat(t.committable()).containsEntry(P0, new OffsetAndMetadata(10, ""));
    }

    @Test
    void theSpanIsFromTheOldestDecisionRunningToTheNewestConsumed() {
        OffsetTracker t = new OffsetTracker();
        t.dispatched(P0, 100);
        t.dispatched(P0, 101);
        t.dispatched(P0, 140);
        t.done(P0, 101);
        assertThat(t.span(P0)).isEqualTo(40);
        t.done(P0, 100);
        assertThat(t.span(P0)).isZero();
        t.done(P0, 140);
        assertThat(t.span(P0)).isZero();
    }

    @Test
    void metadataListsDistancesAsRunsAndRejectsWhatItDidNotWrite() {
        TreeSet<Long> done = new TreeSet<>(List.of(101L, 103L, 104L, 105L, 110L));
        assertThat(OffsetTracker.encode(100, done)).isEqualTo("done:1,3-5,10");
        assertThat(OffsetTracker.decode(100, "done:1,3-5,10")).containsExactlyElementsOf(done);
        assertThat(OffsetTracker.encode(100, new TreeSet<>())).isEmpty();
        assertThat(OffsetTracker.decode(100, "")).isEmpty();
        assertThatThrownBy(() -> OffsetTracker.decode(100, "checkpoint-7"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("committed offset metadata 'checkpoint-7'").hasMessageContaining("done:");
        assertThatThrownBy(() -> OffsetTracker.decode(100, "done:5-2")).isInstanceOf(IllegalArgumentException.class);
    }
}
