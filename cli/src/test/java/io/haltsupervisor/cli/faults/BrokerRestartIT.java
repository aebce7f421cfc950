package io.haltsupervisor.cli.faults;

import io.haltsupervisor.schemas.KubeNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.cli.Components;
import io.haltsupervisor.sandbox.kafka.EmbeddedKafka;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.NodeObservation;
import io.haltsupervisor.schemas.ObservationSource;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker stopped mid-stream and restarted on the same address and log: the pollers and the decider, wired as
 * {@code supervisor all} wires them ({@link Components}), carry on by themselves. Nodes halt before the outage,
 * during it (their {@code /status} shows the intent, their pods go unready) and after it; every one of those
 * changes must reach its topic — the pollers publish on change only, so an observation lost in the outage would
 * never be sent again — and every halted node must be decided exactly once.
 */
class BrokerRestartIT {
    private static final String NS = "sei";
    private static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    private static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    private static final long V6_HEIGHT = 1_000_000L;
    private static final int NODES = 30;
    private static final Duration OUTAGE = Duration.ofSeconds(15);

    private final EmbeddedKafka kafka = new EmbeddedKafka().start();
    private final InMemoryKubernetes kube = InMemoryKubernetes.startWithoutSeiNodes();
    private final KubernetesClient client = kube.client();
    private final SimulatedSeidServer seids = SimulatedSeidServer.start(2);
    private Path stateDir;

    @AfterEach
    void stop() throws Exception {
        seids.close();
        kube.close();
        kafka.close();
        if (stateDir != null) {
            try (var files = Files.walk(stateDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void pollersAndDeciderRecoverFromABrokerRestartWithoutLosingAnObservation() throws Exception {
        kafka.createTopics(3);
        stateDir = Files.createTempDirectory("broker-restart-it-");
        List<SimulatedSeid> nodes = fleet(NODES);
        Map<String, String> env = new HashMap<>();
        env.put(KafkaClientConfig.ENV_BOOTSTRAP, kafka.bootstrapServers());
        env.put("POLLER_NAMESPACES", NS);
        env.put("POLLER_ALLOW_STATUS_URL_ANNOTATION", "true");
        env.put("POLLER_INTERVAL", "500ms");
        env.put("DECIDER_APPLICATION_ID", "broker-restart-it-" + UUID.randomUUID().toString().substring(0, 6));
        env.put("DECIDER_STATE_DIR", stateDir.toString());
        try (Components components = Components.start(EnumSet.of(Components.Kind.POLLERS, Components.Kind.DECIDER),
                env, KafkaClientConfig.fromEnv(env), new SimpleMeterRegistry(), client)) {
            await().atMost(Duration.ofSeconds(90)).until(components::ready);
            // the mapping has reached the decider's node tasks (through its control topic) before any halt
            await().atMost(Duration.ofSeconds(60)).until(() -> !read(Topics.IMAGE_MAPPINGS).isEmpty());
            Thread.sleep(3_000);

            halt(nodes, 0, 10);
            await().atMost(Duration.ofSeconds(60)).until(() -> upgraded().keySet().containsAll(ids(0, 10)));

            kafka.stop();
            Instant down = Instant.now();
            halt(nodes, 10, 20);
            for (int i = 20; i < 25; i++) {
                unready("node-" + i);
            }
            Thread.sleep(OUTAGE.toMillis());
            kafka.restart();
            System.out.printf("BrokerRestartIT: broker down for %d ms; pollers healthy %s, decider healthy %s%n",
                    Duration.between(down, Instant.now()).toMillis(), components.pollers().healthy(),
                    components.decider().healthy());

            halt(nodes, 25, NODES);
            List<String> halted = new ArrayList<>(ids(0, 20));
            halted.addAll(ids(25, NODES));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> upgraded().keySet().containsAll(halted));
            Thread.sleep(3_000); // anything doubled would show up now
            assertThat(components.healthy()).as("pollers and decider healthy after the restart").isTrue();
        }

        Map<String, Integer> upgrades = upgraded();
        Set<String> haltObserved = read(Topics.HALT_OBSERVATIONS).stream()
                .filter(h -> h.source() == ObservationSource.STATUS).map(HaltObserved::nodeId)
                .collect(Collectors.toSet());
        Set<String> unreadyObserved = read(Topics.NODE_OBSERVATIONS).stream()
                .filter(o -> o instanceof PodStateObserved p && !p.ready()).map(NodeObservation::nodeId)
                .collect(Collectors.toSet());
        System.out.printf("BrokerRestartIT: %d upgrade decisions, halts observed for %d nodes, unready pods for %d%n",
                upgrades.size(), haltObserved.size(), unreadyObserved.size());
        List<String> halted = new ArrayList<>(ids(0, 20));
        halted.addAll(ids(25, NODES));
        assertThat(haltObserved).as("every halt observed, those of the outage included")
                .containsExactlyInAnyOrderElementsOf(halted);
        assertThat(unreadyObserved).as("every pod that went unready during the outage").containsAll(ids(20, 25));
        assertThat(upgrades).as("one upgrade decision per halted node").containsOnlyKeys(halted)
                .allSatisfy((node, count) -> assertThat(count).isEqualTo(1));
    }

    private static List<String> ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> NS + "/node-" + i).toList();
    }

    private void halt(List<SimulatedSeid> nodes, int from, int to) {
        for (int i = from; i < to; i++) {
            nodes.get(i).halt(new HaltIntent(70, "upgrade_required", "v6", V6_HEIGHT, null, Instant.now()));
        }
    }

    /** Upgrade decisions per node, read_committed. */
    private Map<String, Integer> upgraded() {
        Map<String, Integer> out = new TreeMap<>();
        for (Decision d : read(Topics.DECISIONS)) {
            if (d instanceof Decision.UpgradeDecided) {
                out.merge(d.nodeId(), 1, Integer::sum);
            }
        }
        return out;
    }

    private <V> List<V> read(Topic<String, V> topic) {
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(topic.valueSerde().deserializer()
                        .deserialize(r.topic(), r.value().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            }
        }
        return out;
    }

    /** N StatefulSets with one ready pod each whose status URL points at a simulated seid; the v6 mapping. */
    private List<SimulatedSeid> fleet(int n) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create();
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("seid-image-mappings").withNamespace(NS)
                .addToLabels(KubeNames.IMAGE_MAPPINGS_LABEL, "true").endMetadata()
                .addToData("v6", V6 + " height=" + V6_HEIGHT).build()).create();
        List<SimulatedSeid> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "node-" + i;
            SimulatedSeid seid = seids.node(NS + "-" + name).height(V6_HEIGHT - 1).version("v5.9.0");
            StatefulSet sts = client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                    .withNewMetadata().withName(name).withNamespace(NS).withUid(UUID.randomUUID().toString())
                    .addToLabels(KubeNames.APP_NAME_LABEL, "seid").endMetadata()
                    .withNewSpec().withReplicas(1).withServiceName(name)
                    .withNewTemplate().withNewMetadata().addToLabels(KubeNames.APP_NAME_LABEL, "seid").endMetadata()
                    .withNewSpec().addNewContainer().withName("seid").withImage(V5)
                    .withPorts(new ContainerPortBuilder().withName("rpc").withContainerPort(26657).build())
                    .endContainer().endSpec().endTemplate().endSpec().build()).create();
            Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder()
                    .withNewMetadata().withName(name + "-0").withNamespace(NS).withUid(UUID.randomUUID().toString())
                    .addToLabels(KubeNames.APP_NAME_LABEL, "seid")
                    .addToAnnotations(KubeNames.STATUS_URL_ANNOTATION, seid.statusUrl().toString())
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                            .withName(name).withUid(sts.getMetadata().getUid()).withController(true).build())
                    .endMetadata().withSpec(sts.getSpec().getTemplate().getSpec()).build()).create();
            pod.setStatus(status(true));
            client.pods().inNamespace(NS).resource(pod).updateStatus();
            out.add(seid);
        }
        return out;
    }

    private void unready(String name) {
        Pod pod = client.pods().inNamespace(NS).withName(name + "-0").get();
        pod.setStatus(status(false));
        client.pods().inNamespace(NS).resource(pod).updateStatus();
    }

    private static io.fabric8.kubernetes.api.model.PodStatus status(boolean ready) {
        return new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1")
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .addNewContainerStatus().withName("seid").withImage(V5).withReady(ready).withStarted(true)
                .withRestartCount(0).withContainerID("containerd://seid-1")
                .withNewState().withNewRunning().withStartedAt("2026-11-27T10:00:00Z").endRunning().endState()
                .endContainerStatus().build();
    }
}
