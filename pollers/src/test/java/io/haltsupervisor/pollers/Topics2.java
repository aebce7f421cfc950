package io.haltsupervisor.pollers;

import io.haltsupervisor.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a whole topic of a test broker, from the beginning to its current end. */
public final class Topics2 {
    /** One record, its value read with the topic's serde (null for a tombstone). */
    public record Read<V>(String key, V value) {
    }

    private Topics2() {
    }

    public static <V> List<Read<V>> readAll(String bootstrap, Topic<String, V> topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic.name(), p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<Read<V>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    out.add(new Read<>(r.key(), topic.valueSerde().deserializer().deserialize(topic.name(), r.value())));
                }
            }
            return out;
        }
    }

    public static <V> List<V> values(String bootstrap, Topic<String, V> topic, String keyPrefix) {
        return readAll(bootstrap, topic).stream().filter(r -> r.key().startsWith(keyPrefix) && r.value() != null)
                .map(Read::value).collect(Collectors.toList());
    }
}
