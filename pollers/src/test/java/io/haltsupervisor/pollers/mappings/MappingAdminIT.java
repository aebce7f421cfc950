package io.haltsupervisor.pollers.mappings;

import io.haltsupervisor.pollers.KafkaObservationSink;
import io.haltsupervisor.pollers.Topics2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.sandbox.kafka.KafkaFixture;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.SampleEvents;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code supervisor mapping put|rm|ls} against a real broker. */
class MappingAdminIT {
    private static KafkaFixture.Broker kafka;
    private static MappingAdmin admin;
    private static final List<String> WARNINGS = new ArrayList<>();

    @BeforeAll
    static void start() {
        kafka = KafkaFixture.start();
        kafka.createTopics(2);
        admin = new MappingAdmin(KafkaClientConfig.of(kafka.bootstrapServers()), Duration.ofSeconds(20),
                Clock.fixed(SampleEvents.T0, ZoneOffset.UTC), WARNINGS::add);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static List<Topics2.Read<ImageMappingChanged>> records(String plan) {
        return Topics2.readAll(kafka.bootstrapServers(), Topics.IMAGE_MAPPINGS).stream()
                .filter(r -> r.key().equals(plan)).toList();
    }

    @Test
    void putsListsAndRemovesAMapping() throws Exception {
        ImageMappingChanged put = admin.put("a-v6", "ghcr.io/sei-protocol/seid:v6.0.1", 151_000_000L, "alice");
        assertThat(put).isEqualTo(ImageMappingChanged.of("a-v6", "ghcr.io/sei-protocol/seid:v6.0.1", 151_000_000L,
                "cli:alice", SampleEvents.T0));
        admin.put("a-v7", "registry.local:5000/seid@sha256:"
                + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", null, "bob");
        assertThat(admin.list()).containsKeys("a-v6", "a-v7");
        assertThat(admin.list().get("a-v6")).isEqualTo(put);

        assertThat(admin.remove("a-v6")).contains(put);
        assertThat(admin.list()).doesNotContainKey("a-v6").containsKey("a-v7");
        assertThat(records("a-v6")).last().satisfies(r -> assertThat(r.value()).as("tombstone").isNull());
    }

    @Test
    void removingAnUnknownPlanWritesNothing() throws Exception {
        assertThat(admin.remove("b-never")).isEmpty();
        assertThat(records("b-never")).isEmpty();
    }

    @Test
    void badInputIsRejectedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> admin.put("c-v6", "GHCR.io/Sei/Seid:v6", null, "alice"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("plan 'c-v6': image reference");
        assertThatThrownBy(() -> admin.put("c-v6", "ghcr.io/sei-protocol/seid:v6", -1L, "alice"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("plan 'c-v6': height -1 is not valid: expected a positive block height");
        assertThatThrownBy(() -> admin.put("c v6", "ghcr.io/sei-protocol/seid:v6", null, "alice"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("plan name 'c v6' is not valid");
        assertThatThrownBy(() -> admin.put("c-v6", "ghcr.io/sei-protocol/seid:v6", null, "a b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("user 'a b' is not valid");
        assertThatThrownBy(() -> admin.remove("c/v6")).isInstanceOf(IllegalArgumentException.class);
        assertThat(records("c-v6")).isEmpty();
    }

    @Test
    void warnsWhenAPlanBelongsToAConfigMap() throws Exception {
        try (KafkaObservationSink sink = new KafkaObservationSink(KafkaClientConfig.of(kafka.bootstrapServers()),
                "seed", new SimpleMeterRegistry())) {
            sink.publish(Topics.IMAGE_MAPPINGS, "d-v6", ImageMappingChanged.of("d-v6",
                    "ghcr.io/sei-protocol/seid:v6.0.1", null, "configmap:sei/upgrades", SampleEvents.T0)).get();
        }
        WARNINGS.clear();
        admin.put("d-v6", "ghcr.io/sei-protocol/seid:v6.0.2", null, "alice");
        assertThat(WARNINGS).singleElement().asString().contains("configmap:sei/upgrades").contains("restores");
    }
}
