package io.haltsupervisor.sandbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link KafkaCluster}: three broker processes, topics replicated three times with {@code min.insync.replicas=2};
 * SIGKILL of the leader of a partition loses no acknowledged ({@code acks=all}) write, writes go on once the
 * controller has fenced it, and the killed node comes back on its ports and log directory and catches up.
 */
@Timeout(240)
class KafkaClusterIT {
    private static final String TOPIC = "it.cluster";

    @Test
    void killingThePartitionLeaderLosesNoAcknowledgedWriteAndTheNodeRejoins() throws Exception {
        try (KafkaCluster cluster = new KafkaCluster().start()) {
            cluster.createTopic(TOPIC, 1, Map.of());
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                var description = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
                assertThat(description.partitions().get(0).replicas()).hasSize(3);
                assertThat(description.partitions().get(0).isr()).hasSize(3);
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
                ConfigEntry minIsr = admin.describeConfigs(List.of(topic)).all().get().get(topic)
                        .get("min.insync.replicas");
                assertThat(minIsr.value()).isEqualTo("2");
            }
            List<String> acknowledged = new ArrayList<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000), new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "k", "before-" + i)).get(30, TimeUnit.SECONDS);
                    acknowledged.add("before-" + i);
                }
                int leader = cluster.leaderOf(TOPIC, 0);
                long killedAt = System.nanoTime();
                cluster.kill(leader);
                assertThat(cluster.running(leader)).isFalse();
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "k", "after-" + i)).get(60, TimeUnit.SECONDS);
                    acknowledged.add("after-" + i);
                }
                long writableAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                System.out.printf("KafkaClusterIT: leader %d killed; 20 acks=all writes done %d ms later%n", leader,
                        writableAfterMs);
                assertThat(cluster.leaderOf(TOPIC, 0)).isNotEqualTo(leader);

                cluster.restart(leader);
                cluster.awaitFullyReplicated(List.of(TOPIC), Duration.ofSeconds(60));
                producer.send(new ProducerRecord<>(TOPIC, "k", "rejoined")).get(30, TimeUnit.SECONDS);
                acknowledged.add("rejoined");
            }
            assertThat(read(cluster.bootstrapServers())).containsExactlyElementsOf(acknowledged);
        }
    }

    private static List<String> read(String bootstrap) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
