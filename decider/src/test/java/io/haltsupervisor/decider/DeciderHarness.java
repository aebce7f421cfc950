package io.haltsupervisor.decider;

import io.haltsupervisor.decider.core.NodeState;
import io.haltsupervisor.decider.streams.DeciderTopology;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.NodeObservation;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A {@link TopologyTestDriver} around the decider topology, one per test: typed input topics, the
 * decision and dead-letter outputs, and a mock wall clock starting at {@link #T0}.
 */
public final class DeciderHarness implements AutoCloseable {
    public static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    public final DeciderConfig config;
    public final DeciderMetrics metrics = DeciderMetrics.detached();
    public final TopologyTestDriver driver;
    public final TestInputTopic<String, HaltObserved> halts;
    public final TestInputTopic<String, NodeObservation> observations;
    public final TestInputTopic<String, ImageMappingChanged> mappings;
    public final TestInputTopic<String, OperatorCommandIssued> commands;
    public final TestOutputTopic<String, Decision> decisions;
    public final TestOutputTopic<String, DeadLetterRecorded> deadLetters;
    private final Path stateDir;

    public DeciderHarness() {
        this(DeciderConfig.defaults("decider-test"));
    }

    public DeciderHarness(DeciderConfig base) {
        this(base, DeciderTopology.InputPartitions.ONE);
    }

    /** With the processors told the inputs have {@code partitions} (the driver puts every record on partition 0). */
    public DeciderHarness(DeciderConfig base, DeciderTopology.InputPartitions partitions) {
        try {
            stateDir = Files.createTempDirectory("decider-ttd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config = base.withStateDir(stateDir);
        Properties props = DeciderTopology.streamsProperties(config, Map.of("bootstrap.servers", "ttd:9092"),
                metrics);
        // The driver's simulated exactly-once loses dead letters returned by the deserialization handler
        // (its transaction is not committed for a skipped record); the topology's logic is the same under
        // either guarantee, and DeciderIT covers exactly-once, dead letters included, on a real broker.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        driver = new TopologyTestDriver(DeciderTopology.build(config, metrics, partitions), props, T0);
        halts = input(Topics.HALT_OBSERVATIONS);
        observations = input(Topics.NODE_OBSERVATIONS);
        mappings = input(Topics.IMAGE_MAPPINGS);
        commands = input(Topics.OPERATOR_COMMANDS);
        decisions = driver.createOutputTopic(Topics.DECISIONS.name(), Topics.DECISIONS.keySerde().deserializer(),
                Topics.DECISIONS.valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS.name(),
                Topics.DEAD_LETTERS.keySerde().deserializer(), Topics.DEAD_LETTERS.valueSerde().deserializer());
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer(),
                T0, Duration.ZERO);
    }

    /** Raw bytes onto a topic (poison records). */
    public void pipeRaw(Topic<?, ?> topic, byte[] key, byte[] value, Instant at) {
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(topic.name(), new ByteArraySerializer(),
                new ByteArraySerializer());
        raw.pipeInput(key, value, at);
    }

    public void halt(HaltObserved h, Instant at) {
        halts.pipeInput(h.nodeId(), h, at);
    }

    public void observe(NodeObservation o, Instant at) {
        observations.pipeInput(o.nodeId(), o, at);
    }

    public void map(ImageMappingChanged m, Instant at) {
        mappings.pipeInput(m.plan(), m, at);
    }

    public void command(OperatorCommandIssued c, Instant at) {
        commands.pipeInput(c.key(), c, at);
    }

    /** Every decision emitted since the last call, in order. */
    public List<Decision> decisions() {
        return decisions.readValuesToList();
    }

    /** Asserts that no decision and no dead letter is pending. */
    public void assertNothingElse() {
        assertThat(decisions.readValuesToList()).as("unexpected decisions").isEmpty();
        assertThat(deadLetters.readValuesToList()).as("unexpected dead letters").isEmpty();
    }

    public NodeState nodeState(String nodeId) {
        KeyValueStore<String, NodeState> store = driver.getKeyValueStore(DeciderTopology.NODE_STATE_STORE);
        return store.get(nodeId);
    }

    @Override
    public void close() {
        driver.close();
        TestFiles.deleteTree(stateDir);
    }
}
