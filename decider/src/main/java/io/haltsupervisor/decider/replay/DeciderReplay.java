package io.haltsupervisor.decider.replay;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderMetrics;
import io.haltsupervisor.decider.DeciderTopology;
import io.haltsupervisor.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The decider topology run offline, in this process, over recorded input records: what {@code supervisor
 * replay} and the replay benchmark use. No broker: Kafka Streams' {@link TopologyTestDriver} runs the
 * exact production topology ({@link DeciderTopology#build}) with empty state, fed in the order given
 * (callers merge the input topics by timestamp, as Streams does), with wall-clock timers off so grace
 * windows expire by record time only — which makes the output a pure function of the input.
 *
 * <p>Decisions come out as raw bytes, exactly as the decider would write them to
 * {@code seid.decisions.v1}, so a replayed log can be compared byte for byte with a recorded one.
 */
public final class DeciderReplay implements AutoCloseable {
    /** A decision as it would be written: key, value bytes, timestamp. */
    public record Output(String key, byte[] value, Instant timestamp) {
    }

    private final TopologyTestDriver driver;
    private final Map<String, TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();
    private final TestOutputTopic<byte[], byte[]> decisions;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private final Path stateDir;
    private long deadLetterCount;

    public DeciderReplay(DeciderConfig base) {
        try {
            stateDir = Files.createTempDirectory("halt-supervisor-replay-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory for the replay", e);
        }
        DeciderConfig config = DeciderConfig.fromEnv(Map.of(
                "DECIDER_APPLICATION_ID", base.applicationId() + "-replay",
                "DECIDER_WALL_CLOCK_TIMERS", "false",
                "DECIDER_GRACE_WINDOW", base.graceWindow().toMillis() + "ms",
                "DECIDER_BREAKER_THRESHOLD", Integer.toString(base.breakerThreshold()),
                "DECIDER_BREAKER_WINDOW", base.breakerWindow().toMillis() + "ms",
                "DECIDER_DEDUPE_RETENTION", base.dedupeRetention().toMillis() + "ms")).withStateDir(stateDir);
        DeciderMetrics metrics = DeciderMetrics.detached();
        Properties props = DeciderTopology.streamsProperties(config, Map.of("bootstrap.servers", "replay:9092"),
                metrics);
        // the driver processes one record at a time in order: nothing to commit, nothing to abort
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        driver = new TopologyTestDriver(DeciderTopology.build(config, metrics), props, Instant.EPOCH);
        for (String topic : List.of(Topics.HALT_OBSERVATIONS.name(), Topics.NODE_OBSERVATIONS.name(),
                Topics.IMAGE_MAPPINGS.name(), Topics.OPERATOR_COMMANDS.name())) {
            inputs.put(topic, driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer()));
        }
        decisions = driver.createOutputTopic(Topics.DECISIONS.name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    /**
     * Feeds one input record and returns the decisions it caused, in order.
     *
     * @throws IllegalArgumentException when {@code topic} is not one of the decider's inputs
     */
    public List<Output> feed(String topic, byte[] key, byte[] value, Instant timestamp) {
        TestInputTopic<byte[], byte[]> in = inputs.get(topic);
        if (in == null) {
            throw new IllegalArgumentException("topic " + topic + " is not an input of the decider");
        }
        in.pipeInput(key, value, timestamp);
        List<Output> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : decisions.readRecordsToList()) {
            out.add(new Output(r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8),
                    r.value(), r.getRecordTime()));
        }
        deadLetterCount += deadLetters.readRecordsToList().size();
        return out;
    }

    /** Records the replay sent to the dead-letter topic (the original run dead-lettered them too). */
    public long deadLetters() {
        return deadLetterCount;
    }

    @Override
    public void close() {
        driver.close();
        try (var paths = Files.walk(stateDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
