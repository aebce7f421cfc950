package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(10));

    @Test
    void backoffDoublesWithJitterInTheUpperHalfAndIsCapped() {
        assertThat(policy.backoff(1, () -> 0.0)).isEqualTo(Duration.ofMillis(250));
        assertThat(policy.backoff(1, () -> 0.999999)).isBetween(Duration.ofMillis(499), Duration.ofMillis(500));
        assertThat(policy.backoff(3, () -> 0.0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.backoff(3, () -> 0.5)).isEqualTo(Duration.ofMillis(1500));
        assertThat(policy.backoff(10, () -> 0.999999)).isBetween(Duration.ofMillis(9999), Duration.ofSeconds(10));
        assertThat(policy.backoff(60, () -> 0.0)).as("no overflow").isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void retriesUntilMaxAttempts() {
        assertThat(policy.retriesAfter(4)).isTrue();
        assertThat(policy.retriesAfter(5)).isFalse();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("backoff");
    }
}
