package io.haltsupervisor.pollers.mappings;

import io.haltsupervisor.pollers.status.StatusFetcher;

import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the compacted {@code seid.image-mappings.v1} from the beginning to its current end: the latest
 * mapping per plan, tombstones removing. No consumer group (nothing is committed). A record that cannot be
 * read is skipped with a warning, keeping the plan's earlier value.
 */
public final class MappingTopic {
    private MappingTopic() {
    }

    /**
     * @param warnings receives one message per skipped record
     * @throws IllegalStateException when the topic does not exist
     * @throws org.apache.kafka.common.errors.TimeoutException when the end is not reached within {@code timeout}
     */
    public static Map<String, ImageMappingChanged> read(KafkaClientConfig kafka, Duration timeout,
            Consumer<String> warnings) {
        Map<String, Object> props = kafka.toMap();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "halt-supervisor-mapping-reader");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(1000, timeout.toMillis()));
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, Math.min(timeout.toMillis(), 30_000)));
        String topic = Topics.IMAGE_MAPPINGS.name();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toList());
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, timeout);
            Map<String, ImageMappingChanged> mappings = new TreeMap<>();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException(
                            "did not reach the end of " + topic + " within " + StatusFetcher.human(timeout));
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null) {
                        warnings.accept("skipping a record without a key at " + topic + "-" + r.partition() + "@"
                                + r.offset());
                        continue;
                    }
                    java.util.Optional<String> misrouted = io.haltsupervisor.schemas.Partitioning.misrouted(topic,
                            r.partition(), r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), partitions.size());
                    if (misrouted.isPresent()) {
                        // the decider dead-letters it: it is not part of the mappings the decider holds
                        warnings.accept("skipping the record at " + topic + "-" + r.partition() + "@" + r.offset()
                                + ", " + misrouted.get());
                        continue;
                    }
                    if (r.value() == null) {
                        mappings.remove(r.key());
                        continue;
                    }
                    try {
                        ImageMappingChanged m = Topics.IMAGE_MAPPINGS.valueSerde().deserializer()
                                .deserialize(topic, r.value());
                        if (!m.plan().equals(r.key())) {
                            warnings.accept("skipping a mapping of plan '" + m.plan() + "' keyed '" + r.key() + "' at "
                                    + topic + "-" + r.partition() + "@" + r.offset() + " (the decider rejects it too)");
                            continue;
                        }
                        mappings.put(r.key(), m);
                    } catch (SerializationException e) {
                        warnings.accept("skipping an unreadable mapping for plan '" + r.key() + "' at " + topic + "-"
                                + r.partition() + "@" + r.offset() + ": " + e.getMessage());
                    }
                }
            }
            return mappings;
        }
    }

    private static boolean caughtUp(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
