package io.haltsupervisor.sandbox.kafka;

import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The tests' one way to read what a topic holds: every record from the beginning up to the end offsets as of the
 * call (with {@code read_committed}, the last stable offsets: nothing of an open or aborted transaction), within a
 * deadline — a reader that cannot reach the end fails with the positions it got to instead of hanging the build.
 */
public final class TopicContents {
    /** Enough for a loaded 2-core CI machine; reading a test's topic normally takes well under a second. */
    public static final Duration DEADLINE = Duration.ofSeconds(60);

    private TopicContents() {
    }

    /** Everything committed on {@code topic} so far. */
    public static List<ConsumerRecord<byte[], byte[]>> committed(String bootstrapServers, String topic) {
        return read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topic, "read_committed",
                DEADLINE);
    }

    /** Every committed value of {@code topic} so far, deserialised with the topic's serde, partition by partition. */
    public static <V> List<V> committedValues(String bootstrapServers, Topic<String, V> topic) {
        List<V> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : committed(bootstrapServers, topic.name())) {
            out.add(topic.valueSerde().deserializer().deserialize(r.topic(), r.value()));
        }
        return out;
    }

    /** The dead letters so far, in the order of their source records' offsets. */
    public static List<DeadLetterRecorded> deadLetters(String bootstrapServers) {
        List<DeadLetterRecorded> out = new ArrayList<>(committedValues(bootstrapServers, Topics.DEAD_LETTERS));
        out.sort(Comparator.comparingLong(DeadLetterRecorded::offset));
        return out;
    }

    /**
     * Every record of {@code topic} from the beginning to the end offsets as of this call, with {@code isolation}
     * ({@code read_committed} or {@code read_uncommitted}) and the client settings {@code client} (bootstrap servers,
     * security).
     *
     * @throws AssertionError when the end is not reached within {@code deadline}
     */
    public static List<ConsumerRecord<byte[], byte[]>> read(Map<String, Object> client, String topic, String isolation,
            Duration deadline) {
        Map<String, Object> props = new java.util.HashMap<>(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long until = System.nanoTime() + deadline.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(topic, deadline).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps, deadline);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > until) {
                    String at = tps.stream().map(tp -> tp.partition() + ": " + consumer.position(tp) + "/" + end.get(tp))
                            .collect(Collectors.joining(", "));
                    throw new AssertionError("reading " + topic + " (" + isolation + ") to its end took longer than "
                            + deadline + "; positions/end by partition: " + at);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
