package io.haltsupervisor.pollers.status;

import io.haltsupervisor.pollers.PollTarget;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.NodeStatusObserved.Change;
import io.haltsupervisor.schemas.ObservationSource;
import io.haltsupervisor.schemas.SampleEvents;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusTrackerTest {
    private static final PollTarget TARGET = new PollTarget("uid-1", "sei/rpc-0", "rpc-0",
            URI.create("http://10.0.0.1:26657/status"), "ghcr.io/sei-protocol/seid:v5.9.0");
    private static final Duration HEARTBEAT = Duration.ofSeconds(60);
    private static final Instant T = SampleEvents.T0;

    private static StatusResult healthy(long height, String version) {
        return new StatusResult.Read(new NodeStatus(height, version, false, "pacific-1", "rpc-0", null));
    }

    private static StatusResult halted(HaltIntent intent) {
        return new StatusResult.Read(new NodeStatus(150_999_999L, "v5.9.0", false, "pacific-1", "rpc-0", intent));
    }

    private static final StatusResult ERROR = StatusResult.failed(ObservationError.Kind.TIMEOUT, "no response");

    @Test
    void publishesFirstSeenThenNothingUntilTheHeartbeat() {
        StatusTracker.Step first = StatusTracker.observe(StatusTracker.State.INITIAL, TARGET, healthy(10, "v5.9.0"), T,
                HEARTBEAT);
        assertThat(first.halt()).isNull();
        assertThat(first.status().change()).isEqualTo(Change.FIRST_SEEN);
        assertThat(first.status().latestBlockHeight()).isEqualTo(10);
        assertThat(first.status().podName()).isEqualTo("rpc-0");
        assertThat(first.status().nodeId()).isEqualTo("sei/rpc-0");

        StatusTracker.Step quiet = StatusTracker.observe(first.next(), TARGET, healthy(20, "v5.9.0"), T.plusSeconds(59),
                HEARTBEAT);
        assertThat(quiet.emits()).isFalse();

        StatusTracker.Step beat = StatusTracker.observe(quiet.next(), TARGET, healthy(30, "v5.9.0"), T.plusSeconds(60),
                HEARTBEAT);
        assertThat(beat.status().change()).isEqualTo(Change.HEARTBEAT);
        assertThat(beat.status().latestBlockHeight()).isEqualTo(30);

        assertThat(StatusTracker.observe(beat.next(), TARGET, healthy(31, "v5.9.0"), T.plusSeconds(61), HEARTBEAT)
                .emits()).isFalse();
    }

    @Test
    void publishesAHaltOnceWhileTheIntentStaysTheSame() {
        StatusTracker.Step seen = StatusTracker.observe(StatusTracker.State.INITIAL, TARGET, healthy(10, "v5.9.0"), T,
                HEARTBEAT);
        StatusTracker.Step halt = StatusTracker.observe(seen.next(), TARGET, halted(SampleEvents.INTENT),
                T.plusSeconds(5), HEARTBEAT);
        assertThat(halt.status()).isNull();
        assertThat(halt.halt().source()).isEqualTo(ObservationSource.STATUS);
        assertThat(halt.halt().intent()).isEqualTo(SampleEvents.INTENT);
        assertThat(halt.halt().reasonCode()).isEqualTo(70);
        assertThat(halt.halt().latestBlockHeight()).isEqualTo(150_999_999L);
        assertThat(halt.halt().image()).isEqualTo("ghcr.io/sei-protocol/seid:v5.9.0");
        assertThat(halt.halt().observedAt()).isEqualTo(T.plusSeconds(5));

        StatusTracker.State state = halt.next();
        for (int i = 2; i < 100; i++) {
            StatusTracker.Step again = StatusTracker.observe(state, TARGET, halted(SampleEvents.INTENT),
                    T.plusSeconds(5L * i), HEARTBEAT);
            assertThat(again.emits()).as("poll %d", i).isFalse();
            state = again.next();
        }
    }

    @Test
    void publishesAgainWhenTheIntentContentChanges() {
        StatusTracker.Step halt = StatusTracker.observe(StatusTracker.State.INITIAL, TARGET,
                halted(SampleEvents.INTENT), T, HEARTBEAT);
        assertThat(halt.halt()).isNotNull();
        HaltIntent later = new HaltIntent(70, "upgrade_required", "v6", 151_000_000L, SampleEvents.INTENT.info(),
                SampleEvents.INTENT.announcedAt().plusSeconds(30));
        StatusTracker.Step changed = StatusTracker.observe(halt.next(), TARGET, halted(later), T.plusSeconds(5),
                HEARTBEAT);
        assertThat(changed.halt().intent()).isEqualTo(later);
    }

    @Test
    void errorsNeitherPublishNorForgetTheIntent() {
        StatusTracker.Step halt = StatusTracker.observe(StatusTracker.State.INITIAL, TARGET,
                halted(SampleEvents.INTENT), T, HEARTBEAT);
        StatusTracker.Step error = StatusTracker.observe(halt.next(), TARGET, ERROR, T.plusSeconds(5), HEARTBEAT);
        assertThat(error.emits()).isFalse();
        assertThat(error.next()).isEqualTo(halt.next());
        assertThat(StatusTracker.observe(error.next(), TARGET, halted(SampleEvents.INTENT), T.plusSeconds(10),
                HEARTBEAT).emits()).isFalse();
    }

    @Test
    void anErrorBeforeAnythingWasReadPublishesNothing() {
        StatusTracker.Step error = StatusTracker.observe(StatusTracker.State.INITIAL, TARGET, ERROR, T, HEARTBEAT);
        assertThat(error.emits()).isFalse();
        assertThat(error.next()).isEqualTo(StatusTracker.State.INITIAL);
    }

    @Test
    void publishesRecoveredWhenTheIntentGoesAway() {
        StatusTracker.Step halt = StatusTracker.observe(StatusTracker.State.INITIAL, TARGET,
                halted(SampleEvents.INTENT), T, HEARTBEAT);
        StatusTracker.Step recovered = StatusTracker.observe(halt.next(), TARGET, healthy(151_000_001L, "v6.0.1"),
                T.plusSeconds(5), HEARTBEAT);
        assertThat(recovered.halt()).isNull();
        assertThat(recovered.status().change()).isEqualTo(Change.RECOVERED);
        assertThat(recovered.status().version()).isEqualTo("v6.0.1");
        assertThat(recovered.next().intent()).isNull();
    }

    @Test
    void publishesVersionChanged() {
        StatusTracker.Step first = StatusTracker.observe(StatusTracker.State.INITIAL, TARGET, healthy(10, "v5.9.0"), T,
                HEARTBEAT);
        StatusTracker.Step changed = StatusTracker.observe(first.next(), TARGET, healthy(11, "v6.0.1"),
                T.plusSeconds(5), HEARTBEAT);
        assertThat(changed.status().change()).isEqualTo(Change.VERSION_CHANGED);
        assertThat(StatusTracker.observe(changed.next(), TARGET, healthy(12, "v6.0.1"), T.plusSeconds(10), HEARTBEAT)
                .emits()).isFalse();
    }

    @Test
    void aVersionThatIsNotServedDoesNotCountAsAChange() {
        StatusTracker.Step first = StatusTracker.observe(StatusTracker.State.INITIAL, TARGET, healthy(10, "v5.9.0"), T,
                HEARTBEAT);
        StatusTracker.Step none = StatusTracker.observe(first.next(), TARGET, healthy(11, null), T.plusSeconds(5),
                HEARTBEAT);
        assertThat(none.emits()).isFalse();
        assertThat(none.next().version()).isEqualTo("v5.9.0");
    }
}
