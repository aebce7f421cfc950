package io.haltsupervisor.decider.replay;

import io.haltsupervisor.decider.DeciderHarness;
import io.haltsupervisor.decider.Events;

import static io.haltsupervisor.decider.Events.IMG5;
import static io.haltsupervisor.decider.Events.IMG6;
import static io.haltsupervisor.decider.Events.IMG7;
import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Replay determinism: one recorded input (a few thousand records over 30 nodes, every kind of input,
 * poison and wall-clock time included) is run twice, each time on a fresh topology with empty state;
 * the two decision logs — keys, values and timestamps, as bytes — must be identical.
 *
 * <p>What this covers: the decider's own determinism for a given order of input records (no wall
 * clock, randomness or hash order in decisions and their ids; timers stamped with their due time).
 * What it does not cover: the order in which a real broker interleaves partitions and the control
 * topic for a task; see the package documentation for when a replay on a broker reproduces it.
 */
class ReplayDeterminismTest {
    private static final String[] PLANS = {"v6", "v7", "v8"};
    private static final String[] IMAGES = {IMG5, IMG6, IMG7};

    /** One recorded input: a record on a topic, or the wall clock moving. */
    private record Recorded(String topic, byte[] key, byte[] value, Instant at, Duration wallClock) {
    }

    @Test
    void theSameRecordedInputYieldsByteIdenticalDecisionLogs() {
        List<Recorded> input = record(new Random(20261120L), 3000);
        byte[] first = run(input);
        byte[] second = run(input);

        assertThat(second).isEqualTo(first);
        String log = new String(first, StandardCharsets.UTF_8);
        Set<String> kinds = new TreeSet<>();
        for (String line : log.split("\n")) {
            int at = line.indexOf("\"kind\":\"");
            if (at >= 0) {
                kinds.add(line.substring(at + 8, line.indexOf('"', at + 8)));
            }
        }
        assertThat(log.split("\n").length).as("a decision log worth comparing").isGreaterThan(200);
        assertThat(kinds).containsAll(List.of("upgrade", "await-mapping", "rollback", "quarantine", "page",
                "resolve", "operator", "terminate-pod", "escalate", "fleet-hold", "fleet-release"));
    }

    @Test
    void aDifferentInputYieldsADifferentLog() {
        // guards the comparison above against vacuous success (e.g. an empty or constant log)
        assertThat(run(record(new Random(1), 500))).isNotEqualTo(run(record(new Random(2), 500)));
    }

    private static byte[] run(List<Recorded> input) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (DeciderHarness h = new DeciderHarness()) {
            for (Recorded r : input) {
                if (r.wallClock() != null) {
                    h.driver.advanceWallClockTime(r.wallClock());
                } else {
                    h.pipeRaw(Topics.byName(r.topic()).orElseThrow(), r.key(), r.value(), r.at());
                }
                for (TestRecord<String, Decision> d : h.decisions.readRecordsToList()) {
                    byte[] value = Topics.DECISIONS.valueSerde().serializer().serialize(Topics.DECISIONS.name(),
                            d.value());
                    log.writeBytes((d.key() + " " + d.timestamp() + " ").getBytes(StandardCharsets.UTF_8));
                    log.writeBytes(value);
                    log.write('\n');
                }
                h.deadLetters.readValuesToList();
            }
        }
        return log.toByteArray();
    }

    /** A plausible, busy, seeded stream of inputs. */
    private static List<Recorded> record(Random random, int count) {
        List<Recorded> out = new ArrayList<>();
        Instant now = DeciderHarness.T0;
        int commands = 0;
        for (int i = 0; i < count; i++) {
            now = now.plusSeconds(random.nextInt(20));
            String node = "sei/n-" + random.nextInt(30);
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
                    out.add(new Recorded(Topics.IMAGE_MAPPINGS.name(), plan.getBytes(StandardCharsets.UTF_8), null,
                            now, null));
                } else {
                    out.add(value(Topics.IMAGE_MAPPINGS, plan, Events.mapping(plan, IMAGES[random.nextInt(3)],
                            151_000_000L + plan.charAt(1), now), now));
                }
            } else if (roll < 90) {
                Command c = Command.values()[random.nextInt(Command.values().length)];
                out.add(value(Topics.OPERATOR_COMMANDS, node, Events.command("cmd-" + commands++, node, c, now),
                        now));
            } else if (roll < 92) {
                out.add(value(Topics.OPERATOR_COMMANDS, Topics.FLEET_KEY,
                        Events.fleetRelease("fleet-" + commands++, now), now));
            } else if (roll < 93) {
                out.add(new Recorded(Topics.HALT_OBSERVATIONS.name(), node.getBytes(StandardCharsets.UTF_8),
                        "{\"poison\":".getBytes(StandardCharsets.UTF_8), now, null));
            } else {
                Duration advance = Duration.ofSeconds(random.nextInt(400));
                out.add(new Recorded(null, null, null, null, advance));
                now = now.plus(advance);
            }
        }
        return out;
    }

    private static <V> Recorded value(Topic<String, V> topic, String key, V value, Instant at) {
        return new Recorded(topic.name(), key.getBytes(StandardCharsets.UTF_8),
                topic.valueSerde().serializer().serialize(topic.name(), value), at, null);
    }
}
