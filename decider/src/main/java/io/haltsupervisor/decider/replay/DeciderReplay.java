package io.haltsupervisor.decider.replay;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderMetrics;
import io.haltsupervisor.decider.DeciderTopology;
import io.haltsupervisor.decider.InProcessTopology;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The decider topology run offline, in this process, over recorded input records: what {@code supervisor
 * replay} and the replay benchmark use. No broker: the production topology's processors run with empty state,
 * fed in the order given (callers merge the input topics by timestamp, as Streams does), with wall-clock
 * timers off so grace windows expire by record time only — which makes the output a pure function of the
 * input.
 *
 * <p>Two engines with the same output, byte for byte: {@link Engine#IN_PROCESS} (the default) drives the
 * topology's processors directly ({@link InProcessTopology}); {@link Engine#TOPOLOGY_TEST_DRIVER} runs
 * {@link DeciderTopology#build} in Kafka Streams' {@link TopologyTestDriver}, which commits after every record
 * (RocksDB write, checkpoint) and so replays a few thousand records a second — kept as the reference the
 * in-process engine is tested against.
 *
 * <p>Decisions come out as raw bytes, exactly as the decider would write them to {@code seid.decisions.v1},
 * so a replayed log can be compared byte for byte with a recorded one.
 */
public final class DeciderReplay implements AutoCloseable {
    /** A decision as it would be written: key, value bytes, timestamp. */
    public record Output(String key, byte[] value, Instant timestamp) {
    }

    /** One recorded input record. */
    public record Input(String topic, byte[] key, byte[] value, Instant timestamp) {
    }

    /** How the topology is run. */
    public enum Engine { IN_PROCESS, TOPOLOGY_TEST_DRIVER }

    /** Records deserialised ahead of processing per batch by {@link #replay}. */
    private static final int BATCH = 4096;

    private final Path stateDir;
    private final InProcessTopology topology;
    private final TopologyTestDriver driver;
    private final Map<String, TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();
    private final TestOutputTopic<byte[], byte[]> decisions;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private long deadLetterCount;
    private String lastDeadLetterError;

    /** A replay on the in-process engine. */
    public DeciderReplay(DeciderConfig base) {
        this(base, Engine.IN_PROCESS);
    }

    public DeciderReplay(DeciderConfig base, Engine engine) {
        try {
            stateDir = Files.createTempDirectory("halt-supervisor-replay-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory for the replay", e);
        }
        DeciderConfig config = replayConfig(base).withStateDir(stateDir);
        DeciderMetrics metrics = DeciderMetrics.detached();
        if (engine == Engine.IN_PROCESS) {
            topology = new InProcessTopology(config, metrics, stateDir.toFile());
            driver = null;
            decisions = null;
            deadLetters = null;
            return;
        }
        topology = null;
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

    /** The live decider's settings that shape decisions, with wall-clock timers off. */
    static DeciderConfig replayConfig(DeciderConfig base) {
        return DeciderConfig.fromEnv(Map.of(
                "DECIDER_APPLICATION_ID", base.applicationId() + "-replay",
                "DECIDER_WALL_CLOCK_TIMERS", "false",
                "DECIDER_GRACE_WINDOW", base.graceWindow().toMillis() + "ms",
                "DECIDER_BREAKER_THRESHOLD", Integer.toString(base.breakerThreshold()),
                "DECIDER_BREAKER_WINDOW", base.breakerWindow().toMillis() + "ms",
                "DECIDER_DEDUPE_RETENTION", base.dedupeRetention().toMillis() + "ms",
                "DECIDER_MIN_BLOCK_TIME", base.minBlockTime().toString(),
                "DECIDER_HEIGHT_MARGIN", base.heightMargin().toString()));
    }

    /**
     * Feeds one input record and returns the decisions it caused, in order.
     *
     * @throws IllegalArgumentException when {@code topic} is not one of the decider's inputs
     */
    public List<Output> feed(String topic, byte[] key, byte[] value, Instant timestamp) {
        List<Output> out = new ArrayList<>();
        if (topology != null) {
            topology.process(topology.prepare(topic, key, value, timestamp.toEpochMilli()), o -> out.add(output(o)));
            return out;
        }
        TestInputTopic<byte[], byte[]> in = inputs.get(topic);
        if (in == null) {
            throw new IllegalArgumentException("topic " + topic + " is not an input of the decider");
        }
        in.pipeInput(key, value, timestamp);
        for (TestRecord<byte[], byte[]> r : decisions.readRecordsToList()) {
            out.add(new Output(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), r.value(),
                    r.getRecordTime()));
        }
        // asking for a topic nothing was written to yet makes the driver warn: ask only once there is one
        if (driver.producedTopicNames().contains(Topics.DEAD_LETTERS.name())) {
            for (TestRecord<byte[], byte[]> r : deadLetters.readRecordsToList()) {
                deadLetterCount++;
                lastDeadLetterError = Topics.DEAD_LETTERS.valueSerde().deserializer()
                        .deserialize(Topics.DEAD_LETTERS.name(), r.value()).error();
            }
        }
        return out;
    }

    /**
     * Feeds every input in order and hands each decision to {@code out} as it is made. On the in-process
     * engine, the next batch of records is deserialised on another thread while this one is processed
     * (deserialisation is pure, so the output is what {@link #feed} gives record by record).
     */
    public void replay(List<Input> records, Consumer<Output> out) {
        if (topology == null) {
            for (Input i : records) {
                feed(i.topic(), i.key(), i.value(), i.timestamp()).forEach(out);
            }
            return;
        }
        ExecutorService ahead = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "replay-deserialise");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletableFuture<InProcessTopology.Prepared[]> next = prepareAsync(records, 0, ahead);
            for (int from = 0; from < records.size(); from += BATCH) {
                InProcessTopology.Prepared[] batch = next.join();
                next = prepareAsync(records, from + BATCH, ahead);
                for (InProcessTopology.Prepared p : batch) {
                    topology.process(p, o -> out.accept(output(o)));
                }
            }
        } finally {
            ahead.shutdownNow();
        }
    }

    private CompletableFuture<InProcessTopology.Prepared[]> prepareAsync(List<Input> records, int from,
            ExecutorService ahead) {
        int to = Math.min(records.size(), from + BATCH);
        if (from >= to) {
            return CompletableFuture.completedFuture(new InProcessTopology.Prepared[0]);
        }
        return CompletableFuture.supplyAsync(() -> {
            InProcessTopology.Prepared[] batch = new InProcessTopology.Prepared[to - from];
            for (int i = from; i < to; i++) {
                Input in = records.get(i);
                batch[i - from] = topology.prepare(in.topic(), in.key(), in.value(), in.timestamp().toEpochMilli());
            }
            return batch;
        }, ahead);
    }

    private static Output output(InProcessTopology.Output o) {
        return new Output(o.key() == null ? null : new String(o.key(), StandardCharsets.UTF_8), o.value(),
                Instant.ofEpochMilli(o.timestamp()));
    }

    /** Records the replay sent to the dead-letter topic (the original run dead-lettered them too). */
    public long deadLetters() {
        return topology != null ? topology.deadLetters() : deadLetterCount;
    }

    /** Why the latest dead letter was written (null before the first). */
    public String lastDeadLetterError() {
        return topology != null ? topology.lastDeadLetterError() : lastDeadLetterError;
    }

    @Override
    public void close() {
        if (driver != null) {
            driver.close();
        }
        try (var paths = Files.walk(stateDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
