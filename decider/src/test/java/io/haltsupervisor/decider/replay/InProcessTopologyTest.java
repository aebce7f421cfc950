package io.haltsupervisor.decider.replay;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderHarness;
import io.haltsupervisor.decider.DeciderMetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.decider.replay.DeciderReplay;
import io.haltsupervisor.decider.replay.DriverReplay;
import io.haltsupervisor.decider.replay.DeciderReplay.Input;
import io.haltsupervisor.sandbox.synthetic.SyntheticFleet;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The in-process replay engine against the reference, Kafka Streams' {@code TopologyTestDriver} running the
 * built topology: on a busy seeded input — every kind of input and decision, mappings arriving and going,
 * the fleet breaker tripping and released, grace windows expiring by record time, poison of every kind — the
 * two decision logs (keys, values, timestamps, as bytes) and dead-letter counts must be identical.
 */
class InProcessTopologyTest {
    private static final DeciderConfig CONFIG = DeciderConfig.fromEnv(Map.of("DECIDER_APPLICATION_ID", "equiv",
            "DECIDER_GRACE_WINDOW", "3m", "DECIDER_BREAKER_THRESHOLD", "3", "DECIDER_BREAKER_WINDOW", "10m"));

    @Test
    void decidesByteForByteAsTheTopologyTestDriverDoes() {
        List<Input> input = record(20261127L, 4000);
        Log reference = run(input, Engine.TOPOLOGY_TEST_DRIVER);
        Log inProcess = run(input, Engine.IN_PROCESS);

        assertThat(inProcess.deadLetters).isEqualTo(reference.deadLetters).isGreaterThan(20);
        assertThat(new String(inProcess.bytes, StandardCharsets.UTF_8))
                .isEqualTo(new String(reference.bytes, StandardCharsets.UTF_8));
        assertThat(reference.kinds).containsAll(List.of("upgrade", "await-mapping", "rollback", "quarantine",
                "page", "resolve", "operator", "terminate-pod", "escalate", "fleet-hold", "fleet-release"));
        assertThat(reference.lines).as("a decision log worth comparing").isGreaterThan(300);
    }

    @Test
    void aBatchReplayGivesWhatFeedingRecordByRecordGives() {
        List<Input> input = record(7, 3000);
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        try (DeciderReplay replay = new DeciderReplay(CONFIG)) {
            replay.replay(input, o -> append(batch, o));
        }
        assertThat(batch.toByteArray()).isEqualTo(run(input, Engine.IN_PROCESS).bytes);
    }

    @Test
    void refusesWallClockTimers() {
        DeciderConfig live = DeciderConfig.fromEnv(Map.of("DECIDER_APPLICATION_ID", "live"));
        assertThatThrownBy(() -> new InProcessTopology(live, DeciderMetrics.detached(), new java.io.File(".")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DECIDER_WALL_CLOCK_TIMERS");
    }

    /** The production engine or the reference. */
    private enum Engine { IN_PROCESS, TOPOLOGY_TEST_DRIVER }

    private record Log(byte[] bytes, long deadLetters, Set<String> kinds, int lines) {
    }

    private static Log run(List<Input> input, Engine engine) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        long deadLetters;
        if (engine == Engine.IN_PROCESS) {
            try (DeciderReplay replay = new DeciderReplay(CONFIG)) {
                for (Input i : input) {
                    replay.feed(i.topic(), i.key(), i.value(), i.timestamp()).forEach(o -> append(log, o));
                }
                deadLetters = replay.deadLetters();
            }
        } else {
            try (DriverReplay replay = new DriverReplay(CONFIG)) {
                for (Input i : input) {
                    replay.feed(i.topic(), i.key(), i.value(), i.timestamp()).forEach(o -> append(log, o));
                }
                deadLetters = replay.deadLetters();
            }
        }
        Set<String> kinds = new TreeSet<>();
        String text = log.toString(StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        for (String line : lines) {
            int at = line.indexOf("\"kind\":\"");
            if (at >= 0) {
                kinds.add(line.substring(at + 8, line.indexOf('"', at + 8)));
            }
        }
        return new Log(log.toByteArray(), deadLetters, kinds, lines.length);
    }

    private static void append(ByteArrayOutputStream log, DeciderReplay.Output o) {
        log.writeBytes((o.key() + " " + o.timestamp().toEpochMilli() + " ").getBytes(StandardCharsets.UTF_8));
        log.writeBytes(o.value());
        log.write('\n');
    }

    /** A busy seeded fleet over 40 nodes ({@link SyntheticFleet} with operator noise), record time from T0. */
    private static List<Input> record(long seed, int count) {
        List<Input> out = new ArrayList<>();
        SyntheticFleet.of(40, count).seed(seed).start(DeciderHarness.T0).withOperatorNoise()
                .generate((topic, key, value, at) -> out.add(new Input(topic, key.getBytes(StandardCharsets.UTF_8),
                        value, at)));
        return out;
    }
}
