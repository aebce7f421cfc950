package io.haltsupervisor.pollers;

import io.haltsupervisor.schemas.KubeNames;
import io.haltsupervisor.pollers.mappings.MappingAdmin;
import io.haltsupervisor.pollers.mappings.MappingTopic;
import io.haltsupervisor.pollers.pods.PodTargets;
import io.haltsupervisor.pollers.status.StatusPoller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.sandbox.kafka.KafkaExtension;
import io.haltsupervisor.sandbox.kube.KubeApiExtension;
import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.NodeObservation;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.ObservationSource;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.SampleEvents;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole pollers component: a real Kafka broker (the topics' contents are asserted), simulated {@code seid}
 * nodes over loopback HTTP, and the sandbox's in-memory Kubernetes API. That API stands in for a real API
 * server: it has no kubelet, so the tests write pod statuses (exit codes, readiness) themselves, and pods have
 * no IPs, so they carry the status-URL annotation (allowed here, as in dev mode).
 */
class PollersServiceIT {
    private static final String IMAGE = "ghcr.io/sei-protocol/seid:v5.9.0";
    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();
    @RegisterExtension
    static final KubeApiExtension kube = new KubeApiExtension();
    private static SimulatedSeidServer seids;
    private final List<PollersService> services = new ArrayList<>();

    @BeforeAll
    static void startAll() {
        kafka.createTopics(3);
        seids = SimulatedSeidServer.start();
    }

    @AfterAll
    static void stopAll() {
        seids.close();
    }

    @AfterEach
    void stopServices() {
        services.forEach(PollersService::close);
    }

    private PollersService service(String namespace, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "POLLER_NAMESPACES", namespace,
                "POLLER_INTERVAL", "100ms",
                "POLLER_ALLOW_STATUS_URL_ANNOTATION", "true",
                "POLLER_INSTANCE", "pollers-test"));
        env.putAll(extra);
        PollersService service = new PollersService(PollersConfig.fromEnv(env),
                KafkaClientConfig.of(kafka.bootstrapServers()), new SimpleMeterRegistry(), kube.client(),
                Clock.systemUTC());
        services.add(service);
        service.start();
        await().atMost(Duration.ofSeconds(30)).until(service::ready);
        return service;
    }

    private static KubernetesClient k8s() {
        return kube.client();
    }

    /** A SeiNode-owned StatefulSet pod (or a plain StatefulSet's, when seiNode is null) polled at seid's URL. */
    private static Pod pod(String ns, String seiNode, String sts, String name, SimulatedSeid seid) {
        var stsBuilder = new StatefulSetBuilder().withNewMetadata().withName(sts).withNamespace(ns).endMetadata();
        if (seiNode != null) {
            stsBuilder.editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("sei.io/v1alpha1")
                    .withKind("SeiNode").withName(seiNode).withUid(seiNode + "-uid").withController(true).build())
                    .endMetadata();
        }
        var created = k8s().apps().statefulSets().inNamespace(ns).resource(stsBuilder.build()).create();
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .addToLabels(KubeNames.APP_NAME_LABEL, "seid")
                .addToAnnotations(KubeNames.STATUS_URL_ANNOTATION, seid.statusUrl().toString())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                        .withName(sts).withUid(created.getMetadata().getUid()).withController(true).build())
                .endMetadata()
                .withNewSpec().addNewContainer().withName("seid").withImage(IMAGE).endContainer().endSpec()
                .withNewStatus().withPhase("Running").withContainerStatuses(new ContainerStatusBuilder().withName("seid")
                        .withReady(true).withRestartCount(0).withNewState().withNewRunning()
                        .withStartedAt("2026-11-20T10:00:00Z").endRunning().endState().build()).endStatus();
        return k8s().pods().inNamespace(ns).resource(pod.build()).create();
    }

    private static void crashLoop(Pod pod, int exitCode, String containerId, String finishedAt, int restarts) {
        Pod latest = k8s().pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .get();
        latest.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("seid").withReady(false)
                .withRestartCount(restarts).withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting()
                .endState().withNewLastState().withNewTerminated().withExitCode(exitCode).withContainerID(containerId)
                .withStartedAt("2026-11-20T10:00:00Z").withFinishedAt(finishedAt).endTerminated().endLastState()
                .build()));
        k8s().pods().inNamespace(latest.getMetadata().getNamespace()).resource(latest).updateStatus();
    }

    private static List<HaltObserved> halts(String ns) {
        return Topics2.values(kafka.bootstrapServers(), Topics.HALT_OBSERVATIONS, ns + "/");
    }

    private static List<NodeObservation> nodeObservations(String ns) {
        return Topics2.values(kafka.bootstrapServers(), Topics.NODE_OBSERVATIONS, ns + "/");
    }

    private static <T> List<T> of(List<NodeObservation> all, Class<T> type, String nodeId) {
        return all.stream().filter(type::isInstance).filter(o -> o.nodeId().equals(nodeId)).map(type::cast)
                .collect(Collectors.toList());
    }

    @Test
    void publishesStatusHaltsExitCodeHaltsAndPodStatesToKafka() {
        String ns = "fleet";
        SimulatedSeid rpc = seids.node("fleet-rpc").height(150_999_999).version("v5.9.0");
        SimulatedSeid archive = seids.node("fleet-archive").height(150_999_999);
        pod(ns, "rpc", "rpc-sts", "rpc-sts-0", rpc);
        Pod archivePod = pod(ns, null, "archive", "archive-0", archive);
        k8s().pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("unrelated").withNamespace(ns)
                .addToLabels("app", "nginx").endMetadata().withNewSpec().addNewContainer().withName("seid")
                .withImage(IMAGE).endContainer().endSpec().build()).create();

        PollersService service = service(ns, Map.of());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<NodeObservation> obs = nodeObservations(ns);
            assertThat(of(obs, NodeStatusObserved.class, "fleet/rpc")).extracting(NodeStatusObserved::change)
                    .containsExactly(NodeStatusObserved.Change.FIRST_SEEN);
            assertThat(of(obs, PodStateObserved.class, "fleet/rpc")).singleElement().satisfies(p -> {
                assertThat(p.image()).isEqualTo(IMAGE);
                assertThat(p.ready()).isTrue();
                assertThat(p.podName()).isEqualTo("rpc-sts-0");
            });
            assertThat(of(obs, NodeStatusObserved.class, "fleet/archive")).hasSize(1);
        });
        assertThat(service.poller().targets()).extracting(StatusPoller.TargetView::nodeId)
                .containsExactly("fleet/archive", "fleet/rpc");

        rpc.halt(SampleEvents.INTENT);
        await().atMost(Duration.ofSeconds(20)).until(() -> halts(ns).size() == 1);
        long polls = rpc.requests();
        await().atMost(Duration.ofSeconds(20)).until(() -> rpc.requests() >= polls + 10);
        List<HaltObserved> halts = halts(ns);
        assertThat(halts).as("one observation per intent, not per poll").singleElement().satisfies(h -> {
            assertThat(h.nodeId()).isEqualTo("fleet/rpc");
            assertThat(h.source()).isEqualTo(ObservationSource.STATUS);
            assertThat(h.intent()).isEqualTo(SampleEvents.INTENT);
            assertThat(h.podName()).isEqualTo("rpc-sts-0");
            assertThat(h.image()).isEqualTo(IMAGE);
            assertThat(h.latestBlockHeight()).isEqualTo(150_999_999L);
        });

        crashLoop(archivePod, 71, "containerd://a1", "2026-11-20T10:15:01Z", 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> halts(ns).size() == 2);
        crashLoop(archivePod, 71, "containerd://a1", "2026-11-20T10:15:01Z", 1);
        crashLoop(archivePod, 71, "containerd://a2", "2026-11-20T10:15:31Z", 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> halts(ns).size() == 3);
        List<HaltObserved> exit = halts(ns).stream().filter(h -> h.source() == ObservationSource.EXIT_CODE)
                .collect(Collectors.toList());
        assertThat(exit).extracting(HaltObserved::containerId).containsExactly("containerd://a1", "containerd://a2");
        assertThat(exit).allSatisfy(h -> {
            assertThat(h.nodeId()).isEqualTo("fleet/archive");
            assertThat(h.reasonCode()).isEqualTo(71);
            assertThat(h.podUid()).isEqualTo(archivePod.getMetadata().getUid());
        });
        assertThat(exit.get(1).restartCount()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                of(nodeObservations(ns), PodStateObserved.class, "fleet/archive")).extracting(PodStateObserved::ready)
                .containsExactly(true, false));

        rpc.recover().version("v6.0.1");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                of(nodeObservations(ns), NodeStatusObserved.class, "fleet/rpc")).extracting(NodeStatusObserved::change)
                .containsExactly(NodeStatusObserved.Change.FIRST_SEEN, NodeStatusObserved.Change.RECOVERED));

        k8s().pods().inNamespace(ns).withName("archive-0").delete();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                of(nodeObservations(ns), PodStateObserved.class, "fleet/archive")).last()
                .satisfies(p -> assertThat(p.deleted()).isTrue()));
        await().atMost(Duration.ofSeconds(10)).until(() -> service.poller().targetCount() == 1);
    }

    @Test
    void flagsCosmovisorWithAWarningEventAndAMetric() {
        String ns = "cosmo";
        SimulatedSeid seid = seids.node("cosmo-0");
        Pod pod = pod(ns, null, "val", "val-0", seid);
        pod.getSpec().getContainers().get(0).setCommand(List.of("cosmovisor", "run", "start"));
        k8s().pods().inNamespace(ns).resource(pod).update();

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PollersService service = new PollersService(PollersConfig.fromEnv(Map.of("POLLER_NAMESPACES", ns,
                "POLLER_ALLOW_STATUS_URL_ANNOTATION", "true", "POLLER_INSTANCE", "pollers-test")),
                KafkaClientConfig.of(kafka.bootstrapServers()), registry, kube.client(), Clock.systemUTC());
        services.add(service);
        service.start();
        await().atMost(Duration.ofSeconds(30)).until(service::ready);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                of(nodeObservations(ns), PodStateObserved.class, "cosmo/val")).singleElement()
                .satisfies(p -> assertThat(p.cosmovisor()).isTrue()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Event> events = k8s().events().v1().events().inNamespace(ns).list().getItems();
            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getReason()).isEqualTo("CosmovisorDetected");
                assertThat(e.getReportingController()).isEqualTo("halt-supervisor");
                assertThat(e.getReportingInstance()).isEqualTo("pollers-test");
                assertThat(e.getRegarding().getName()).isEqualTo("val-0");
                assertThat(e.getRegarding().getUid()).isEqualTo(pod.getMetadata().getUid());
                assertThat(e.getNote()).contains("cosmovisor").contains("70-89");
            });
        });
        assertThat(registry.get("halt_supervisor.podwatcher.cosmovisor.pods").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void mirrorsImageMappingConfigMapsWithTombstonesRejectionsAndConflicts() throws Exception {
        String ns = "mappings";
        String v6 = "ghcr.io/sei-protocol/seid:v6.0.1";
        String v6b = "ghcr.io/sei-protocol/seid:v6.0.2";
        String v7 = "registry.local:5000/seid@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        KafkaClientConfig client = KafkaClientConfig.of(kafka.bootstrapServers());
        MappingAdmin admin = new MappingAdmin(client, Duration.ofSeconds(20), Clock.systemUTC(), w -> { });
        admin.put("m-v9", "ghcr.io/sei-protocol/seid:v9.0.0", null, "alice");
        // a plan an earlier ConfigMap defined, gone while the pollers were down
        new KafkaObservationSink(client, "seed", new SimpleMeterRegistry()).publish(Topics.IMAGE_MAPPINGS, "m-v5",
                ImageMappingChanged.of("m-v5", "ghcr.io/sei-protocol/seid:v5.0.0", null, "configmap:mappings/old",
                        SampleEvents.T0)).get();
        ConfigMap a = configMap(ns, "a-upgrades", Map.of("m-v6", v6 + " height=151000000", "m-v7", v7));
        ConfigMap b = configMap(ns, "b-upgrades", Map.of("m-v6", v6b, "m-bad", "ghcr.io/sei-protocol/seid:v8 height=soon"));

        service(ns, Map.of("POLLER_LABEL_SELECTOR", "app=none"));

        Map<String, ImageMappingChanged> topic = MappingTopic.read(client, Duration.ofSeconds(20), w -> { });
        assertThat(topic).containsOnlyKeys("m-v6", "m-v7", "m-v9");
        assertThat(topic.get("m-v6").image()).isEqualTo(v6);
        assertThat(topic.get("m-v6").upgradeHeight()).isEqualTo(151_000_000L);
        assertThat(topic.get("m-v6").source()).isEqualTo("configmap:mappings/a-upgrades");
        assertThat(topic.get("m-v7").image()).isEqualTo(v7);
        assertThat(topic.get("m-v9").source()).isEqualTo("cli:alice");
        assertThat(Topics2.readAll(kafka.bootstrapServers(), Topics.IMAGE_MAPPINGS)).filteredOn(r -> r.key().equals("m-v5"))
                .last().satisfies(r -> assertThat(r.value()).as("tombstone").isNull());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Event> events = k8s().events().v1().events().inNamespace(ns).list().getItems();
            assertThat(events).extracting(Event::getReason)
                    .containsExactlyInAnyOrder("InvalidImageMapping", "ImageMappingConflict");
            assertThat(events).allSatisfy(e -> assertThat(e.getRegarding().getName()).isEqualTo("b-upgrades"));
            assertThat(events).filteredOn(e -> e.getReason().equals("InvalidImageMapping")).singleElement()
                    .satisfies(e -> assertThat(e.getNote()).contains("'m-bad'").contains("height 'soon' is not valid"));
        });

        a.setData(Map.of("m-v6", "ghcr.io/sei-protocol/seid:v6.0.1 height=oops"));
        k8s().configMaps().inNamespace(ns).resource(a).update();
        await().atMost(Duration.ofSeconds(20)).until(() -> !MappingTopic.read(client, Duration.ofSeconds(20), w -> { })
                .containsKey("m-v7"));
        Map<String, ImageMappingChanged> afterEdit = MappingTopic.read(client, Duration.ofSeconds(20), w -> { });
        assertThat(afterEdit.get("m-v6").image()).as("b's valid m-v6 takes over from a's typo").isEqualTo(v6b);
        assertThat(afterEdit.get("m-v6").source()).isEqualTo("configmap:mappings/b-upgrades");

        k8s().configMaps().inNamespace(ns).resource(b).delete();
        await().atMost(Duration.ofSeconds(20)).until(() -> k8s().events().v1().events().inNamespace(ns).list()
                .getItems().stream().anyMatch(e -> e.getRegarding().getName().equals("a-upgrades")));
        Map<String, ImageMappingChanged> held = MappingTopic.read(client, Duration.ofSeconds(20), w -> { });
        assertThat(held.get("m-v6").image()).as("only an invalid value left: the published mapping is held")
                .isEqualTo(v6b);
        assertThat(held).doesNotContainKey("m-bad");
    }

    private static ConfigMap configMap(String ns, String name, Map<String, String> data) {
        return k8s().configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                .withNamespace(ns).addToLabels(KubeNames.IMAGE_MAPPINGS_LABEL, "true").endMetadata()
                .withData(data).build()).create();
    }

    @Test
    void replicasShareTheFleetWithoutOverlap() {
        String ns = "sharded";
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String name = "n" + i;
            names.add(ns + "/" + name);
            pod(ns, name, name + "-sts", name + "-sts-0", seids.node("sharded-" + i));
        }
        PollersService zero = service(ns, Map.of("POLLER_REPLICAS", "2", "POLLER_ORDINAL", "0"));
        PollersService one = service(ns, Map.of("POLLER_REPLICAS", "2", "POD_NAME", "pollers-1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> zero.poller().targetCount() + one.poller().targetCount() == 8);
        List<String> a = zero.poller().targets().stream().map(StatusPoller.TargetView::nodeId).collect(Collectors.toList());
        List<String> b = one.poller().targets().stream().map(StatusPoller.TargetView::nodeId).collect(Collectors.toList());
        assertThat(a).doesNotContainAnyElementsOf(b);
        assertThat(a).allMatch(n -> new Shard(0, 2).owns(n));
        assertThat(b).allMatch(n -> new Shard(1, 2).owns(n));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(nodeObservations(ns).stream()
                .filter(o -> o instanceof NodeStatusObserved).map(NodeObservation::nodeId))
                .containsExactlyInAnyOrderElementsOf(names));
    }

    @Test
    void servesItsTargetsAndClosesIdempotently() throws Exception {
        String ns = "lifecycle";
        pod(ns, null, "solo", "solo-0", seids.node("lifecycle-0"));
        PollersService service = service(ns, Map.of());
        assertThat(service.healthy()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> service.poller().targets().stream()
                .anyMatch(t -> "ok".equals(t.lastOutcome())));
        var handler = service.httpHandlers().get("/pollers/targets");
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/pollers/targets", handler);
        server.start();
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/pollers/targets"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            var json = io.haltsupervisor.schemas.Json.MAPPER.readTree(response.body());
            assertThat(json.get(0).get("nodeId").asText()).isEqualTo("lifecycle/solo");
            assertThat(json.get(0).get("lastOutcome").asText()).isEqualTo("ok");
        } finally {
            server.stop(0);
        }
        long start = System.nanoTime();
        service.close();
        service.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        assertThat(service.ready()).isFalse();
        assertThat(service.healthy()).isFalse();
        assertThat(Optional.ofNullable(service.poller())).isPresent();
    }
}
