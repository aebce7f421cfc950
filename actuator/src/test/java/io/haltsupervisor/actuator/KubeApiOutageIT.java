package io.haltsupervisor.actuator;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.haltsupervisor.sandbox.kafka.KafkaExtension;
import io.haltsupervisor.sandbox.kafka.TopicContents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.pager.PagerDutyReceiver;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The actuator service (Kafka in, Kubernetes and PagerDuty out) while the Kubernetes API misbehaves for a
 * while: image patches answered 500 and 409, pod deletions answered 500 or never, Event writes answered 500, and
 * patches the API makes but answers only after the client gave up (the change is made, the client sees a
 * timeout). Every decision must end with every step applied — after {@code failed-retrying} results for the
 * failed attempts — and each change must be made once: one image patch per workload, one pod deletion, one
 * Event per step, one page per incident.
 */
class KubeApiOutageIT {
    private static final String NS = "sei";
    private static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    private static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";

    @RegisterExtension
    final KafkaExtension kafka = new KafkaExtension();
    private final InMemoryKubernetes kube = InMemoryKubernetes.startWithoutSeiNodes();
    private final KubernetesClient client = kube.client();
    private final PagerDutyReceiver pagerDuty = PagerDutyReceiver.start();

    @AfterEach
    void stop() {
        pagerDuty.close();
        kube.close();
    }

    @Test
    void retriesThroughServerErrorsConflictsAndTimeoutsThenAppliesEachChangeOnce() throws Exception {
        kafka.createTopics(3);
        List<Decision> decisions = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < 6; i++) {
            String name = "rpc-" + i;
            String incident = NS + "/" + name + "#1";
            decisions.add(new Decision.UpgradeDecided(1, incident + "/upgrade/0", incident, NS + "/" + name, now, 70,
                    "v6", V6, V5, new Decision.ImageMappingRef("v6", V6, null, "configmap:sei/up"), name + "-0",
                    workload(name)));
        }
        for (int i = 6; i < 8; i++) {
            String name = "rpc-" + i;
            workload(name);
            String incident = NS + "/" + name + "#1";
            decisions.add(new Decision.HaltPaged(1, incident + "/page/0", incident, NS + "/" + name, now, 84, null,
                    Decision.Severity.error, Decision.PageReason.UnrecognisedHalt, "reserved code 84"));
        }
        kube.clearRequests();
        // the outage: consumed by the first matching requests, whichever decision makes them
        kube.failNext("PATCH", "/statefulsets/", 500, 3);
        kube.failNext("PATCH", "/statefulsets/", 409, 2);
        kube.delayNext("PATCH", "/statefulsets/", Duration.ofSeconds(3), 2);
        kube.failNext("DELETE", "/pods/", 500, 2);
        kube.hangNext("DELETE", "/pods/", 1);
        kube.failNext("POST", "/events", 500, 2);
        kube.delayNext("POST", "/events", Duration.ofSeconds(3), 1);

        ActuatorConfig config = ActuatorConfig.fromEnv(Map.of("ACTUATOR_GROUP_ID", "outage-it",
                "ACTUATOR_NAMESPACES", NS, "ACTUATOR_PAGERDUTY_URL", pagerDuty.url().toString(),
                "ACTUATOR_PAGERDUTY_ROUTING_KEY", "outage-it", "ACTUATOR_HTTP_TIMEOUT", "1s",
                "ACTUATOR_RETRY_INITIAL_BACKOFF", "50ms", "ACTUATOR_RETRY_MAX_BACKOFF", "200ms",
                "ACTUATOR_RETRY_MAX_ATTEMPTS", "10"));
        try (ActuatorService actuator = new ActuatorService(config, KafkaClientConfig.of(kafka.bootstrapServers()),
                new SimpleMeterRegistry(), client);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                     kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            actuator.start();
            for (Decision d : decisions) {
                producer.send(new ProducerRecord<>(Topics.DECISIONS.name(), d.key(),
                        Topics.DECISIONS.valueSerde().serializer().serialize(Topics.DECISIONS.name(), d))).get();
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> finalResults().size() >= 6 * 5 + 2 * 2);
            Thread.sleep(2_000); // anything extra would show up now
            assertThat(actuator.healthy()).isTrue();
        }

        Map<String, List<ActionResultRecorded>> finals = finalResults();
        long retries = results().stream().filter(r -> r.outcome() == Outcome.FAILED_RETRYING).count();
        System.out.printf("KubeApiOutageIT: %d steps with a final result, %d failed attempts recorded, %d API "
                + "requests, PagerDuty saw %d events%n", finals.size(), retries, kube.requests().size(),
                pagerDuty.events().size());
        assertThat(finals).as("6 upgrades of 5 steps (the last: hold), 2 pages").hasSize(6 * 5 + 2 * 2);
        finals.forEach((step, rs) -> {
            assertThat(rs).as("final results of %s", step).hasSize(1);
            assertThat(rs.get(0).outcome()).as("%s", step).isIn(Outcome.APPLIED, Outcome.ALREADY_APPLIED);
        });
        assertThat(retries).as("every injected failure and timeout seen as a failed attempt").isGreaterThanOrEqualTo(
                3 + 2 + 2 + 2 + 1 + 2 + 1);
        for (int i = 0; i < 6; i++) {
            String name = "rpc-" + i;
            assertThat(succeeded("PATCH", "/statefulsets/" + name, "/spec/template/spec/containers/"))
                    .as("image patches of %s", name).isEqualTo(1);
            assertThat(succeeded("DELETE", "/pods/" + name + "-0", "")).as("pod deletions of %s", name).isEqualTo(1);
            assertThat(client.apps().statefulSets().inNamespace(NS).withName(name).get().getSpec().getTemplate()
                    .getSpec().getContainers().get(0).getImage()).isEqualTo(V6);
            assertThat(client.pods().inNamespace(NS).withName(name + "-0").get()).isNull();
        }
        assertThat(succeeded("POST", "/events", "")).as("Events created").isEqualTo(8);
        assertThat(client.events().v1().events().inNamespace(NS).list().getItems()).hasSize(8);
        Map<String, List<String>> pages = pagerDuty.events().stream().collect(Collectors.groupingBy(
                e -> e.path("dedup_key").asText(), TreeMap::new,
                Collectors.mapping(e -> e.path("event_action").asText(), Collectors.toList())));
        assertThat(pages).containsOnlyKeys(NS + "/rpc-6#1", NS + "/rpc-7#1")
                .allSatisfy((key, actions) -> assertThat(actions).containsExactly("trigger"));
    }

    private String workload(String name) {
        return KillTestKit.workload(client, NS, name, V5);
    }

    private int succeeded(String method, String path, String body) {
        return KillTestKit.succeeded(kube, method, path, body);
    }

    private Map<String, List<ActionResultRecorded>> finalResults() {
        return KillTestKit.finalResults(kafka.bootstrapServers());
    }

    private List<ActionResultRecorded> results() {
        return TopicContents.committedValues(kafka.bootstrapServers(), Topics.ACTION_RESULTS);
    }
}
