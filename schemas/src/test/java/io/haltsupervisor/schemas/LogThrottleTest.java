package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogThrottleTest {
    @Test
    void letsThroughAtMostTheRateAndTellsHowManyWereHeldBack() {
        LogThrottle throttle = new LogThrottle(2);
        assertThat(throttle.admit(1_000)).isZero();
        assertThat(throttle.admit(1_100)).isZero();
        assertThat(throttle.admit(1_200)).isEqualTo(-1);
        assertThat(throttle.admit(1_999)).isEqualTo(-1);
        assertThat(throttle.admit(2_000)).isEqualTo(2);
        assertThat(throttle.admit(2_001)).isZero();
        assertThat(throttle.admit(2_002)).isEqualTo(-1);
    }
}
