package io.haltsupervisor.decider;

import static io.haltsupervisor.decider.Events.IMG5;
import static io.haltsupervisor.decider.Events.IMG6;
import static io.haltsupervisor.decider.Events.IMG7;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.decider.replay.DeciderReplay;
import io.haltsupervisor.decider.replay.DriverReplay;
import io.haltsupervisor.decider.replay.DeciderReplay.Input;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
    private static final String[] PLANS = {"v6", "v7", "v8"};
    private static final String[] IMAGES = {IMG5, IMG6, IMG7};
    private static final DeciderConfig CONFIG = DeciderConfig.fromEnv(Map.of("DECIDER_APPLICATION_ID", "equiv",
            "DECIDER_GRACE_WINDOW", "3m", "DECIDER_BREAKER_THRESHOLD", "3", "DECIDER_BREAKER_WINDOW", "10m"));

    @Test
    void decidesByteForByteAsTheTopologyTestDriverDoes() {
        List<Input> input = record(new Random(20261127L), 4000);
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
        List<Input> input = record(new Random(7), 3000);
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

    /** A plausible, busy, seeded stream of inputs over 40 nodes, poison of every kind included. */
    private static List<Input> record(Random random, int count) {
        List<Input> out = new ArrayList<>();
        Instant now = DeciderHarness.T0;
        int commands = 0;
        for (int i = 0; i < count; i++) {
            // mostly seconds apart, now and then minutes: grace windows expire by record time
            now = now.plusSeconds(random.nextInt(50) == 0 ? 60 + random.nextInt(400) : random.nextInt(15));
            String node = "sei/n-" + random.nextInt(40);
            int roll = random.nextInt(100);
            if (roll < 25) {
                int code = new int[] {70, 70, 70, 71, 72, 84}[random.nextInt(6)];
                String plan = code == 70 ? PLANS[random.nextInt(PLANS.length)] : null;
                Instant announced = now.minusSeconds(random.nextInt(3) * 60L);
                out.add(value(Topics.HALT_OBSERVATIONS, node, Events.statusHalt(node, code, plan,
                        plan == null ? null : 151_000_000L + plan.charAt(1), announced,
                        IMAGES[random.nextInt(IMAGES.length)], now), now));
            } else if (roll < 45) {
                int code = new int[] {70, 71, 72, 77}[random.nextInt(4)];
                out.add(value(Topics.HALT_OBSERVATIONS, node, Events.exitHalt(node, code, "uid-" + random.nextInt(3),
                        "containerd://" + random.nextInt(6), random.nextInt(5), now.minusSeconds(1),
                        IMAGES[random.nextInt(IMAGES.length)]), now));
            } else if (roll < 65) {
                String image = IMAGES[random.nextInt(IMAGES.length)];
                out.add(value(Topics.NODE_OBSERVATIONS, node, random.nextBoolean()
                        ? Events.podReady(node, "uid-" + random.nextInt(5), image, random.nextInt(5), now)
                        : Events.podNotReady(node, "uid-" + random.nextInt(5), image, random.nextInt(5), now), now));
            } else if (roll < 72) {
                out.add(value(Topics.NODE_OBSERVATIONS, node, random.nextBoolean()
                        ? Events.heartbeat(node, 151_000_000L + random.nextInt(60), now)
                        : Events.recovered(node, 151_000_100L, now), now));
            } else if (roll < 78) {
                String plan = PLANS[random.nextInt(PLANS.length)];
                if (random.nextInt(5) == 0) {
                    out.add(raw(Topics.IMAGE_MAPPINGS, plan, null, now));
                } else {
                    out.add(value(Topics.IMAGE_MAPPINGS, plan, Events.mapping(plan, IMAGES[random.nextInt(3)],
                            151_000_000L + plan.charAt(1), now), now));
                }
            } else if (roll < 89) {
                Command c = Command.values()[random.nextInt(Command.values().length)];
                out.add(value(Topics.OPERATOR_COMMANDS, node, Events.command("cmd-" + commands++, node, c, now),
                        now));
            } else if (roll < 92) {
                out.add(value(Topics.OPERATOR_COMMANDS, Topics.FLEET_KEY,
                        Events.fleetRelease("fleet-" + commands++, now), now));
            } else {
                out.add(poison(random, node, now));
            }
        }
        return out;
    }

    /** Undecodable JSON, a tombstone, a record keyed by another node, a mapping keyed by another plan. */
    private static Input poison(Random random, String node, Instant at) {
        return switch (random.nextInt(5)) {
            case 0 -> raw(Topics.HALT_OBSERVATIONS, node, "{\"poison\":".getBytes(StandardCharsets.UTF_8), at);
            case 1 -> raw(Topics.NODE_OBSERVATIONS, node, null, at);
            case 2 -> value(Topics.NODE_OBSERVATIONS, "sei/other", Events.heartbeat(node, 151_000_000L, at), at);
            case 3 -> value(Topics.IMAGE_MAPPINGS, "v9", Events.mapping("v6", IMG6, 151_000_000L, at), at);
            default -> raw(Topics.OPERATOR_COMMANDS, node, "[]".getBytes(StandardCharsets.UTF_8), at);
        };
    }

    private static <V> Input value(Topic<String, V> topic, String key, V value, Instant at) {
        return new Input(topic.name(), key.getBytes(StandardCharsets.UTF_8),
                topic.valueSerde().serializer().serialize(topic.name(), value), at);
    }

    private static Input raw(Topic<String, ?> topic, String key, byte[] value, Instant at) {
        return new Input(topic.name(), key.getBytes(StandardCharsets.UTF_8), value, at);
    }
}
