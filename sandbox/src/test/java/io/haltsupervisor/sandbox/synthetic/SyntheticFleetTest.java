package io.haltsupervisor.sandbox.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SyntheticFleetTest {
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    private record Sent(String topic, String key, byte[] value, Instant at) {
    }

    private static List<Sent> generate(SyntheticFleet fleet) {
        List<Sent> out = new ArrayList<>();
        fleet.generate((topic, key, value, at) -> out.add(new Sent(topic, key, value, at)));
        return out;
    }

    private static byte[] bytes(List<Sent> sent) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Sent s : sent) {
            b.writeBytes((s.topic() + " " + s.key() + " " + s.at() + " ").getBytes(StandardCharsets.UTF_8));
            if (s.value() != null) {
                b.writeBytes(s.value());
            }
            b.write('\n');
        }
        return b.toByteArray();
    }

    @Test
    void theSameSettingsGiveTheSameRecordsByteForByte() {
        assertThat(bytes(generate(SyntheticFleet.of(40, 5000).start(T0).withOperatorNoise())))
                .isEqualTo(bytes(generate(SyntheticFleet.of(40, 5000).start(T0).withOperatorNoise())));
        assertThat(bytes(generate(SyntheticFleet.of(40, 5000).start(T0).seed(1))))
                .isNotEqualTo(bytes(generate(SyntheticFleet.of(40, 5000).start(T0).seed(2))));
    }

    @Test
    void writesTheRequestedRecordsInTimeOrderWithinTheSpan() {
        List<Sent> sent = generate(SyntheticFleet.of(100, 20_000).start(T0).span(Duration.ofMinutes(30)));
        assertThat(sent).hasSize(20_000);
        for (int i = 1; i < sent.size(); i++) {
            assertThat(sent.get(i).at()).isAfterOrEqualTo(sent.get(i - 1).at());
        }
        assertThat(sent.get(0).at()).isEqualTo(T0);
        assertThat(sent.get(sent.size() - 1).at()).isBefore(T0.plus(Duration.ofMinutes(30)));
    }

    @Test
    void everyStoryShowsUp() {
        List<Sent> sent = generate(SyntheticFleet.of(60, 30_000).start(T0));
        Map<String, Integer> byTopic = new TreeMap<>();
        sent.forEach(s -> byTopic.merge(s.topic(), 1, Integer::sum));
        assertThat(byTopic).containsOnlyKeys(Topics.HALT_OBSERVATIONS.name(), Topics.NODE_OBSERVATIONS.name(),
                Topics.IMAGE_MAPPINGS.name(), Topics.OPERATOR_COMMANDS.name());

        List<String> mapped = sent.stream().filter(s -> s.topic().equals(Topics.IMAGE_MAPPINGS.name()))
                .map(s -> read(s, ImageMappingChanged.class).plan()).toList();
        assertThat(mapped).as("v6 from the start, v7 later, v8 never").containsExactly("v6", "v7");

        List<HaltObserved> halts = sent.stream().filter(s -> s.topic().equals(Topics.HALT_OBSERVATIONS.name()))
                .filter(s -> s.value()[s.value().length - 1] == '}').map(s -> read(s, HaltObserved.class)).toList();
        assertThat(halts).extracting(h -> h.reasonCode()).contains(70, 71, 72, 84);
        assertThat(halts).filteredOn(h -> h.intent() != null).as("stay-alive nodes show the plan on /status")
                .isNotEmpty().allMatch(h -> h.intent().planName().equals("v6"));
        assertThat(halts).filteredOn(h -> h.intent() == null && h.reasonCode() == 70).as("others exit with 70")
                .isNotEmpty();
        assertThat(halts).filteredOn(h -> h.reasonCode() == 71).extracting(HaltObserved::nodeId)
                .containsOnly(SyntheticFleet.nodeId(5));

        long poison = sent.stream().filter(s -> s.value() != null && s.value()[s.value().length - 1] != '}').count();
        assertThat(poison).as("one undecodable record in a thousand").isEqualTo(30);
    }

    @Test
    void operatorNoiseAddsCommandsTombstonesAndWallClockJumps() {
        List<Sent> sent = new ArrayList<>();
        List<Duration> jumps = new ArrayList<>();
        SyntheticFleet.of(40, 6000).start(T0).withOperatorNoise().generate(new SyntheticFleet.Sink() {
            @Override
            public void send(String topic, String key, byte[] value, Instant at) {
                sent.add(new Sent(topic, key, value, at));
            }

            @Override
            public void advanceWallClock(Duration by) {
                jumps.add(by);
            }
        });
        assertThat(sent).filteredOn(s -> s.topic().equals(Topics.OPERATOR_COMMANDS.name())
                && s.key().equals(Topics.FLEET_KEY)).isNotEmpty();
        assertThat(sent).filteredOn(s -> s.topic().equals(Topics.IMAGE_MAPPINGS.name()) && s.value() == null)
                .as("mapping tombstones").isNotEmpty();
        assertThat(sent).filteredOn(s -> s.topic().equals(Topics.NODE_OBSERVATIONS.name())
                && "sei/other".equals(s.key())).as("records keyed by another node").isNotEmpty();
        assertThat(jumps).isNotEmpty();
    }

    @Test
    void refusesAFleetTooSmallForItsStories() {
        assertThatThrownBy(() -> SyntheticFleet.of(11, 100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodes: expected at least 12, got 11");
    }

    private static <T> T read(Sent s, Class<T> type) {
        Object value = Topics.byName(s.topic()).orElseThrow().valueSerde().deserializer().deserialize(s.topic(),
                s.value());
        return type.cast(value);
    }
}
