package io.haltsupervisor.decider;

import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.Topics;
import java.io.File;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The decider topology's own processors ({@link NodeProcessor}, {@link MappingProcessor},
 * {@link FleetProcessor}) driven in this thread, record by record, each in a {@link ReplayContext}, the way {@code TopologyTestDriver} drives
 * {@link DeciderTopology#build}: one task holding every partition; each input record processed to the end,
 * then what it sent to the decider's internal topics (the fleet-events repartition topic, the control topic)
 * fed back at once — the queue with the earliest head record first, as Streams' {@code PartitionGroup} picks
 * — before the next input; stream time the largest timestamp processed; poison skipped and counted as the
 * dead-letter handlers would. Internal records and decisions go through the same serdes as on a broker.
 *
 * <p>What it leaves out is what makes the test driver slow and does not touch the decision log: a commit
 * (cache flush, RocksDB write batch, checkpoint file) after every record, changelogs, record caches, RocksDB
 * and the stores' serdes: stores are {@link ObjectStore}s, in memory, same names, iterated in the same order
 * (see there for why holding objects cannot change a decision). {@code InProcessTopologyTest} holds it to
 * byte-identical output with the test driver on a busy seeded input.
 *
 * <p>Replay only: wall-clock timers must be off ({@code DECIDER_WALL_CLOCK_TIMERS=false}); grace windows
 * expire by record time. Not thread-safe, except {@link #prepare}, which is pure and may run on other threads
 * ahead of {@link #process}.
 */
public final class InProcessTopology {
    /** A decision as the topology writes it: key and value bytes, record timestamp. */
    public record Output(byte[] key, byte[] value, long timestamp) {
    }

    /** An input record deserialised by {@link #prepare}; {@code error} is set when it could not be. */
    public static final class Prepared {
        final String topic;
        final String key;
        final Object value;
        final long timestamp;
        final RuntimeException error;

        private Prepared(String topic, String key, Object value, long timestamp, RuntimeException error) {
            this.topic = topic;
            this.key = key;
            this.value = value;
            this.timestamp = timestamp;
            this.error = error;
        }
    }

    /** The three source processors' kinds of input. */
    private enum Source { NODE, MAPPING, FLEET }

    /** One internal topic's queue of records waiting to be fed back ({@code RecordQueue}). */
    private static final class InternalQueue {
        final Source target;
        final ArrayDeque<Record<String, ?>> records = new ArrayDeque<>();

        InternalQueue(Source target) {
            this.target = target;
        }

        long headTimestamp() {
            return records.peekFirst().timestamp();
        }
    }

    private final String controlTopic;
    private final DeciderMetrics metrics;
    private final ReplayContext nodeContext;
    private final ReplayContext mappingContext;
    private final ReplayContext fleetContext;
    private final NodeProcessor nodes;
    private final MappingProcessor mappings;
    private final FleetProcessor fleet;
    private final InternalQueue controlQueue = new InternalQueue(Source.NODE);
    private final InternalQueue fleetQueue = new InternalQueue(Source.FLEET);
    /** Non-empty internal queues by head timestamp, offered and polled as {@code PartitionGroup} does. */
    private final PriorityQueue<InternalQueue> queuesByTime =
            new PriorityQueue<>(2, Comparator.comparingLong(InternalQueue::headTimestamp));
    private static final Deserializer<String> KEYS = Serdes.String().deserializer();
    private final Map<String, Deserializer<?>> valueDeserializers = new HashMap<>();
    private final Serde<Decision> decisionSerde = Topics.DECISIONS.valueSerde();
    private long streamTime = -1L;
    private long deadLetters;
    private String lastDeadLetterError;

    /**
     * @param stateDir a directory the processors' context may name (nothing is written there)
     * @throws IllegalArgumentException when {@code config} fires timers by the wall clock
     */
    public InProcessTopology(DeciderConfig config, DeciderMetrics metrics, File stateDir) {
        if (config.wallClockTimers()) {
            throw new IllegalArgumentException("an in-process replay fires timers by record time only: set "
                    + DeciderConfig.ENV_WALL_CLOCK_TIMERS + "=false");
        }
        this.controlTopic = config.controlTopic();
        // as the topology's sources: the node inputs through NodeInputSerde (already wrapped), mappings on their own
        NodeInputSerde nodeInputs = new NodeInputSerde(controlTopic);
        nodeInputs.topics().forEach(topic -> valueDeserializers.put(topic, nodeInputs));
        valueDeserializers.put(Topics.IMAGE_MAPPINGS.name(), Topics.IMAGE_MAPPINGS.valueSerde().deserializer());
        this.metrics = metrics;
        TaskId task = new TaskId(0, 0);
        nodeContext = new ReplayContext(config.applicationId(), task, stateDir);
        mappingContext = new ReplayContext(config.applicationId(), task, stateDir);
        fleetContext = new ReplayContext(config.applicationId(), task, stateDir);
        for (String store : DeciderTopology.STORE_VALUE_SERDES.keySet()) {
            addStore(store.equals(DeciderTopology.FLEET_STATE_STORE) ? fleetContext : nodeContext, store);
        }
        nodes = new NodeProcessor(config, metrics);
        mappings = new MappingProcessor();
        fleet = new FleetProcessor(config, metrics);
        nodes.init(nodeContext);
        mappings.init(mappingContext);
        fleet.init(fleetContext);
    }

    private static void addStore(ReplayContext context, String name) {
        ObjectStore<Object> store = new ObjectStore<>(name);
        store.init(null, store); // an ObjectStore needs no store context: it only marks itself open
        context.addStateStore(store);
    }

    /**
     * Deserialises one input record with its topic's serdes, as a source node would. Pure and thread-safe.
     *
     * @throws IllegalArgumentException when {@code topic} is not one of the decider's inputs
     */
    public Prepared prepare(String topic, byte[] key, byte[] value, long timestamp) {
        Deserializer<?> values = valueDeserializers.get(topic);
        if (values == null) {
            throw new IllegalArgumentException("topic " + topic + " is not an input of the decider");
        }
        try {
            String k = KEYS.deserialize(topic, key);
            Object v = values.deserialize(topic, value);
            return new Prepared(topic, k, v, timestamp, null);
        } catch (RuntimeException e) {
            return new Prepared(topic, null, null, timestamp, e);
        }
    }

    /** Processes one prepared input record and everything it feeds back; decisions go to {@code out}, in order. */
    public void process(Prepared input, Consumer<Output> out) {
        if (input.error != null) {
            // DeadLetters.OnDeserialization: skipped before it reaches a processor; stream time does not move
            deadLetter(input.topic, input.error);
            return;
        }
        Source source = input.value instanceof NodeInput ? Source.NODE : Source.MAPPING;
        run(source, input.topic, new Record<>(input.key, input.value, input.timestamp), out);
        // then what the record sent to internal topics, earliest head first, until nothing is left
        InternalQueue queue;
        while ((queue = queuesByTime.poll()) != null) {
            Record<String, ?> next = queue.records.pollFirst();
            if (!queue.records.isEmpty()) {
                queuesByTime.offer(queue);
            }
            String topic = queue == controlQueue ? controlTopic : DeciderTopology.FLEET_EVENTS_TOPIC;
            Record<String, ?> wrapped = queue == controlQueue
                    ? next.withValue(new NodeInput.Control((ControlEvent) next.value())) : next;
            run(queue.target, topic, wrapped, out);
        }
    }

    /** Dead letters so far (poison input and records a processor rejected). */
    public long deadLetters() {
        return deadLetters;
    }

    /** The error of the latest dead letter (null before the first). */
    public String lastDeadLetterError() {
        return lastDeadLetterError;
    }

    @SuppressWarnings("unchecked")
    private void run(Source source, String topic, Record<String, ?> record, Consumer<Output> out) {
        streamTime = Math.max(streamTime, record.timestamp());
        ReplayContext context = switch (source) {
            case NODE -> nodeContext;
            case MAPPING -> mappingContext;
            case FLEET -> fleetContext;
        };
        context.setStreamTime(streamTime);
        try {
            switch (source) {
                case NODE -> nodes.process((Record<String, NodeInput>) record);
                case MAPPING -> mappings.process((Record<String, ImageMappingChanged>) record);
                case FLEET -> fleet.process((Record<String, FleetEvent>) record);
            }
        } catch (RuntimeException e) {
            // DeadLetters.OnProcessing: the record is dead-lettered; what it forwarded before stays forwarded
            deadLetter(topic, e);
        }
        route(source, context.takeForwarded(), out);
    }

    /** The topology's split: decisions to their sink, fleet events to the repartition topic, control broadcast. */
    private void route(Source source, List<Record<String, Emit>> forwarded, Consumer<Output> out) {
        for (Record<String, Emit> r : forwarded) {
            Emit emit = r.value();
            if (emit instanceof Emit.Decided decided && source != Source.MAPPING) {
                String topic = Topics.DECISIONS.name();
                out.accept(new Output(Topics.DECISIONS.keySerde().serializer().serialize(topic, r.key()),
                        decisionSerde.serializer().serialize(topic, decided.decision()), r.timestamp()));
            } else if (emit instanceof Emit.ToFleet toFleet && source == Source.NODE) {
                String topic = DeciderTopology.FLEET_EVENTS_TOPIC;
                Serde<FleetEvent> serde = DeciderTopology.FLEET_EVENT_SERDE;
                FleetEvent copy = serde.deserializer().deserialize(topic,
                        serde.serializer().serialize(topic, toFleet.event()));
                enqueue(fleetQueue, new Record<>(r.key(), copy, r.timestamp()));
            } else if (emit instanceof Emit.ToControl toControl && source != Source.NODE) {
                Serde<ControlEvent> serde = DeciderTopology.CONTROL_SERDE;
                ControlEvent copy = serde.deserializer().deserialize(controlTopic,
                        serde.serializer().serialize(controlTopic, toControl.event()));
                enqueue(controlQueue, new Record<>(r.key(), copy, r.timestamp()));
            }
            // anything else matches no branch of the topology's split (noDefaultBranch): dropped there too
        }
    }

    private void enqueue(InternalQueue queue, Record<String, ?> record) {
        boolean wasEmpty = queue.records.isEmpty();
        queue.records.addLast(record);
        if (wasEmpty) {
            queuesByTime.offer(queue);
        }
    }

    private void deadLetter(String topic, RuntimeException error) {
        lastDeadLetterError = error.getMessage() == null ? error.toString() : error.getMessage();
        deadLetters++;
        metrics.deadLetter(topic);
    }
}
