package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.actuator.plan.Step;
import io.haltsupervisor.sandbox.kafka.KafkaFixture;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.pager.PagerDutyReceiver;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The actuator service end to end on a real broker (the sandbox's, via {@link KafkaFixture}), the in-memory
 * Kubernetes API (fabric8's CRUD mock standing in for an API server) and a loopback PagerDuty: decisions in,
 * cluster changes, pages and action results out; idempotence across restarts; a crash between acting and
 * recording; poison records.
 */
class ActuatorServiceIT {
    private static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    private static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    private static final String V7 = "ghcr.io/sei-protocol/seid:v7.0.0";

    private static KafkaFixture.Broker kafka;
    private static KafkaProducer<String, byte[]> producer;
    private static KafkaConsumer<String, byte[]> reader;
    private static final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    private final InMemoryKubernetes kube = InMemoryKubernetes.start();
    private final KubernetesClient client = kube.client();
    private final PagerDutyReceiver pd = PagerDutyReceiver.start();
    private final String test = UUID.randomUUID().toString().substring(0, 8);
    private final String node = "sei/rpc-" + test;
    private final String name = "rpc-" + test;
    private final List<ActuatorService> services = new ArrayList<>();

    @BeforeAll
    static void startKafka() {
        kafka = KafkaFixture.start();
        kafka.createTopics(3);
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer());
        reader = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.ACTION_RESULTS.name(), Topics.DEAD_LETTERS.name())) {
            reader.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        reader.assign(partitions);
        reader.seekToBeginning(partitions);
    }

    @AfterAll
    static void stopKafka() {
        if (producer != null) {
            producer.close();
            reader.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @AfterEach
    void stop() {
        services.forEach(ActuatorService::close);
        pd.close();
        kube.close();
    }

    private ActuatorService service(String group, StepHook hook) {
        Map<String, String> env = new HashMap<>(Map.of("ACTUATOR_GROUP_ID", group, "ACTUATOR_INSTANCE", "it-0",
                "ACTUATOR_PAGERDUTY_ROUTING_KEY", "rk-" + test, "ACTUATOR_PAGERDUTY_URL", pd.url().toString(),
                "ACTUATOR_RETRY_INITIAL_BACKOFF", "20ms", "ACTUATOR_RETRY_MAX_BACKOFF", "100ms",
                // no StatefulSet controller here recreates pods: the hold step only confirms the template
                "ACTUATOR_HOLD_WINDOW", "300ms"));
        ActuatorService s = new ActuatorService(ActuatorConfig.fromEnv(env),
                KafkaClientConfig.of(kafka.bootstrapServers()), new SimpleMeterRegistry(), client, Clock.systemUTC(),
                Sleeper.SYSTEM, hook);
        services.add(s);
        s.start();
        return s;
    }

    private void send(Decision d) throws Exception {
        producer.send(new ProducerRecord<>(Topics.DECISIONS.name(), d.key(),
                Topics.DECISIONS.valueSerde().serializer().serialize(Topics.DECISIONS.name(), d))).get();
    }

    private static synchronized List<ActionResultRecorded> results(String decisionId) {
        reader.poll(Duration.ofMillis(200)).forEach(seen::add);
        return seen.stream().filter(r -> r.topic().equals(Topics.ACTION_RESULTS.name()))
                .map(r -> Topics.ACTION_RESULTS.valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .filter(r -> r.decisionId().equals(decisionId)).toList();
    }

    private static List<String> outcomes(List<ActionResultRecorded> rs) {
        return rs.stream().map(r -> r.step() + "=" + r.outcome().token() + "@" + r.attempt()).toList();
    }

    private void statefulSet(String image) {
        client.apps().statefulSets().inNamespace("sei").resource(new StatefulSetBuilder()
                .withNewMetadata().withName(name).withNamespace("sei").endMetadata()
                .withNewSpec().withReplicas(1).withNewTemplate().withNewSpec()
                .addNewContainer().withName("seid").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
    }

    private String pod(String image) {
        return client.pods().inNamespace("sei").resource(new PodBuilder().withNewMetadata().withName(name + "-0")
                .withNamespace("sei").endMetadata().withNewSpec().addNewContainer().withName("seid").withImage(image)
                .endContainer().endSpec().build()).create().getMetadata().getUid();
    }

    private String image() {
        return client.apps().statefulSets().inNamespace("sei").withName(name).get().getSpec().getTemplate().getSpec()
                .getContainers().get(0).getImage();
    }

    @Test
    void anActuatorRestartedBetweenTriggerAndResolveResolvesExactlyTheTriggeredKeys() throws Exception {
        statefulSet(V5);
        String incident = node + "#1";
        Decision.HaltPaged page = new Decision.HaltPaged(1, incident + "/page/0", incident, node, Instant.now(), 84,
                null, Decision.Severity.error, Decision.PageReason.UnrecognisedHalt, "reserved code 84");
        Decision.IncidentEscalated escalate = new Decision.IncidentEscalated(1, incident + "/escalate/1", incident,
                node, Instant.now(), 84, null, Instant.now(), "still halted");
        String group = "actuator-it-restart-" + test;
        ActuatorService first = service(group, StepHook.NONE);
        await().atMost(Duration.ofSeconds(30)).until(first::ready);
        send(page);
        send(escalate);
        await().atMost(Duration.ofSeconds(30)).until(() -> results(escalate.decisionId()).size() == 2);
        first.close();

        // a new actuator (a restart: its index is rebuilt from the results topic) gets the resolve
        ActuatorService second = service(group, StepHook.NONE);
        await().atMost(Duration.ofSeconds(30)).until(second::ready);
        Decision.IncidentResolved resolved = new Decision.IncidentResolved(1, incident + "/resolve/2", incident, node,
                Instant.now(), 84, null, V5, Instant.now(), "healthy again");
        send(resolved);
        await().atMost(Duration.ofSeconds(30)).until(() -> results(resolved.decisionId()).size() == 3);
        assertThat(outcomes(results(resolved.decisionId()))).containsExactly("page-resolve:pagerduty=applied@1",
                "condition=applied@1", "event=applied@1");
        assertThat(pd.events()).extracting(e -> e.path("dedup_key").asText() + " " + e.path("event_action").asText())
                .as("trigger and resolve per triggered key; the never-triggered action-failed key is left alone")
                .containsExactlyInAnyOrder(incident + " trigger", incident + "/escalation trigger",
                        incident + " resolve", incident + "/escalation resolve");
    }

    @Test
    void appliesDecisionsRecordsEveryStepAndNeverRepeatsThem() throws Exception {
        statefulSet(V5);
        String uid = pod(V5);
        String incident = node + "#1";
        Decision.UpgradeDecided upgrade = new Decision.UpgradeDecided(1, incident + "/upgrade/0", incident, node,
                Instant.now(), 70, "v6", V6, V5, new Decision.ImageMappingRef("v6", V6, null, "configmap:sei/up"),
                name + "-0", uid);
        String group = "actuator-it-" + test;
        ActuatorService first = service(group, StepHook.NONE);
        await().atMost(Duration.ofSeconds(30)).until(first::ready);
        assertThat(first.healthy()).isTrue();
        send(upgrade);

        await().atMost(Duration.ofSeconds(30)).until(() -> results(upgrade.decisionId()).size() == 5);
        assertThat(outcomes(results(upgrade.decisionId()))).containsExactly("set-image=applied@1",
                "delete-pod=applied@1", "condition=applied@1", "event=applied@1", "hold=applied@1");
        assertThat(image()).isEqualTo(V6);
        assertThat(client.pods().inNamespace("sei").withName(name + "-0").get()).isNull();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get().values().stream().mapToLong(OffsetAndMetadata::offset)
                    .sum() > 0);
        }
        first.close();

        // a fresh consumer group reads the decision again from the start: the results topic says it is done
        ActuatorService second = service("actuator-it-fresh-" + test, StepHook.NONE);
        Decision.HaltPaged marker = new Decision.HaltPaged(1, incident + "/page/0", incident, node, Instant.now(), 84,
                null, Decision.Severity.warning, Decision.PageReason.UnrecognisedHalt, "marker");
        send(marker);
        await().atMost(Duration.ofSeconds(30)).until(() -> results(marker.decisionId()).size() == 2);
        assertThat(second.healthy()).isTrue();
        assertThat(results(upgrade.decisionId())).as("nothing re-executed, nothing re-recorded").hasSize(5);
        assertThat(client.events().v1().events().inNamespace("sei").list().getItems()).hasSize(2);
        assertThat(pd.events()).hasSize(1);
    }

    @Test
    void aCrashBetweenPatchAndRecordLeavesTheClusterAsItWasAndDoesNotPageTwice() throws Exception {
        statefulSet(V7);
        String uid = pod(V7);
        String incident = node + "#1";
        Decision.RollbackDecided rollback = new Decision.RollbackDecided(1, incident + "/rollback/0", incident, node,
                Instant.now(), 71, "v7", V5, V7, name + "-0", uid);
        String group = "actuator-it-" + test;
        StepHook crashAfterPatch = (decision, step, outcome) -> {
            if (step instanceof Step.SetImage && outcome instanceof StepOutcome.Done) {
                throw new SimulatedCrash();
            }
        };
        ActuatorService crashing = service(group, crashAfterPatch);
        send(rollback);
        await().atMost(Duration.ofSeconds(30)).until(() -> !crashing.healthy());
        assertThat(image()).as("patched before the crash").isEqualTo(V5);
        assertThat(outcomes(results(rollback.decisionId()))).as("only the page was recorded")
                .containsExactly("page-trigger:pagerduty=applied@1");
        assertThat(pd.events()).hasSize(1);
        Long generationAfterCrash = client.apps().statefulSets().inNamespace("sei").withName(name).get().getMetadata()
                .getGeneration();
        crashing.close();

        ActuatorService restarted = service(group, StepHook.NONE);
        await().atMost(Duration.ofSeconds(30)).until(() -> results(rollback.decisionId()).size() == 6);
        assertThat(outcomes(results(rollback.decisionId()))).containsExactly("page-trigger:pagerduty=applied@1",
                "set-image=already-applied@1", "delete-pod=applied@1", "condition=applied@1", "event=applied@1",
                "hold=applied@1");
        assertThat(image()).isEqualTo(V5);
        assertThat(client.apps().statefulSets().inNamespace("sei").withName(name).get().getMetadata().getGeneration())
                .as("the restarted actuator did not change the spec again").isEqualTo(generationAfterCrash);
        assertThat(client.pods().inNamespace("sei").withName(name + "-0").get()).isNull();
        assertThat(client.events().v1().events().inNamespace("sei").list().getItems()).hasSize(1);
        assertThat(pd.events()).as("the page was not sent twice").hasSize(1);
        assertThat(restarted.healthy()).isTrue();
    }

    @Test
    void unreadableDecisionsAreDeadLetteredAndTheNextOneIsApplied() throws Exception {
        String incident = node + "#1";
        ActuatorService s = service("actuator-it-" + test, StepHook.NONE);
        producer.send(new ProducerRecord<>(Topics.DECISIONS.name(), node,
                "{\"kind\":\"upgrade\",\"decisionId\":".getBytes(StandardCharsets.UTF_8))).get();
        producer.send(new ProducerRecord<>(Topics.DECISIONS.name(), node,
                ("{\"kind\":\"teleport\",\"schemaVersion\":1,\"decisionId\":\"x\",\"incidentId\":\"" + incident
                        + "\",\"nodeId\":\"" + node + "\",\"decidedAt\":\"2026-11-20T10:15:00Z\"}")
                        .getBytes(StandardCharsets.UTF_8))).get();
        Decision.FleetHoldDecided after = new Decision.FleetHoldDecided(1, "_fleet#" + test + "/fleet-hold",
                "_fleet#" + test, null, Instant.now(), List.of(node), 3, 600);
        send(after);
        await().atMost(Duration.ofSeconds(30)).until(() -> results(after.decisionId()).size() == 1);
        List<DeadLetterRecorded> dead = seen.stream().filter(r -> r.topic().equals(Topics.DEAD_LETTERS.name()))
                .map(r -> Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .filter(d -> new String(java.util.Base64.getDecoder().decode(d.keyBase64()), StandardCharsets.UTF_8)
                        .equals(node)).toList();
        assertThat(dead).hasSize(2);
        assertThat(dead).allSatisfy(d -> {
            assertThat(d.sourceTopic()).isEqualTo(Topics.DECISIONS.name());
            assertThat(d.component()).isEqualTo("actuator");
            assertThat(d.error()).contains(Topics.DECISIONS.name());
        });
        assertThat(dead.get(1).error()).contains("teleport");
        assertThat(pd.events()).extracting(e -> e.get("dedup_key").asText()).containsExactly("_fleet#" + test);
        assertThat(s.healthy()).isTrue();
    }

    @Test
    void closeIsQuickAndIdempotent() {
        ActuatorService s = service("actuator-it-" + test, StepHook.NONE);
        await().atMost(Duration.ofSeconds(30)).until(s::ready);
        long start = System.nanoTime();
        s.close();
        s.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(s.ready()).isFalse();
    }

    /** Stands for the process dying between acting and recording. */
    static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;
    }
}
