package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void readsTheShortFormsAndIso8601() {
        assertThat(Durations.parse("X", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("X", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("X", " 5M ")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("X", "1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("X", "2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("X", "0")).isZero();
        assertThat(Durations.parse("X", "pt5m")).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void rejectsAnythingElseNamingTheSetting() {
        for (String bad : new String[] {"", "5", "five minutes", "-5s", "PT-5M", "5 m", "1w"}) {
            assertThatThrownBy(() -> Durations.parse("DECIDER_GRACE_WINDOW", bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DECIDER_GRACE_WINDOW");
        }
    }
}
