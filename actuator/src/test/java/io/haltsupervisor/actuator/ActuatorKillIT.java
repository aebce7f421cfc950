package io.haltsupervisor.actuator;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.haltsupervisor.sandbox.kafka.KafkaExtension;
import io.haltsupervisor.sandbox.kafka.TopicContents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.pager.PagerDutyReceiver;
import io.haltsupervisor.sandbox.process.ChildJvm;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * The actuator under {@code kill -9} at its worst moment: in a child JVM ({@link ActuatorChild}), it is killed
 * with SIGKILL right after it changed the cluster and before it recorded that it did — again and again, then
 * restarted. Every decision's effect must happen once (one image patch, one pod deletion, one Event per step),
 * every step must end with exactly one final result (the re-run of a killed step finds its change made:
 * {@code already-applied}), and PagerDuty must hold one alert per incident, triggered and then resolved, and
 * nothing else (no resolve of a key that was never triggered, no trigger after a resolve). A page whose result a
 * kill lost is sent again, unchanged, with the same {@code dedup_key}: PagerDuty folds it into the open alert
 * (docs/requirements.md §4.4, §7.6: one page per incident).
 *
 * <p>The child's consumer uses a 6 s session timeout, so a restart does not wait 45 s for the killed member to
 * leave the group. The children's output is in {@code target/fault-logs/}.
 */
class ActuatorKillIT {
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
    void killedBetweenAClusterChangeAndItsRecordEachEffectHappensOnceAndEachIncidentPagesOnce() throws Exception {
        kafka.createTopics(3);
        List<Decision> decisions = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < 6; i++) {
            String name = "rpc-" + i;
            String node = NS + "/" + name;
            String uid = workload(name);
            String incident = node + "#1";
            decisions.add(new Decision.UpgradeDecided(1, incident + "/upgrade/0", incident, node, now, 70, "v6", V6, V5,
                    new Decision.ImageMappingRef("v6", V6, null, "configmap:sei/up"), name + "-0", uid));
        }
        for (int i = 6; i < 9; i++) {
            String name = "rpc-" + i;
            String node = NS + "/" + name;
            workload(name);
            String incident = node + "#1";
            decisions.add(new Decision.HaltPaged(1, incident + "/page/0", incident, node, now, 84, null,
                    Decision.Severity.error, Decision.PageReason.UnrecognisedHalt, "reserved code 84"));
            decisions.add(new Decision.IncidentResolved(1, incident + "/resolve/1", incident, node, now.plusSeconds(60),
                    84, null, V5, now, "healthy again"));
        }
        kube.clearRequests();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            for (Decision d : decisions) {
                producer.send(new ProducerRecord<>(Topics.DECISIONS.name(), d.key(),
                        Topics.DECISIONS.valueSerde().serializer().serialize(Topics.DECISIONS.name(), d))).get();
            }
        }

        Map<String, String> env = new HashMap<>();
        env.put(KafkaClientConfig.ENV_BOOTSTRAP, kafka.bootstrapServers());
        env.put("KAFKA_CLIENT_SESSION_TIMEOUT_MS", "6000");
        env.put("KAFKA_CLIENT_HEARTBEAT_INTERVAL_MS", "1500");
        env.put("ACTUATOR_GROUP_ID", "actuator-kill-it");
        env.put("ACTUATOR_NAMESPACES", NS);
        env.put("ACTUATOR_PAGERDUTY_URL", pagerDuty.url().toString());
        env.put("ACTUATOR_PAGERDUTY_ROUTING_KEY", "kill-it");
        env.put("ACTUATOR_RETRY_INITIAL_BACKOFF", "50ms");
        env.put("ACTUATOR_RATE_LIMIT_PER_MINUTE", "10000");
        env.put("ACTUATOR_RATE_LIMIT_BURST", "1000");
        env.put("TEST_KUBE_URL", kube.url());
        env.put("TEST_PAUSE_MS", "500");
        Path log = Path.of("target", "fault-logs", "ActuatorKillIT.log");

        // kill each incarnation in the window after its n-th cluster change. Counted per incarnation, not across
        // them: how many changes are left after a kill depends on how many held results it lost (the decisions
        // running then redo their unrecorded steps and find them made: already-applied, no new change)
        int[] killAt = {2, 3, 1, 2, 3, 1};
        List<String> killedWindows = new ArrayList<>();
        int acted = 0;
        int incarnation = 0;
        ChildJvm actuator = ChildJvm.start("actuator-" + incarnation, ActuatorChild.class, env, List.of(), log);
        try {
            while (killedWindows.size() < killAt.length) {
                String line = actuator.awaitLine(l -> l.startsWith("ACTED "), Duration.ofSeconds(90));
                acted++;
                if (acted == killAt[killedWindows.size()]) {
                    actuator.kill();
                    killedWindows.add(line.substring("ACTED ".length()));
                    System.out.printf("ActuatorKillIT: SIGKILL %d after cluster change %d of actuator-%d: %s%n",
                            killedWindows.size(), acted, incarnation, line);
                    acted = 0;
                    actuator = ChildJvm.start("actuator-" + ++incarnation, ActuatorChild.class, env, List.of(), log);
                }
            }
            // the last incarnation runs to the end: every planned step of every decision has a final result
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> finalResults().size() >= 6 * 4 + 3 * 2 + 3 * 3);
            Thread.sleep(2_000); // anything extra would show up now
        } finally {
            actuator.kill();
        }

        Map<String, List<ActionResultRecorded>> finals = finalResults();
        Map<String, Integer> repeated = new TreeMap<>();
        finals.forEach((key, rs) -> {
            if (rs.size() > 1) {
                repeated.put(key, rs.size());
            }
        });
        System.out.printf("ActuatorKillIT: %d decisions, %d kills, %d steps with a final result, PagerDuty saw %d "
                + "events%n", decisions.size(), killedWindows.size(), finals.size(), pagerDuty.events().size());
        assertThat(killedWindows).hasSize(killAt.length);
        assertThat(repeated).as("steps with more than one final result").isEmpty();
        for (String window : killedWindows) {
            String[] parts = window.split(" ");
            ActionResultRecorded result = finals.get(parts[0] + " " + parts[1]).get(0);
            assertThat(result.outcome()).as("the re-run of %s, killed after its change", window)
                    .isIn(Outcome.ALREADY_APPLIED, Outcome.APPLIED);
            if (!parts[1].equals("condition")) {
                assertThat(result.outcome()).as("the re-run of %s found the change made", window)
                        .isEqualTo(Outcome.ALREADY_APPLIED);
            }
        }
        assertThat(finals.values().stream().flatMap(List::stream).map(ActionResultRecorded::outcome))
                .as("every step succeeded").allMatch(o -> o == Outcome.APPLIED || o == Outcome.ALREADY_APPLIED);

        // effects once
        for (int i = 0; i < 6; i++) {
            String name = "rpc-" + i;
            assertThat(succeeded("PATCH", "/statefulsets/" + name, "/spec/template/spec/containers/"))
                    .as("image patches of %s", name).isEqualTo(1);
            assertThat(succeeded("DELETE", "/pods/" + name + "-0", "")).as("pod deletions of %s", name).isEqualTo(1);
            assertThat(client.apps().statefulSets().inNamespace(NS).withName(name).get().getSpec().getTemplate()
                    .getSpec().getContainers().get(0).getImage()).isEqualTo(V6);
        }
        long eventSteps = finals.keySet().stream().filter(k -> k.endsWith(" event")).count();
        assertThat(succeeded("POST", "/events", "")).as("Events created").isEqualTo((int) eventSteps).isEqualTo(12);
        assertThat(client.events().v1().events().inNamespace(NS).list().getItems()).hasSize(12);

        // one PagerDuty alert per incident, opened once and resolved once, and nothing for a key never triggered: the
        // resolve, run by whichever incarnation got there, knows from the results topic which keys were triggered.
        // With decisions of several nodes running at once, a kill in one node's window can land while another
        // node's page is on the wire or its result not yet committed: that page is sent again on restart — the same
        // event, with the same dedup_key, right after the first, which PagerDuty folds into the open alert (a
        // trigger for an open alert's dedup_key adds to it; a resolve of a resolved alert is ignored). A trigger
        // after the resolve would open a second alert: never.
        Map<String, List<JsonNode>> eventsByKey = pagerDuty.events().stream().collect(Collectors.groupingBy(
                e -> e.path("dedup_key").asText(), TreeMap::new, Collectors.toList()));
        Map<String, List<String>> alertLifecycle = new TreeMap<>();
        int resent = 0;
        for (Map.Entry<String, List<JsonNode>> e : eventsByKey.entrySet()) {
            List<String> actions = new ArrayList<>();
            JsonNode previous = null;
            for (JsonNode event : e.getValue()) {
                if (event.equals(previous)) {
                    resent++; // the same event again: a re-send of a page whose result a kill lost
                    continue;
                }
                actions.add(event.path("event_action").asText());
                previous = event;
            }
            alertLifecycle.put(e.getKey(), actions);
        }
        Map<String, List<String>> expected = new TreeMap<>();
        for (int i = 6; i < 9; i++) {
            expected.put(NS + "/rpc-" + i + "#1", List.of("trigger", "resolve"));
        }
        System.out.printf("ActuatorKillIT: %d PagerDuty event(s) re-sent after a kill%n", resent);
        assertThat(alertLifecycle).as("PagerDuty events by dedup_key, a re-sent event counted once").isEqualTo(expected);
        assertThat(resent).as("re-sent events: at most one per paging node per kill").isLessThanOrEqualTo(
                3 * killAt.length);
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
}
