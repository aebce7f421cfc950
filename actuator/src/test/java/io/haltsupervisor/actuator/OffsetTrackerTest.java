package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
    private static final TopicPartition P0 = new TopicPartition("seid.decisions.v1", 0);
    private static final TopicPartition P1 = new TopicPartition("seid.decisions.v1", 1);

    @Test
    void neverCommitsPastADecisionStillRunning() {
        OffsetTracker t = new OffsetTracker();
        t.dispatched(P0, 10);
        t.dispatched(P0, 11);
        t.dispatched(P0, 12);
        t.done(P0, 12);
        t.done(P0, 11);
        assertThat(t.committable()).as("10 is where the group's position already is").isEmpty();
        t.done(P0, 10);
        assertThat(t.committable()).isEqualTo(Map.of(P0, 13L));
        t.committed(Map.of(P0, 13L));
        assertThat(t.committable()).as("nothing moved since").isEmpty();
        assertThat(t.inFlight(List.of(P0))).isZero();
    }

    @Test
    void tracksPartitionsApartAndForgetsRevokedOnes() {
        OffsetTracker t = new OffsetTracker();
        t.dispatched(P0, 5);
        t.dispatched(P1, 7);
        t.done(P1, 7);
        assertThat(t.committable()).isEqualTo(Map.of(P1, 8L));
        assertThat(t.inFlight(List.of(P0, P1))).isEqualTo(1);
        t.forget(List.of(P0));
        assertThat(t.inFlight(List.of(P0, P1))).isZero();
        t.dispatched(P0, 9);
        t.done(P0, 9);
        assertThat(t.committable()).isEqualTo(Map.of(P0, 10L, P1, 8L));
    }
}
