package io.haltsupervisor.sandbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.schemas.SampleEvents;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every event type of every topic, produced and consumed through a real broker with the project's serdes. */
class EventsThroughBrokerIT {
    private static KafkaFixture.Broker kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaFixture.start();
        kafka.createTopics(3);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void everyEventTypeRoundTripsThroughItsTopic() {
        for (Map.Entry<Topic<?, ?>, List<?>> e : SampleEvents.byTopic().entrySet()) {
            roundTrip(e.getKey(), e.getValue());
        }
    }

    @Test
    void aTombstoneOnTheMappingTopicArrivesAsNull() {
        List<Object> values = new ArrayList<>();
        values.add(null);
        roundTrip(Topics.IMAGE_MAPPINGS, values);
    }

    @SuppressWarnings("unchecked")
    private static <K, V> void roundTrip(Topic<K, V> topic, List<?> values) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "round-trip-" + UUID.randomUUID());
        String runKey = UUID.randomUUID().toString();
        try (KafkaProducer<K, V> producer = new KafkaProducer<>(p, topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (Object v : values) {
                producer.send(new ProducerRecord<>(topic.name(), (K) ("ns/" + runKey), (V) v));
            }
            producer.commitTransaction();
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "round-trip-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<Object> received = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(c, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < values.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key().equals("ns/" + runKey)) {
                        received.add(r.value());
                    }
                }
            }
        }
        assertThat(received).as("records of %s", topic).containsExactlyElementsOf((List<Object>) values);
    }
}
