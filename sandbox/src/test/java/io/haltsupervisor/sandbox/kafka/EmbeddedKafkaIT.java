package io.haltsupervisor.sandbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class EmbeddedKafkaIT {

    private static final String TX_TOPIC = "it.transactions";
    private static final String GROUP = "it-group";

    @Test
    void deliversOnlyCommittedTransactionsAndLeavesNoBrokerThreadsBehind() throws Exception {
        final Set<Thread> before = liveNonDaemonThreads();
        final EmbeddedKafka kafka = new EmbeddedKafka().start();
        try (kafka) {
            assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
            kafka.createTopics(3);
            kafka.createTopic(TX_TOPIC, 2, Map.of());

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertRegistryTopicsExist(admin, 3);

                final TopicPartition partition = new TopicPartition(TX_TOPIC, 0);
                commitAbortCommit(kafka, partition);

                assertThat(readCommitted(kafka, partition)).containsExactlyElementsOf(Stream.concat(
                        IntStream.range(0, 10).mapToObj(i -> "committed-" + i),
                        Stream.of("committed-last")).collect(Collectors.toList()));
                assertThat(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get())
                        .containsEntry(partition, new OffsetAndMetadata(42));
            }
        }

        assertThatThrownBy(kafka::bootstrapServers).isInstanceOf(IllegalStateException.class);
        // Shutdown joins the broker's threads; allow stragglers a moment to finish dying.
        await().atMost(Duration.ofSeconds(5)).pollInSameThread().untilAsserted(() ->
                assertThat(liveNonDaemonThreads()).as("non-daemon threads started by the broker")
                        .isSubsetOf(before));
        assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(Thread::isAlive)
                .extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("kafka-1-raft") || name.startsWith("data-plane-kafka")
                        || name.startsWith("quorum-controller-") || name.startsWith("broker-1-")
                        || name.startsWith("group-coordinator-") || name.startsWith("kafka-scheduler-"));
    }

    @Test
    void closeIsIdempotentAndDeletesTheLogDirectory() throws Exception {
        final EmbeddedKafka kafka = new EmbeddedKafka().start();
        final String bootstrap = kafka.bootstrapServers();
        final Path logDirectory = kafka.logDirectory();
        assertThat(logDirectory).isDirectory();

        kafka.close();
        kafka.close();

        assertThat(logDirectory).doesNotExist();
        assertThat(kafka.toString()).contains(bootstrap);
        assertThatThrownBy(() -> kafka.createTopics(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(kafka::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void twoBrokersRunSideBySideInOneJvm() throws Exception {
        try (EmbeddedKafka first = new EmbeddedKafka().start();
             EmbeddedKafka second = new EmbeddedKafka(Map.of("num.io.threads", "2")).start()) {
            assertThat(first.bootstrapServers()).isNotEqualTo(second.bootstrapServers());
            assertThat(first.clusterId()).isNotEqualTo(second.clusterId());
            first.createTopic("only.on.first", 1, Map.of());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, second.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get()).doesNotContain("only.on.first");
            }
        }
    }

    @Test
    void fixtureProvidesABrokerWithTheRegistryTopics() throws Exception {
        try (KafkaFixture.Broker broker = KafkaFixture.start()) {
            if (System.getenv(KafkaFixture.BOOTSTRAP_ENV) == null) {
                assertThat(broker.source()).isIn(KafkaFixture.Source.CONTAINER, KafkaFixture.Source.EMBEDDED);
            }
            broker.createTopics(2);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get())
                        .containsAll(Topics.ALL.stream().map(Topic::name).collect(Collectors.toList()));
            }
        }
    }

    private static void assertRegistryTopicsExist(final Admin admin, final int partitions) throws Exception {
        final List<String> names = Topics.ALL.stream().map(Topic::name).collect(Collectors.toList());
        final Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
        assertThat(descriptions.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(partitions));

        final Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name))
                .collect(Collectors.toList())).all().get();
        for (Topic<?, ?> topic : Topics.ALL) {
            final String policy = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()))
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            assertThat(policy).as(topic.name())
                    .isEqualTo(topic.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
        }
    }

    /** Commits ten records and group offset 42, aborts five records, commits one more. */
    private static void commitAbortCommit(final EmbeddedKafka kafka, final TopicPartition partition) {
        try (KafkaProducer<String, String> producer = transactionalProducer(kafka);
             KafkaConsumer<String, String> groupMember = consumer(kafka, Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP))) {
            producer.initTransactions();

            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), "node-" + i, "committed-" + i));
            }
            // What a consume-transform-produce loop (and Kafka Streams under EOS v2) does.
            producer.sendOffsetsToTransaction(Map.of(partition, new OffsetAndMetadata(42)),
                    groupMember.groupMetadata());
            producer.commitTransaction();

            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), "node-" + i, "aborted-" + i));
            }
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), "node-x", "committed-last"));
            producer.commitTransaction();
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(final EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-tx",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer());
    }

    /** Every committed value of {@code partition}, read up to its last stable offset. */
    private static List<String> readCommitted(final EmbeddedKafka kafka, final TopicPartition partition) {
        try (KafkaConsumer<String, String> consumer = consumer(kafka, Map.of())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            final long end = consumer.endOffsets(List.of(partition)).get(partition);
            final List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    values.add(record.value());
                }
                return consumer.position(partition) >= end;
            });
            return values;
        }
    }

    private static KafkaConsumer<String, String> consumer(final EmbeddedKafka kafka, final Map<String, Object> extra) {
        final Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        config.putAll(extra);
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    private static Set<Thread> liveNonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && !thread.isDaemon())
                .collect(Collectors.toSet());
    }
}
