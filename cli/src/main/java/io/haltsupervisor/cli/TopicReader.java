package io.haltsupervisor.cli;

import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.NodeObservation;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.Partitioning;
import io.haltsupervisor.schemas.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads committed records of the supervisor's topics from the beginning to the current end, without
 * a consumer group: for {@code timeline}, {@code incidents}, {@code mapping ls} and {@code replay}.
 * Values that do not deserialise are handed over as {@link Unreadable}, and records on a partition other than
 * their key's ({@link Partitioning}) as {@link Misrouted}: never dropped, so a command can report them with
 * their position and skip them.
 */
public final class TopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;

    public TopicReader(Map<String, Object> clientProperties) {
        Map<String, Object> p = new java.util.HashMap<>(clientProperties);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.keySet().removeIf(k -> k.equals("max.block.ms") || k.equals("delivery.timeout.ms"));
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** A record read from a topic. */
    public record Entry(String topic, int partition, long offset, Instant timestamp, String key, Object value) {
    }

    /** A record a command skips, with why. */
    public sealed interface Skipped permits Unreadable, Misrouted {
        String reason();
    }

    /** A value that could not be deserialised: its error, kept beside the position. */
    public record Unreadable(String error) implements Skipped {
        @Override
        public String reason() {
            return error;
        }
    }

    /** A record on a partition other than the one its key maps to: the decider dead-lettered it. */
    public record Misrouted(String reason) implements Skipped {
    }

    /** A skipped record's position and reason, for a command's report on stderr. */
    public static String skippedLine(String command, Entry e) {
        return command + ": skipped " + e.topic() + "[" + e.partition() + "]@" + e.offset() + " (key "
                + (e.key() == null ? "none" : "'" + e.key() + "'") + "): " + ((Skipped) e.value()).reason();
    }

    /** The partition a key lands on with Kafka's default partitioner. */
    public static int partitionOf(String key, int partitions) {
        return Partitioning.partitionOf(key, partitions);
    }

    /** The topic's partitions. */
    public List<TopicPartition> partitions(String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, KafkaOptions.REACH_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    /** The one partition holding {@code key}'s records. */
    public TopicPartition partitionFor(String topic, String key) {
        List<TopicPartition> all = partitions(topic);
        return new TopicPartition(topic, partitionOf(key, all.size()));
    }

    /**
     * Reads every committed record of the partitions, from the beginning to their end as of now,
     * handing those whose key passes the filter to the sink, deserialised with the topic's serde.
     */
    public void readAll(Map<TopicPartition, Topic<?, ?>> partitions, Predicate<String> keyFilter,
            Consumer<Entry> sink) {
        Collection<TopicPartition> tps = partitions.keySet();
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (TopicPartition tp : tps) {
            counts.computeIfAbsent(tp.topic(), t -> partitions(t).size());
        }
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        Map<TopicPartition, Long> end = consumer.endOffsets(tps, KafkaOptions.REACH_TIMEOUT);
        List<TopicPartition> open = new ArrayList<>(tps.stream().filter(tp -> end.get(tp) > 0).toList());
        for (TopicPartition tp : tps) {
            if (consumer.position(tp, KafkaOptions.REACH_TIMEOUT) >= end.get(tp)) {
                open.remove(tp);
            }
        }
        while (!open.isEmpty()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (r.offset() >= end.get(tp)) {
                    continue;
                }
                String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                if (keyFilter.test(key)) {
                    Optional<String> misrouted = Partitioning.misrouted(r.topic(), r.partition(), r.key(),
                            counts.get(r.topic()));
                    sink.accept(new Entry(r.topic(), r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()),
                            key, misrouted.isPresent() ? new Misrouted(misrouted.get()) : decode(partitions.get(tp), r, key)));
                }
            }
            open.removeIf(tp -> consumer.position(tp, KafkaOptions.REACH_TIMEOUT) >= end.get(tp));
        }
    }

    /**
     * The record's value, or why it is skipped: it does not deserialise, it is a tombstone on a topic that is not
     * compacted, or it is keyed by something else than what it is about (the components reject such records too).
     */
    private static Object decode(Topic<?, ?> topic, ConsumerRecord<byte[], byte[]> r, String key) {
        Object value;
        try {
            value = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            return new Unreadable(e.getMessage());
        }
        if (value == null) {
            return topic.compacted() ? null : new Unreadable("a tombstone on " + r.topic() + ": expected an event");
        }
        String about = keyOf(value);
        if (about != null && !about.equals(key)) {
            return new Unreadable("keyed '" + key + "' but about '" + about + "': expected the key to be the node id");
        }
        return value;
    }

    /** The key an event must have, where it says (its node id, or the fleet key). */
    private static String keyOf(Object value) {
        if (value instanceof Decision d) {
            return d.key();
        } else if (value instanceof HaltObserved h) {
            return h.nodeId();
        } else if (value instanceof NodeObservation o) {
            return o.nodeId();
        } else if (value instanceof OperatorCommandIssued c) {
            return c.key();
        } else if (value instanceof ActionResultRecorded a) {
            return a.key();
        } else if (value instanceof ImageMappingChanged m) {
            return m.plan();
        }
        return null; // a dead letter is keyed by its source record's key, whatever it was
    }

    @Override
    public void close() {
        consumer.close();
    }
}
