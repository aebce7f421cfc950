package io.haltsupervisor.cli.e2e;

import static org.awaitility.Awaitility.await;

import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.NodeObservation;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Everything committed on the supervisor's topics, as a consumer with {@code isolation.level=read_committed}
 * reads it from offset 0: a background thread keeps an in-memory copy, so assertions can poll it cheaply.
 * Records of aborted transactions never show; {@link #awaitCaughtUp()} waits until the copy holds every record
 * committed so far (the last stable offset of every partition), so "exactly N" counts are taken on the whole
 * committed log, not on whatever the thread happened to have fetched.
 */
final class TopicLog implements AutoCloseable {

    /** One committed record; {@code value} is the deserialised event, or {@link Unreadable}. */
    record Entry(String topic, int partition, long offset, String key, Object value) {
    }

    /** A value the topic's serde could not read: it would be a dead letter for the components. */
    record Unreadable(String error) {
    }

    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Admin admin;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Map<String, List<Entry>> byTopic = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean closed;
    private volatile RuntimeException failure;

    TopicLog(String bootstrapServers) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "e2e-topic-log");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers));
        for (Topic<?, ?> topic : Topics.ALL) {
            byTopic.put(topic.name(), new CopyOnWriteArrayList<>());
            consumer.partitionsFor(topic.name(), Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        reader = new Thread(this::read, "e2e-topic-log");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    byTopic.get(r.topic()).add(new Entry(r.topic(), r.partition(), r.offset(), key,
                            decode(r.topic(), r.value())));
                }
                for (TopicPartition tp : partitions) {
                    positions.put(tp, consumer.position(tp));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close();
        }
    }

    private static Object decode(String topic, byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return Topics.byName(topic).orElseThrow().valueSerde().deserializer().deserialize(topic, value);
        } catch (RuntimeException e) {
            return new Unreadable(e.getMessage());
        }
    }

    /** Waits until every record committed before this call has been read. */
    void awaitCaughtUp() {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> end = new HashMap<>();
        try {
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(30, TimeUnit.SECONDS).forEach((tp, info) -> end.put(tp, info.offset()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of the topics", e);
        }
        await("the topic log reads every committed record").atMost(CATCH_UP).until(() -> {
            if (failure != null) {
                throw failure;
            }
            return end.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
        });
    }

    List<Entry> entries(Topic<?, ?> topic) {
        if (failure != null) {
            throw failure;
        }
        return List.copyOf(byTopic.get(topic.name()));
    }

    /** The values of {@code topic} keyed {@code key}, of type {@code type}, in offset order (one partition). */
    <T> List<T> values(Topic<?, ?> topic, String key, Class<T> type) {
        return entries(topic).stream().filter(e -> key.equals(e.key())).map(Entry::value).filter(type::isInstance)
                .map(type::cast).toList();
    }

    /** Every decision about the node (key = node id), in the order the decider wrote them. */
    List<Decision> decisions(String nodeId) {
        return values(Topics.DECISIONS, nodeId, Decision.class);
    }

    /** The decisions of one incident, in order. */
    List<Decision> decisionsOf(String incidentId) {
        String nodeId = incidentId.substring(0, incidentId.lastIndexOf('#'));
        return decisions(nodeId).stream().filter(d -> incidentId.equals(d.incidentId())).toList();
    }

    List<HaltObserved> halts(String nodeId) {
        return values(Topics.HALT_OBSERVATIONS, nodeId, HaltObserved.class);
    }

    List<NodeObservation> nodeObservations(String nodeId) {
        return values(Topics.NODE_OBSERVATIONS, nodeId, NodeObservation.class);
    }

    List<PodStateObserved> podStates(String nodeId) {
        return values(Topics.NODE_OBSERVATIONS, nodeId, PodStateObserved.class);
    }

    /** The action results of one decision, in the order the actuator recorded them. */
    List<ActionResultRecorded> results(Decision decision) {
        return values(Topics.ACTION_RESULTS, decision.key(), ActionResultRecorded.class).stream()
                .filter(r -> r.decisionId().equals(decision.decisionId())).toList();
    }

    /** Each step of a decision with its final outcome token ({@code failed-retrying} attempts left out). */
    Map<String, String> finalOutcomes(Decision decision) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ActionResultRecorded r : results(decision)) {
            if (r.outcome().isFinal()) {
                out.put(r.step(), r.outcome().token());
            }
        }
        return out;
    }


    /** Records of any topic that its own serde cannot read (none may ever appear). */
    List<Entry> unreadable() {
        return Topics.ALL.stream().flatMap(t -> byTopic.get(t.name()).stream())
                .filter(e -> e.value() instanceof Unreadable).toList();
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}
