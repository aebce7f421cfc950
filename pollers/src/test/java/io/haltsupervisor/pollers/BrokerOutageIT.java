package io.haltsupervisor.pollers;

import io.haltsupervisor.pollers.status.StatusFetcher;
import io.haltsupervisor.pollers.status.StatusPoller;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haltsupervisor.sandbox.kafka.EmbeddedKafka;
import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.SampleEvents;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pollers ride out a broker outage (docs/operations.md, "Failover"): with the broker stopped, the poll loop
 * keeps polling at its interval, a publish returns at once even to a topic the producer has no metadata for
 * (the Kafka producer alone would block the caller for {@code max.block.ms}), a full hand-off queue refuses at
 * once, and a halt observed during the outage reaches the topic once the broker is back.
 */
@Timeout(180)
class BrokerOutageIT {

    @Test
    void pollsGoOnWhileTheBrokerIsDownAndTheHaltSeenMeanwhileArrivesWhenItIsBack() throws Exception {
        ScheduledThreadPoolExecutor scheduler = StatusPoller.newScheduler();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EmbeddedKafka kafka = new EmbeddedKafka().start();
             SimulatedSeidServer server = SimulatedSeidServer.start();
             StatusFetcher fetcher = new StatusFetcher(Duration.ofSeconds(1), Duration.ofSeconds(1), 1024 * 1024, 2,
                     scheduler);
             KafkaObservationSink sink = new KafkaObservationSink(KafkaClientConfig.of(kafka.bootstrapServers()),
                     "outage-it", registry)) {
            kafka.createTopics(1);
            SimulatedSeid seid = server.node("rpc").height(150_999_999).version("v5.9.0");
            PollerMetrics metrics = new PollerMetrics(registry, () -> 1);
            StatusPoller poller = new StatusPoller(new StatusPoller.Settings(Duration.ofMillis(100), 0.1,
                    Duration.ofHours(1), 4, Duration.ofMinutes(1)), fetcher::fetch, sink, metrics,
                    Clock.systemUTC(), scheduler);
            try {
                poller.upsert(new PollTarget("uid-rpc", "sei/rpc", "rpc-0", seid.statusUrl(),
                        "ghcr.io/sei-protocol/seid:v5.9.0"));
                await().atMost(Duration.ofSeconds(30)).until(() -> !values(kafka, Topics.NODE_OBSERVATIONS.name())
                        .isEmpty());

                kafka.stop();
                seid.halt(SampleEvents.INTENT);
                long polled = seid.requests();
                // the poll loop does not wait for Kafka: a poll every 100 ms goes on
                await().atMost(Duration.ofSeconds(10)).until(() -> seid.requests() >= polled + 30);

                // a topic the producer has never written to: no metadata, and no broker to get it from
                long begin = System.nanoTime();
                CompletableFuture<Void> mapping = sink.publish(Topics.IMAGE_MAPPINGS, "v6", ImageMappingChanged.of(
                        "v6", "ghcr.io/sei-protocol/seid:v6.0.1", 151_000_000L, "configmap:sei/m", Instant.now()));
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin)).as("publish returned at once")
                        .isLessThan(200);

                kafka.restart();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                        values(kafka, Topics.HALT_OBSERVATIONS.name()).stream().anyMatch(v -> v.contains("\"rpc-0\"")));
                HaltObserved halt = Topics.HALT_OBSERVATIONS.valueSerde().deserializer().deserialize(
                        Topics.HALT_OBSERVATIONS.name(), values(kafka, Topics.HALT_OBSERVATIONS.name()).get(0)
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(halt.nodeId()).isEqualTo("sei/rpc");
                assertThat(halt.intent()).isEqualTo(SampleEvents.INTENT);
                // the mapping published during the outage is settled either way: delivered, or failed after
                // max.block.ms without metadata (and then published again by its caller), never left hanging
                await().atMost(Duration.ofSeconds(130)).until(mapping::isDone);
            } finally {
                poller.close();
                scheduler.shutdownNow();
            }
        }
    }

    @Test
    void aFullQueueRefusesAtOnceInsteadOfBlocking() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            kafka.createTopics(1);
            String bootstrap = kafka.bootstrapServers();
            kafka.stop();
            // nothing reaches a stopped broker: the sender thread waits for metadata, and the queue of 2 fills
            try (KafkaObservationSink sink = new KafkaObservationSink(KafkaClientConfig.of(bootstrap), "outage-full",
                    new SimpleMeterRegistry(), Acls.pollers("pollers"), 2)) {
                List<CompletableFuture<Void>> sent = new ArrayList<>();
                long begin = System.nanoTime();
                for (int i = 0; i < 50; i++) {
                    sent.add(sink.publish(Topics.NODE_OBSERVATIONS, "sei/n" + i, NodeStatusObserved.of("sei/n" + i,
                            Instant.now(), NodeStatusObserved.Change.HEARTBEAT, 1L, "v5.9.0", false, "n" + i + "-0")));
                }
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin)).isLessThan(1_000);
                long refused = sent.stream().filter(f -> f.isCompletedExceptionally()).count();
                assertThat(refused).as("publishes refused by the full queue").isGreaterThanOrEqualTo(45);
                assertThat(sent.get(sent.size() - 1)).failsWithin(Duration.ofSeconds(1))
                        .withThrowableThat().withMessageContaining("queue to Kafka is full");
            }
        }
    }

    /** The topic's values from the start (read_committed). */
    private static List<String> values(EmbeddedKafka kafka, String topic) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(10));
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        } catch (RuntimeException e) {
            return List.of(); // the broker is not reachable (yet)
        }
        return out;
    }
}
