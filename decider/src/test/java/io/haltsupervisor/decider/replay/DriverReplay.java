package io.haltsupervisor.decider.replay;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderMetrics;
import io.haltsupervisor.decider.DeciderTopology;
import io.haltsupervisor.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
 * The reference replay engine: {@link DeciderTopology#build} in Kafka Streams' {@link TopologyTestDriver}, fed
 * the way {@link DeciderReplay} is fed and giving the same {@link DeciderReplay.Output}s. {@link DeciderReplay}
 * (the production engine) is held to it byte for byte by {@code InProcessTopologyTest}, and the replay benchmark
 * reports both. It lives in the test jar because the test driver is test machinery.
 */
public final class DriverReplay implements AutoCloseable {
    private final Path stateDir;
    private final TopologyTestDriver driver;
    private final Map<String, TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();
    private final TestOutputTopic<byte[], byte[]> decisions;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private long deadLetterCount;

    public DriverReplay(DeciderConfig base) {
        try {
            stateDir = Files.createTempDirectory("halt-supervisor-driver-replay-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory for the replay", e);
        }
        DeciderConfig config = DeciderReplay.replayConfig(base).withStateDir(stateDir);
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
    public List<DeciderReplay.Output> feed(String topic, byte[] key, byte[] value, Instant timestamp) {
        TestInputTopic<byte[], byte[]> in = inputs.get(topic);
        if (in == null) {
            throw new IllegalArgumentException("topic " + topic + " is not an input of the decider");
        }
        in.pipeInput(key, value, timestamp);
        List<DeciderReplay.Output> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : decisions.readRecordsToList()) {
            out.add(new DeciderReplay.Output(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                    r.value(), r.getRecordTime()));
        }
        // asking for a topic nothing was written to yet makes the driver warn: ask only once there is one
        if (driver.producedTopicNames().contains(Topics.DEAD_LETTERS.name())) {
            deadLetterCount += deadLetters.readRecordsToList().size();
        }
        return out;
    }

    /** Records the driver sent to the dead-letter topic. */
    public long deadLetters() {
        return deadLetterCount;
    }

    @Override
    public void close() {
        driver.close();
        try (var paths = Files.walk(stateDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
