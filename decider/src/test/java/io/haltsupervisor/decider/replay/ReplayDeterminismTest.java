package io.haltsupervisor.decider.replay;

import io.haltsupervisor.decider.DeciderHarness;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.sandbox.synthetic.SyntheticFleet;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Replay determinism: one recorded input (a few thousand records of a synthetic 30-node fleet, every kind of
 * input, poison and wall-clock time included) is run twice, each time on a fresh topology with empty state;
 * the two decision logs — keys, values and timestamps, as bytes — must be identical.
 *
 * <p>What this covers: the decider's own determinism for a given order of input records (no wall
 * clock, randomness or hash order in decisions and their ids; timers stamped with their due time).
 * What it does not cover: the order in which a real broker interleaves partitions and the control
 * topic for a task; see the package documentation for when a replay on a broker reproduces it.
 */
class ReplayDeterminismTest {
    /** One recorded input: a record on a topic, or the wall clock moving. */
    private record Recorded(String topic, byte[] key, byte[] value, Instant at, Duration wallClock) {
    }

    @Test
    void theSameRecordedInputYieldsByteIdenticalDecisionLogs() {
        List<Recorded> input = record(20261120L, 3000);
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
        assertThat(run(record(1, 500))).isNotEqualTo(run(record(2, 500)));
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

    /** A busy seeded fleet over 30 nodes ({@link SyntheticFleet} with operator noise), record time from T0. */
    private static List<Recorded> record(long seed, int count) {
        List<Recorded> out = new ArrayList<>();
        SyntheticFleet.of(30, count).seed(seed).start(DeciderHarness.T0).withOperatorNoise()
                .generate(new SyntheticFleet.Sink() {
                    @Override
                    public void send(String topic, String key, byte[] value, Instant at) {
                        out.add(new Recorded(topic, key.getBytes(StandardCharsets.UTF_8), value, at, null));
                    }

                    @Override
                    public void advanceWallClock(Duration by) {
                        out.add(new Recorded(null, null, null, null, by));
                    }
                });
        return out;
    }
}
