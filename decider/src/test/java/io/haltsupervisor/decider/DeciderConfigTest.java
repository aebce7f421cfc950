package io.haltsupervisor.decider;

import io.haltsupervisor.schemas.config.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import io.haltsupervisor.schemas.GroupMembership;
import org.junit.jupiter.api.Test;

class DeciderConfigTest {

    @Test
    void defaultsMatchTheDesign() {
        DeciderConfig c = DeciderConfig.fromEnv(Map.of());
        assertThat(c.applicationId()).isEqualTo("halt-supervisor-decider");
        assertThat(c.graceWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.breakerThreshold()).isEqualTo(3);
        assertThat(c.breakerWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.commitInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.stateDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "halt-supervisor-decider"));
        assertThat(c.numThreads()).isEqualTo(1);
        assertThat(c.advertisedEndpoint()).isEmpty();
        assertThat(c.punctuateInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.wallClockTimers()).isTrue();
        assertThat(c.dedupeRetention()).isEqualTo(Duration.ofHours(1));
        assertThat(c.partitions()).isZero();
        assertThat(c.controlTopic()).isEqualTo("halt-supervisor-decider-control");
    }

    @Test
    void readsEveryVariable() {
        DeciderConfig c = DeciderConfig.fromEnv(Map.ofEntries(
                Map.entry("DECIDER_APPLICATION_ID", "decider-eu"),
                Map.entry("DECIDER_GRACE_WINDOW", "90s"),
                Map.entry("DECIDER_BREAKER_THRESHOLD", "5"),
                Map.entry("DECIDER_BREAKER_WINDOW", "PT15M"),
                Map.entry("DECIDER_COMMIT_INTERVAL", "250ms"),
                Map.entry("DECIDER_STATE_DIR", "/var/lib/decider"),
                Map.entry("DECIDER_NUM_THREADS", "2"),
                Map.entry("DECIDER_HTTP_ADVERTISED", "decider-0.decider:8080"),
                Map.entry("DECIDER_PUNCTUATE_INTERVAL", "2s"),
                Map.entry("DECIDER_WALL_CLOCK_TIMERS", "false"),
                Map.entry("DECIDER_DEDUPE_RETENTION", "2h"),
                Map.entry("DECIDER_PARTITIONS", "6"),
                Map.entry("DECIDER_MIN_BLOCK_TIME", "400ms"),
                Map.entry("DECIDER_HEIGHT_MARGIN", "0"),
                Map.entry("DECIDER_STANDBY_REPLICAS", "2"),
                Map.entry("DECIDER_ACCEPTABLE_RECOVERY_LAG", "500"),
                Map.entry("DECIDER_SESSION_TIMEOUT", "10s"),
                Map.entry("DECIDER_HEARTBEAT_INTERVAL", "3s"),
                Map.entry("DECIDER_STATIC_MEMBERSHIP", "true"),
                Map.entry("POD_NAME", "decider-1"),
                Map.entry("DECIDER_LEAVE_GROUP_ON_CLOSE", "false")));
        assertThat(c).isEqualTo(new DeciderConfig("decider-eu", Duration.ofSeconds(90), 5, Duration.ofMinutes(15),
                Duration.ofMillis(250), Path.of("/var/lib/decider"), 2, Optional.of("decider-0.decider:8080"),
                Duration.ofSeconds(2), false, Duration.ofHours(2), 6, Duration.ofMillis(400), Duration.ZERO, 2, 500,
                new GroupMembership(Duration.ofSeconds(10), Duration.ofSeconds(3), Optional.of("decider-1"), false)));
        assertThat(c.controlTopic()).isEqualTo("decider-eu-control");
    }

    @Test
    void badValuesNameTheVariableAndWhatWasExpected() {
        assertThatThrownBy(() -> DeciderConfig.fromEnv(Map.of("DECIDER_GRACE_WINDOW", "five minutes")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DECIDER_GRACE_WINDOW").hasMessageContaining("5m")
                .hasMessageContaining("five minutes");
        assertThatThrownBy(() -> DeciderConfig.fromEnv(Map.of("DECIDER_GRACE_WINDOW", "0s")))
                .hasMessageContaining("DECIDER_GRACE_WINDOW").hasMessageContaining("positive");
        assertThatThrownBy(() -> DeciderConfig.fromEnv(Map.of("DECIDER_BREAKER_THRESHOLD", "three")))
                .hasMessageContaining("DECIDER_BREAKER_THRESHOLD").hasMessageContaining("integer");
        assertThatThrownBy(() -> DeciderConfig.fromEnv(Map.of("DECIDER_BREAKER_THRESHOLD", "0")))
                .hasMessageContaining("DECIDER_BREAKER_THRESHOLD").hasMessageContaining(">= 1");
        assertThatThrownBy(() -> DeciderConfig.fromEnv(Map.of("DECIDER_NUM_THREADS", "100")))
                .hasMessageContaining("DECIDER_NUM_THREADS").hasMessageContaining("from 1 to 64");
        assertThatThrownBy(() -> DeciderConfig.fromEnv(Map.of("DECIDER_HTTP_ADVERTISED", "decider-0")))
                .hasMessageContaining("DECIDER_HTTP_ADVERTISED").hasMessageContaining("host:port");
        assertThatThrownBy(() -> DeciderConfig.fromEnv(Map.of("DECIDER_HTTP_ADVERTISED", "decider-0:99999")))
                .hasMessageContaining("DECIDER_HTTP_ADVERTISED");
        assertThatThrownBy(() -> DeciderConfig.fromEnv(Map.of("DECIDER_APPLICATION_ID", "has space")))
                .hasMessageContaining("DECIDER_APPLICATION_ID");
        assertThatThrownBy(() -> DeciderConfig.fromEnv(Map.of("DECIDER_WALL_CLOCK_TIMERS", "maybe")))
                .hasMessageContaining("DECIDER_WALL_CLOCK_TIMERS").hasMessageContaining("true or false");
        assertThatThrownBy(() -> DeciderConfig.fromEnv(Map.of("DECIDER_PARTITIONS", "-1")))
                .hasMessageContaining("DECIDER_PARTITIONS");
    }

    @Test
    void blankValuesMeanTheDefault() {
        assertThat(DeciderConfig.fromEnv(Map.of("DECIDER_GRACE_WINDOW", " ", "DECIDER_HTTP_ADVERTISED", "")))
                .isEqualTo(DeciderConfig.fromEnv(Map.of()));
    }

    @Test
    void toStringShowsEverySetting() {
        String text = DeciderConfig.fromEnv(Map.of("DECIDER_HTTP_ADVERTISED", "h:1")).toString();
        assertThat(text).contains("applicationId=halt-supervisor-decider").contains("graceWindow=PT5M")
                .contains("advertisedEndpoint=h:1").contains("partitions=discover");
    }

    @Test
    void reportsEveryBadSettingTogether() {
        assertThatThrownBy(() -> DeciderConfig.fromEnv(Map.of("DECIDER_GRACE_WINDOW", "0", "DECIDER_NUM_THREADS", "0",
                "DECIDER_WALL_CLOCK_TIMERS", "maybe", "DECIDER_HTTP_ADVERTISED", "nowhere")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigException.Problem::variable).containsExactly("DECIDER_GRACE_WINDOW",
                                "DECIDER_NUM_THREADS", "DECIDER_HTTP_ADVERTISED", "DECIDER_WALL_CLOCK_TIMERS"));
    }

    @Test
    void namesTheNearestSettingOfAnUnknownDeciderVariable() {
        assertThat(DeciderConfig.SETTINGS.unknownVariables(Map.of("DECIDER_GRACE_WINDOWS", "5m",
                "DECIDER_APPLICATION_ID", "x"))).containsExactly(
                "unknown variable DECIDER_GRACE_WINDOWS, ignored (did you mean DECIDER_GRACE_WINDOW?)");
    }
}
