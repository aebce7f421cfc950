package io.haltsupervisor.decider.service;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.haltsupervisor.sandbox.kafka.KafkaExtension;
import io.haltsupervisor.sandbox.kafka.TopicContents;
import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.TestFiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 1 % poison in the decider's input — undecodable JSON, tombstones, records keyed by another node, commands of an
 * unknown schema version — mixed into 20,000 observations over 2,000 nodes: every poison record, and nothing
 * else, is in {@code seid.dead-letters.v1} with its source topic, partition and offset; every good record is
 * decided exactly as a {@link ReferenceFold} of the good records alone decides it.
 */
class PoisonRecordsIT {
    @RegisterExtension
    final KafkaExtension kafka = new KafkaExtension();
    private Path stateDir;

    @BeforeEach
    void start() throws Exception {
        kafka.createTopics(4);
        stateDir = Files.createTempDirectory("poison-it-");
    }

    @AfterEach
    void stop() {
        TestFiles.deleteTree(stateDir);
    }

    @Test
    void everyPoisonRecordIsDeadLetteredAndEveryGoodRecordDecided() throws Exception {
        Map<String, String> env = new HashMap<>(ReferenceFold.noTimers());
        env.put(DeciderConfig.ENV_APPLICATION_ID, "poison-it");
        env.put(DeciderConfig.ENV_STATE_DIR, stateDir.toString());
        DeciderConfig config = DeciderConfig.fromEnv(env);
        FleetStory story = new FleetStory(2_000, 0.01, 1);
        ReferenceFold reference = new ReferenceFold(config, FleetStory.MAPPING);
        Set<String> poison = new HashSet<>();
        int records = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 10), new ByteArraySerializer(), new ByteArraySerializer());
             DeciderService decider = new DeciderService(config, KafkaClientConfig.of(kafka.bootstrapServers()),
                     new SimpleMeterRegistry());
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            producer.send(new ProducerRecord<>(Topics.IMAGE_MAPPINGS.name(), null,
                    FleetStory.MAPPING.changedAt().toEpochMilli(), "v6".getBytes(StandardCharsets.UTF_8),
                    Topics.IMAGE_MAPPINGS.valueSerde().serializer().serialize(Topics.IMAGE_MAPPINGS.name(),
                            FleetStory.MAPPING))).get();
            decider.start();
            await().atMost(Duration.ofSeconds(60)).until(decider::ready);
            // the mapping reaches the node tasks through the control topic before any halt (round 1 on)
            await().atMost(Duration.ofSeconds(60)).until(() -> read(config.controlTopic()).size() >= 4);
            for (int r = 0; r < 10; r++) {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                List<FleetStory.Input> round = story.round(r);
                for (FleetStory.Input in : round) {
                    reference.fold(in);
                    sent.add(producer.send(new ProducerRecord<>(in.topic(), null, in.at().toEpochMilli(), in.key(),
                            in.value())));
                }
                producer.flush();
                for (int i = 0; i < round.size(); i++) {
                    if (round.get(i).poison()) {
                        RecordMetadata m = sent.get(i).get();
                        poison.add(m.topic() + "-" + m.partition() + "@" + m.offset());
                    }
                }
                records += round.size();
                // the next round only once this one is decided (see FleetStory)
                DeciderKillIT.awaitCommitted(admin, "poison-it", inputEnds(admin), Duration.ofSeconds(60));
            }
            int total = records;
            Map<String, String> expected = reference.decisions();
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> read(Topics.DEAD_LETTERS.name()).size() >= poison.size()
                            && read(Topics.DECISIONS.name()).size() >= expected.size());
            // a little longer: anything extra would show up now
            Thread.sleep(3_000);

            Set<String> deadLettered = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : read(Topics.DEAD_LETTERS.name())) {
                DeadLetterRecorded d = Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize(r.topic(),
                        r.value());
                assertThat(deadLettered.add(d.sourceTopic() + "-" + d.partition() + "@" + d.offset()))
                        .as("dead-lettered once: %s", d).isTrue();
            }
            Map<String, String> decided = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : read(Topics.DECISIONS.name())) {
                String json = new String(r.value(), StandardCharsets.UTF_8);
                assertThat(decided.put(DeciderKillIT.decisionId(r.value()), json)).as("decided once").isNull();
            }
            System.out.printf("PoisonRecordsIT: %d records, %d poison, %d dead letters, %d decisions (%d expected)%n",
                    total, poison.size(), deadLettered.size(), decided.size(), expected.size());
            assertThat(poison).hasSizeBetween(total / 200, total / 50);
            assertThat(deadLettered).isEqualTo(poison);
            List<String> differing = new ArrayList<>();
            expected.forEach((id, json) -> {
                if (!json.equals(decided.get(id))) {
                    differing.add(id + "\n  expected " + json + "\n  decided  " + decided.get(id));
                }
            });
            decided.keySet().stream().filter(id -> !expected.containsKey(id))
                    .forEach(id -> differing.add(id + " decided, not expected: " + decided.get(id)));
            assertThat(differing).as("decisions that differ from the reference fold of the good records")
                    .isEmpty();
        }
    }

    private static Map<TopicPartition, Long> inputEnds(Admin admin) throws Exception {
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (String topic : List.of(Topics.HALT_OBSERVATIONS.name(), Topics.NODE_OBSERVATIONS.name(),
                Topics.OPERATOR_COMMANDS.name())) {
            ends.putAll(DeciderKillIT.endOffsets(admin, topic));
        }
        return ends;
    }

    /** Everything committed on {@code topic} so far. */
    private List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        return TopicContents.committed(kafka.bootstrapServers(), topic);
    }
}
