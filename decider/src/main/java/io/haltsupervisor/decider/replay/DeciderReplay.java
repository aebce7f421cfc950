package io.haltsupervisor.decider.replay;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderMetrics;
import io.haltsupervisor.decider.InProcessTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The decider topology run offline, in this process, over recorded input records: what {@code supervisor
 * replay} and the replay benchmark use. No broker: the production topology's processors run with empty state,
 * fed in the order given (callers merge the input topics by timestamp, as Streams does), with wall-clock
 * timers off so grace windows expire by record time only — which makes the output a pure function of the
 * input.
 *
 * <p>It drives the topology's processors directly ({@link InProcessTopology}). The reference it is held to, byte
 * for byte, is the same topology in Kafka Streams' {@code TopologyTestDriver} ({@code DriverReplay}, in this
 * module's test jar: the test driver commits after every record and so replays a few thousand records a second,
 * and it is test machinery that the production jar does not carry).
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

    /** Records deserialised ahead of processing per batch by {@link #replay}. */
    private static final int BATCH = 4096;

    private final Path stateDir;
    private final InProcessTopology topology;

    public DeciderReplay(DeciderConfig base) {
        try {
            stateDir = Files.createTempDirectory("halt-supervisor-replay-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory for the replay", e);
        }
        DeciderConfig config = replayConfig(base).withStateDir(stateDir);
        topology = new InProcessTopology(config, DeciderMetrics.detached(), stateDir.toFile());
    }

    /** The live decider's settings that shape decisions, with wall-clock timers off. */
    public static DeciderConfig replayConfig(DeciderConfig base) {
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
        topology.process(topology.prepare(topic, key, value, timestamp.toEpochMilli()), o -> out.add(output(o)));
        return out;
    }

    /**
     * Feeds every input in order and hands each decision to {@code out} as it is made. The next batch of records
     * is deserialised on another thread while this one is processed (deserialisation is pure, so the output is
     * what {@link #feed} gives record by record).
     */
    public void replay(List<Input> records, Consumer<Output> out) {
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
        return topology.deadLetters();
    }

    /** Why the latest dead letter was written (null before the first). */
    public String lastDeadLetterError() {
        return topology.lastDeadLetterError();
    }

    @Override
    public void close() {
        try (var paths = Files.walk(stateDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
