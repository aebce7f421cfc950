package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.schemas.config.ConfigException;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configs of every component of a process are validated together, before anything starts. */
class ComponentsConfigTest {
    private static final Map<String, String> BAD = Map.of(
            "POLLER_INTERVAL", "soon",
            "DECIDER_NUM_THREADS", "0",
            "ACTUATOR_DRY_RUN", "maybe",
            "ACTUATOR_WEBHOOK_TOKEN", "HOOKTOKEN789",
            "ACTUATOR_WEBHOOK_TOKEN_FILE", "/run/secrets/token");

    @Test
    void everyBadSettingOfEveryComponentAndOfKafkaIsReportedInOneException() {
        assertThatThrownBy(() -> Components.Configs.read(Components.all(), BAD, true))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigException.Problem::variable).containsExactly("KAFKA_BOOTSTRAP_SERVERS",
                                "POLLER_INTERVAL", "DECIDER_NUM_THREADS", "ACTUATOR_DRY_RUN",
                                "ACTUATOR_WEBHOOK_TOKEN"))
                .hasMessageStartingWith("5 settings are invalid:").hasMessageNotContaining("HOOKTOKEN789");
    }

    @Test
    void startValidatesEveryComponentBeforeStartingAny() {
        // nothing is started: a decider would need a broker, an actuator or pollers a Kubernetes client (null here)
        assertThatThrownBy(() -> Components.start(Components.all(), BAD, null, null, null))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(4));
    }

    @Test
    void onlyTheComponentsThatRunAreRead() {
        Components.Configs configs = Components.Configs.read(EnumSet.of(Components.Kind.DECIDER),
                Map.of("POLLER_INTERVAL", "soon", "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"), true);
        assertThat(configs.decider()).isNotNull();
        assertThat(configs.pollers()).isNull();
        assertThat(configs.actuator()).isNull();
        assertThat(configs.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
    }
}
