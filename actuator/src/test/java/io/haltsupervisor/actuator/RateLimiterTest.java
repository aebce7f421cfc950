package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void burstIsFreeThenCallsWaitThenAreRefusedBeyondMaxWait() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(60, 2, Duration.ofSeconds(1), now::get);
        assertThat(limiter.reserve()).isEqualTo(Duration.ZERO);
        assertThat(limiter.reserve()).isEqualTo(Duration.ZERO);
        assertThat(limiter.reserve()).as("one token a second").isEqualTo(Duration.ofSeconds(1));
        assertThat(limiter.reserve()).as("would wait 2 s, over the 1 s maximum").isNull();
        now.addAndGet(Duration.ofSeconds(3).toNanos());
        assertThat(limiter.reserve()).isEqualTo(Duration.ZERO);
    }

    @Test
    void tokensDoNotPileUpBeyondTheBurst() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(60, 1, Duration.ZERO, now::get);
        now.addAndGet(Duration.ofHours(1).toNanos());
        assertThat(limiter.reserve()).isEqualTo(Duration.ZERO);
        assertThat(limiter.reserve()).isNull();
    }

    @Test
    void zeroPerMinuteMeansUnlimited() {
        RateLimiter limiter = new RateLimiter(0, 1, Duration.ZERO, () -> 0L);
        for (int i = 0; i < 1000; i++) {
            assertThat(limiter.reserve()).isEqualTo(Duration.ZERO);
        }
        assertThat(limiter.unlimited()).isTrue();
    }
}
