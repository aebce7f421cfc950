package io.haltsupervisor.sandbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link EmbeddedKafka#stop()} and {@link EmbeddedKafka#restart()}: the same cluster comes back on the same
 * address with its topics, records, transaction outcomes and committed offsets, and clients created before the
 * stop carry on after it — a producer's send made while the broker was down is delivered once it is back.
 */
@Timeout(180)
class EmbeddedKafkaRestartIT {
    private static final String TOPIC = "it.restart";

    @Test
    void aStoppedBrokerRestartsOnTheSameAddressWithEverythingItHad() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            String clusterId = kafka.clusterId();
            kafka.createTopic(TOPIC, 2, Map.of());
            TopicPartition p0 = new TopicPartition(TOPIC, 0);
            try (KafkaProducer<String, String> tx = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-restart"), new StringSerializer(),
                    new StringSerializer());
                 KafkaProducer<String, String> plain = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000), new StringSerializer(),
                    new StringSerializer());
                 KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
                tx.initTransactions();
                tx.beginTransaction();
                tx.send(new ProducerRecord<>(TOPIC, 0, "k", "committed-before"));
                tx.commitTransaction();
                tx.beginTransaction();
                tx.send(new ProducerRecord<>(TOPIC, 0, "k", "aborted-before"));
                tx.abortTransaction();
                plain.send(new ProducerRecord<>(TOPIC, 0, "k", "plain-before")).get();
                consumer.assign(List.of(p0));
                consumer.seekToBeginning(List.of(p0));
                assertThat(poll(consumer, 2)).containsExactly("committed-before", "plain-before");
                consumer.commitSync(Map.of(p0, new OffsetAndMetadata(consumer.position(p0))));

                kafka.stop();
                assertThat(kafka.running()).isFalse();
                assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
                assertThat(Files.isDirectory(kafka.logDirectory())).isTrue();
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                    assertThatThrownBy(() -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(1_000))
                            .clusterId().get(5, TimeUnit.SECONDS)).as("nobody answers while stopped")
                            .isNotNull();
                }
                // a send while the broker is down waits (up to max.block.ms) for it to come back
                CompletableFuture<RecordMetadata> sentWhileDown = CompletableFuture.supplyAsync(() -> {
                    try {
                        return plain.send(new ProducerRecord<>(TOPIC, 0, "k", "sent-while-down")).get();
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
                Thread.sleep(2_000);
                assertThatThrownBy(() -> kafka.createTopics(1)).isInstanceOf(IllegalStateException.class);

                kafka.restart();
                assertThat(kafka.running()).isTrue();
                assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
                assertThat(kafka.clusterId()).isEqualTo(clusterId);
                sentWhileDown.get(60, TimeUnit.SECONDS);
                tx.beginTransaction();
                tx.send(new ProducerRecord<>(TOPIC, 0, "k", "committed-after"));
                tx.commitTransaction();

                try (KafkaConsumer<String, String> fresh = consumer(bootstrap)) {
                    fresh.assign(List.of(p0));
                    fresh.seekToBeginning(List.of(p0));
                    assertThat(poll(fresh, 4)).containsExactly("committed-before", "plain-before",
                            "sent-while-down", "committed-after");
                    assertThat(fresh.committed(java.util.Set.of(p0)).get(p0).offset())
                            .as("the group's committed offset survived").isGreaterThan(0);
                }
                assertThat(poll(consumer, 2)).as("a consumer from before the stop carries on")
                        .containsExactly("sent-while-down", "committed-after");
            }
        }
    }

    @Test
    void restartIsOnlyForAStoppedBroker() {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            assertThatThrownBy(kafka::restart).isInstanceOf(IllegalStateException.class);
            kafka.stop();
            assertThatThrownBy(kafka::stop).isInstanceOf(IllegalStateException.class);
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "it-restart-group",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer());
    }

    private static List<String> poll(KafkaConsumer<String, String> consumer, int count) {
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (values.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
        }
        return values;
    }
}
