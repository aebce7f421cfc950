package io.haltsupervisor.decider.service;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.haltsupervisor.sandbox.kafka.KafkaExtension;
import io.haltsupervisor.sandbox.kafka.TopicContents;
import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.Events;
import io.haltsupervisor.decider.TestFiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Partitioning;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two findings of issue 14, on a real broker: a record of about a megabyte on {@code seid.halt-observations.v1}
 * used to kill the decider (its dead letter, three times the record, could not be written), and a halt for an
 * existing node produced to a partition other than its key's opened a second incident there. Now the first is
 * dead-lettered within the budget, beside a small poison record in the same transaction, and the decider decides
 * what follows it; the second is dead-lettered as misrouted and the node keeps one incident.
 */
class OneBadRecordIT {
    private static final int PARTITIONS = 4;
    private static final String APP = "one-bad-record-it";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Instant T0 = Instant.now().minusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    @RegisterExtension
    final KafkaExtension kafka = new KafkaExtension();
    private Path stateDir;
    private KafkaProducer<byte[], byte[]> producer;
    private DeciderService decider;
    private Admin admin;

    @BeforeEach
    void start() throws Exception {
        kafka.createTopics(PARTITIONS);
        stateDir = Files.createTempDirectory("one-bad-record-it-");
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        Map<String, String> env = new HashMap<>(ReferenceFold.noTimers());
        env.put(DeciderConfig.ENV_APPLICATION_ID, APP);
        env.put(DeciderConfig.ENV_STATE_DIR, stateDir.toString());
        decider = new DeciderService(DeciderConfig.fromEnv(env), KafkaClientConfig.of(kafka.bootstrapServers()),
                new SimpleMeterRegistry());
        decider.start();
        await().atMost(TIMEOUT).until(decider::ready);
    }

    @AfterEach
    void stop() {
        decider.close();
        producer.close();
        admin.close();
        TestFiles.deleteTree(stateDir);
    }

    @Test
    void aOneMegabytePoisonRecordIsDeadLetteredWithinTheBudgetAndTheDeciderGoesOn() throws Exception {
        String node = "sei/rpc-0";
        byte[] key = node.getBytes(StandardCharsets.UTF_8);
        // as in the report: a JSON string of 900,002 bytes, and one of just under the producer's 1 MiB
        byte[] large = ("\"" + "x".repeat(900_000) + "\"").getBytes(StandardCharsets.UTF_8);
        byte[] larger = ("\"" + "y".repeat(1_000_000) + "\"").getBytes(StandardCharsets.UTF_8);
        RecordMetadata small = send(Topics.HALT_OBSERVATIONS.name(), null, key, "{not json".getBytes(StandardCharsets.UTF_8), T0);
        RecordMetadata big = send(Topics.HALT_OBSERVATIONS.name(), null, key, large, T0.plusSeconds(1));
        RecordMetadata bigger = send(Topics.HALT_OBSERVATIONS.name(), null, key, larger, T0.plusSeconds(2));
        send(Topics.HALT_OBSERVATIONS.name(), null, key, halt(node, T0.plusSeconds(3)), T0.plusSeconds(3));

        List<DeadLetterRecorded> letters = new ArrayList<>();
        await().atMost(TIMEOUT).until(() -> {
            letters.clear();
            letters.addAll(deadLetters());
            return letters.size() >= 3 && !decisions(node).isEmpty();
        });
        assertThat(decider.healthy()).isTrue();
        assertThat(decider.streams().orElseThrow().state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(letters).extracting(DeadLetterRecorded::offset)
                .containsExactly(small.offset(), big.offset(), bigger.offset());
        assertThat(letters).extracting(DeadLetterRecorded::category).containsExactly(
                DeadLetterRecorded.Category.MALFORMED, DeadLetterRecorded.Category.OVERSIZED,
                DeadLetterRecorded.Category.OVERSIZED);
        DeadLetterRecorded biggest = letters.get(2);
        assertThat(biggest.sourceTopic()).isEqualTo(Topics.HALT_OBSERVATIONS.name());
        assertThat(biggest.partition()).isEqualTo(bigger.partition());
        assertThat(biggest.keyText()).isEqualTo(node);
        assertThat(biggest.valueSize()).isEqualTo(larger.length);
        assertThat(biggest.valueSha256()).isEqualTo(DeadLetterRecorded.sha256(larger));
        assertThat(biggest.valueExcerpt()).isEqualTo(Arrays.copyOf(larger, DeadLetterRecorded.MAX_VALUE_EXCERPT_BYTES));
        assertThat(biggest.error()).contains(Topics.HALT_OBSERVATIONS.name()).contains(larger.length + " bytes");
        for (ConsumerRecord<byte[], byte[]> r : read(Topics.DEAD_LETTERS.name())) {
            assertThat(r.value().length).isLessThanOrEqualTo(DeadLetterRecorded.BUDGET_BYTES);
        }
        assertThat(decisions(node)).singleElement().satisfies(d -> assertThat(d).contains("\"kind\":\"await-mapping\""));

        // the decider stays up: a record after the poison is decided too
        String other = "sei/rpc-1";
        send(Topics.HALT_OBSERVATIONS.name(), null, other.getBytes(StandardCharsets.UTF_8), halt(other,
                T0.plusSeconds(4)), T0.plusSeconds(4));
        await().atMost(TIMEOUT).until(() -> !decisions(other).isEmpty());
        assertThat(decider.failure()).isEmpty();
    }

    @Test
    void aHaltOnAnotherPartitionThanItsKeysIsDeadLetteredAndOpensNoSecondIncident() throws Exception {
        String node = "sei/validator-3";
        byte[] key = node.getBytes(StandardCharsets.UTF_8);
        int home = Partitioning.partitionOf(key, PARTITIONS);
        int elsewhere = (home + 1) % PARTITIONS;
        send(Topics.HALT_OBSERVATIONS.name(), null, key, halt(node, T0), T0);
        await().atMost(TIMEOUT).until(() -> decisions(node).size() == 1);

        // the same node's halt seen again, written where kcat's default partitioner (CRC32) might put it
        RecordMetadata misrouted = send(Topics.HALT_OBSERVATIONS.name(), elsewhere, key, halt(node, T0.plusSeconds(5)),
                T0.plusSeconds(5));
        assertThat(misrouted.partition()).isEqualTo(elsewhere);
        await().atMost(TIMEOUT).until(() -> !deadLetters().isEmpty());
        DeciderKillIT.awaitCommitted(admin, APP, DeciderKillIT.endOffsets(admin, Topics.HALT_OBSERVATIONS.name()),
                TIMEOUT);

        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.category()).isEqualTo(DeadLetterRecorded.Category.MISROUTED);
            assertThat(letter.partition()).isEqualTo(elsewhere);
            assertThat(letter.offset()).isEqualTo(misrouted.offset());
            assertThat(letter.error()).contains("partition " + home + " of " + PARTITIONS)
                    .contains("kcat -X partitioner=murmur2_random");
        });
        assertThat(decisions(node)).as("one incident, one await-mapping decision").hasSize(1);
        assertThat(decider.healthy()).isTrue();
    }

    private RecordMetadata send(String topic, Integer partition, byte[] key, byte[] value, Instant at)
            throws Exception {
        return producer.send(new ProducerRecord<>(topic, partition, at.toEpochMilli(), key, value)).get();
    }

    private static byte[] halt(String node, Instant at) {
        HaltObserved h = Events.statusHalt(node, 70, "v6", FleetStory.V6_HEIGHT, T0.minusSeconds(30), FleetStory.IMG5, at);
        return Topics.HALT_OBSERVATIONS.valueSerde().serializer().serialize(Topics.HALT_OBSERVATIONS.name(), h);
    }

    private List<DeadLetterRecorded> deadLetters() {
        return TopicContents.deadLetters(kafka.bootstrapServers());
    }

    private List<String> decisions(String node) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : read(Topics.DECISIONS.name())) {
            if (node.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                out.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Everything committed on {@code topic} so far. */
    private List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        return TopicContents.committed(kafka.bootstrapServers(), topic);
    }
}
