package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderMetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The decider's Kafka Streams settings: task idling (timestamp-ordered merging) and what overrides do to it. */
class DeciderStreamsPropertiesTest {
    private static final DeciderConfig CONFIG = DeciderConfig.fromEnv(Map.of());

    private static Properties with(Map<String, Object> client) {
        Map<String, Object> all = new HashMap<>(client);
        all.put("bootstrap.servers", "127.0.0.1:9092");
        return DeciderTopology.streamsProperties(CONFIG, all, DeciderMetrics.detached());
    }

    @Test
    void waitsForPartitionsWithDataOnTheBrokerByDefault() {
        Properties p = with(Map.of());
        assertThat(p.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo(0L);
        assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(DeciderTopology.ordersByFetch(p)).isFalse();
        assertThat(new StreamsConfig(p).getLong(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isZero();
    }

    @Test
    void anOverrideIsKeptAndMinusOneIsRecognisedAsGivingUpTheOrder() {
        Properties off = with(Map.of(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, " -1"));
        assertThat(off.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo(" -1");
        assertThat(DeciderTopology.ordersByFetch(off)).isTrue();

        // a positive idle time waits longer than 0, and any other negative value acts as 0 in Kafka Streams
        assertThat(DeciderTopology.ordersByFetch(with(Map.of(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "250"))))
                .isFalse();
        assertThat(DeciderTopology.ordersByFetch(with(Map.of(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -5L))))
                .isFalse();
    }

    @Test
    void aValueThatIsNotANumberIsLeftForKafkaStreamsToReject() {
        Properties bad = with(Map.of(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "soon"));
        assertThat(DeciderTopology.ordersByFetch(bad)).isFalse();
        assertThatThrownBy(() -> new StreamsConfig(bad))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max.task.idle.ms")
                .hasMessageContaining("soon");
    }

    @Test
    void failsOverWithinSecondsByDefaultAndClientSettingsWin() {
        Properties p = with(Map.of());
        assertThat(p.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
        // a restarted replica with empty stores must not count as caught up (Kafka's default is 10,000 records)
        assertThat(p.get(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG)).isEqualTo(100L);
        assertThat(p.get(StreamsConfig.mainConsumerPrefix("session.timeout.ms"))).isEqualTo(6000);
        assertThat(p.get(StreamsConfig.mainConsumerPrefix("heartbeat.interval.ms"))).isEqualTo(1500);
        assertThat(p).doesNotContainKey(StreamsConfig.mainConsumerPrefix("group.instance.id"));

        Properties overridden = with(Map.of(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0,
                StreamsConfig.mainConsumerPrefix("session.timeout.ms"), 45000,
                StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, "10000"));
        assertThat(overridden.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(0);
        assertThat(overridden.get(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG)).isEqualTo("10000");
        assertThat(overridden.get(StreamsConfig.mainConsumerPrefix("session.timeout.ms"))).isEqualTo(45000);
        // KAFKA_CLIENT_SESSION_TIMEOUT_MS arrives unprefixed: it must not be shadowed by the prefixed default
        Properties plain = with(Map.of("session.timeout.ms", "20000"));
        assertThat(new StreamsConfig(plain).getMainConsumerConfigs("g", "c", 0)).containsEntry("session.timeout.ms",
                "20000");
    }

    @Test
    void staticMembershipTakesTheInstanceIdFromThePodName() {
        DeciderConfig config = DeciderConfig.fromEnv(Map.of("DECIDER_STATIC_MEMBERSHIP", "true",
                "POD_NAME", "halt-supervisor-decider-1"));
        Properties p = DeciderTopology.streamsProperties(config, Map.of("bootstrap.servers", "127.0.0.1:9092"),
                DeciderMetrics.detached());
        assertThat(p.get(StreamsConfig.mainConsumerPrefix("group.instance.id")))
                .isEqualTo("halt-supervisor-decider-1");
        assertThat(new StreamsConfig(p).getMainConsumerConfigs("g", "c", 0)).containsKey("group.instance.id");
    }
}
