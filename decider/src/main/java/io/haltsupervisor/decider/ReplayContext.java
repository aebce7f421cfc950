package io.haltsupervisor.decider;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The context {@link InProcessTopology} gives each of the decider's processors: the stores by name, the records a
 * processor forwarded since the last {@link #takeForwarded}, and the stream time the replay sets. It is what the
 * processors use of a Streams task and nothing more, so the {@code replay} command runs the topology's own code
 * without {@code kafka-streams-test-utils} in the production jar.
 *
 * <p>There is no record metadata ({@link #recordMetadata} is empty: the replay checks partitions as it reads), no
 * serdes (the processors never ask), no punctuation (the replay fires timers by record time; asking for one is an
 * error, not a silent no-op) and nothing to commit.
 */
final class ReplayContext implements ProcessorContext<String, Emit> {
    private final String applicationId;
    private final TaskId taskId;
    private final File stateDir;
    private final Map<String, StateStore> stores = new HashMap<>();
    private final List<Record<String, Emit>> forwarded = new ArrayList<>();
    private long streamTime = -1L;

    ReplayContext(String applicationId, TaskId taskId, File stateDir) {
        this.applicationId = applicationId;
        this.taskId = taskId;
        this.stateDir = stateDir;
    }

    void addStateStore(StateStore store) {
        stores.put(store.name(), store);
    }

    void setStreamTime(long ms) {
        streamTime = ms;
    }

    /** What the processor forwarded since the last call, in order; the list starts empty again. */
    List<Record<String, Emit>> takeForwarded() {
        List<Record<String, Emit>> out = List.copyOf(forwarded);
        forwarded.clear();
        return out;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K extends String, V extends Emit> void forward(Record<K, V> record) {
        forwarded.add((Record<String, Emit>) (Record<?, ?>) record);
    }

    @Override
    public <K extends String, V extends Emit> void forward(Record<K, V> record, String childName) {
        throw new UnsupportedOperationException("the decider's processors forward to all children, not to '"
                + childName + "'");
    }

    @Override
    public String applicationId() {
        return applicationId;
    }

    @Override
    public TaskId taskId() {
        return taskId;
    }

    @Override
    public Optional<RecordMetadata> recordMetadata() {
        return Optional.empty();
    }

    @Override
    public Serde<?> keySerde() {
        return null;
    }

    @Override
    public Serde<?> valueSerde() {
        return null;
    }

    @Override
    public File stateDir() {
        return stateDir;
    }

    @Override
    public StreamsMetrics metrics() {
        throw new UnsupportedOperationException("the in-process replay has no Streams metrics");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <S extends StateStore> S getStateStore(String name) {
        StateStore store = stores.get(name);
        if (store == null) {
            throw new IllegalArgumentException("no state store '" + name + "' in the in-process replay");
        }
        return (S) store;
    }

    @Override
    public Cancellable schedule(Duration interval, PunctuationType type, Punctuator callback) {
        throw new UnsupportedOperationException("the in-process replay fires timers by record time, not by "
                + type + " punctuation");
    }

    @Override
    public Cancellable schedule(Instant startTime, Duration interval, PunctuationType type, Punctuator callback) {
        return schedule(interval, type, callback);
    }

    @Override
    public void commit() {
        // nothing to commit: stores are in memory and the replay's output is the caller's
    }

    @Override
    public Map<String, Object> appConfigs() {
        return Map.of();
    }

    @Override
    public Map<String, Object> appConfigsWithPrefix(String prefix) {
        return Map.of();
    }

    @Override
    public long currentSystemTimeMs() {
        return System.currentTimeMillis();
    }

    @Override
    public long currentStreamTimeMs() {
        return streamTime;
    }
}
