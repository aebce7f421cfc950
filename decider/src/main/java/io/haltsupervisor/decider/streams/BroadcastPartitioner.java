package io.haltsupervisor.decider.streams;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.StreamPartitioner;

/** Sends every record to every partition of its topic (multicast, KIP-837). */
final class BroadcastPartitioner<K, V> implements StreamPartitioner<K, V> {

    @Override
    public Optional<Set<Integer>> partitions(String topic, K key, V value, Headers headers, int numPartitions) {
        return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
    }

    /** Still abstract in Kafka 4.4 (deprecated for the variant with headers above, which Streams calls). */
    @Override
    @SuppressWarnings("removal")
    public Optional<Set<Integer>> partitions(String topic, K key, V value, int numPartitions) {
        return partitions(topic, key, value, null, numPartitions);
    }
}
