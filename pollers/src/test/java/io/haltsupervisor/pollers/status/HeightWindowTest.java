package io.haltsupervisor.pollers.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.pollers.status.HeightWindow.Transition;
import io.haltsupervisor.pollers.status.HeightWindow.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeightWindowTest {
    private static final long H = 1_000_000L;
    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");

    private static HeightWindow window(int maxFast) {
        HeightWindow w = new HeightWindow(new HeightWindow.Settings(50, Duration.ofMillis(500),
                Duration.ofMinutes(2), maxFast));
        w.upgradeHeights(List.of(H));
        return w;
    }

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void entersWithinTheConfiguredBlocksOfAMappedHeightAndNotBefore() {
        HeightWindow w = window(10);
        assertThat(w.observe("a", H - 51, false, at(0))).isEqualTo(new Verdict(false, Transition.NONE, null));
        assertThat(w.observe("a", H - 50, false, at(1))).isEqualTo(new Verdict(true, Transition.ENTERED, H));
        assertThat(w.observe("a", H - 40, false, at(5))).isEqualTo(new Verdict(true, Transition.NONE, H));
        assertThat(w.fastCount()).isEqualTo(1);
        assertThat(w.blocksRemaining("a")).isEqualTo(40);
    }

    @Test
    void leavesWhenTheNodeHaltsAndDoesNotEnterAgainForThatHeight() {
        HeightWindow w = window(10);
        w.observe("a", H - 10, false, at(0));
        assertThat(w.observe("a", H - 1, true, at(4))).isEqualTo(new Verdict(false, Transition.LEFT_HALTED, H));
        assertThat(w.fastCount()).isZero();
        // recovered (upgraded) but still below the height: the halt it was waiting for has been seen
        assertThat(w.observe("a", H - 1, false, at(20)).fast()).isFalse();
    }

    @Test
    void leavesWhenTheHeightIsPassedWithoutAHalt() {
        HeightWindow w = window(10);
        w.observe("a", H - 3, false, at(0));
        assertThat(w.observe("a", H, false, at(2))).isEqualTo(new Verdict(false, Transition.LEFT_PASSED, H));
        assertThat(w.observe("a", H + 1, false, at(3))).isEqualTo(new Verdict(false, Transition.NONE, null));
        assertThat(w.fastCount()).isZero();
    }

    @Test
    void leavesAtTheTimeCeilingWhenTheChainStallsAndStaysOutForThatHeight() {
        HeightWindow w = window(10);
        w.observe("a", H - 5, false, at(0));
        assertThat(w.observe("a", H - 5, false, at(119)).fast()).isTrue();
        assertThat(w.observe("a", H - 5, false, at(120))).isEqualTo(new Verdict(false, Transition.LEFT_CEILING, H));
        assertThat(w.observe("a", H - 4, false, at(121)).fast()).isFalse();
        assertThat(w.fastCount()).isZero();
    }

    @Test
    void theTimeCeilingAppliesWhilePollsFail() {
        HeightWindow w = window(10);
        w.observe("a", H - 5, false, at(0));
        assertThat(w.failed("a", at(60))).isEqualTo(new Verdict(true, Transition.NONE, H));
        assertThat(w.failed("a", at(120))).isEqualTo(new Verdict(false, Transition.LEFT_CEILING, H));
        assertThat(w.failed("b", at(120))).isEqualTo(new Verdict(false, Transition.NONE, null));
    }

    @Test
    void aHaltedNodeNearTheHeightDoesNotEnter() {
        HeightWindow w = window(10);
        assertThat(w.observe("a", H - 1, true, at(0)).fast()).isFalse();
        assertThat(w.fastCount()).isZero();
    }

    @Test
    void boundsTheFastPolledPodsAndAdmitsAWaitingOneWhenASlotFrees() {
        HeightWindow w = window(2);
        assertThat(w.observe("a", H - 10, false, at(0)).transition()).isEqualTo(Transition.ENTERED);
        assertThat(w.observe("b", H - 10, false, at(0)).transition()).isEqualTo(Transition.ENTERED);
        assertThat(w.observe("c", H - 10, false, at(0))).isEqualTo(new Verdict(false, Transition.REFUSED, H));
        // refused once per episode, not on every poll
        assertThat(w.observe("c", H - 9, false, at(5))).isEqualTo(new Verdict(false, Transition.NONE, H));
        assertThat(w.fastCount()).isEqualTo(2);
        w.observe("a", H - 1, true, at(6));
        assertThat(w.observe("c", H - 8, false, at(7))).isEqualTo(new Verdict(true, Transition.ENTERED, H));
        w.forget("b");
        assertThat(w.fastCount()).isEqualTo(1);
        assertThat(w.observe("d", H - 8, false, at(8)).transition()).isEqualTo(Transition.ENTERED);
    }

    @Test
    void aMappingWithoutAHeightNeverTriggersFastPolling() {
        HeightWindow w = new HeightWindow(new HeightWindow.Settings(50, Duration.ofMillis(500),
                Duration.ofMinutes(2), 10));
        w.upgradeHeights(Arrays.asList(null, null));
        for (long h = H - 60; h <= H + 10; h++) {
            assertThat(w.observe("a", h, false, at(h - H)).fast()).isFalse();
        }
        assertThat(w.upgradeHeights()).isEmpty();
        assertThat(w.blocksRemaining("a")).isNull();
    }

    @Test
    void leavesWhenTheHeightIsNoLongerMapped() {
        HeightWindow w = window(10);
        w.observe("a", H - 10, false, at(0));
        w.upgradeHeights(List.of());
        assertThat(w.observe("a", H - 9, false, at(1))).isEqualTo(new Verdict(false, Transition.LEFT_UNMAPPED, H));
        assertThat(w.fastCount()).isZero();
    }

    @Test
    void movesOnToTheNextMappedHeight() {
        HeightWindow w = window(10);
        w.upgradeHeights(List.of(H, H + 30));
        w.observe("a", H - 1, false, at(0));
        w.observe("a", H - 1, true, at(1));
        assertThat(w.observe("a", H + 5, false, at(30))).isEqualTo(new Verdict(true, Transition.ENTERED, H + 30));
    }

    @Test
    void offWhenBlocksIsZero() {
        HeightWindow w = new HeightWindow(HeightWindow.Settings.OFF);
        w.upgradeHeights(List.of(H));
        assertThat(w.observe("a", H - 1, false, at(0)).fast()).isFalse();
        assertThat(HeightWindow.Settings.OFF.enabled()).isFalse();
    }

    @Test
    void rejectsSettingsOutOfRange() {
        assertThatThrownBy(() -> new HeightWindow.Settings(-1, Duration.ofMillis(500), Duration.ofMinutes(1), 1))
                .hasMessageContaining("blocks");
        assertThatThrownBy(() -> new HeightWindow.Settings(5, Duration.ZERO, Duration.ofMinutes(1), 1))
                .hasMessageContaining("fastInterval");
        assertThatThrownBy(() -> new HeightWindow.Settings(5, Duration.ofMillis(500), Duration.ofMinutes(1), 0))
                .hasMessageContaining("maxFast");
    }
}
