package io.haltsupervisor.devtools.bench;

import io.haltsupervisor.schemas.KubeNames;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.cli.Components;
import io.haltsupervisor.pollers.PollersConfig;
import io.haltsupervisor.pollers.Shard;
import io.haltsupervisor.sandbox.kafka.EmbeddedKafka;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.pager.PagerDutyReceiver;
import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.ObservationSource;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./supervisor bench latency}: how long from the poll response that shows a halt to the Kubernetes patch
 * that starts the fix being acknowledged (docs/requirements.md §7: p99 ≤ 300 ms, the poll interval excluded), and
 * from the halt shown on {@code /status} to that patch, detection included, with and without height-aware polling
 * (§7: p99 ≤ 1 s near a known upgrade height).
 *
 * <p>Everything runs in this JVM as {@code supervisor all} wires it ({@link Components}: pollers, decider,
 * actuator from an environment map) against an embedded KRaft broker, the in-memory Kubernetes API and
 * simulated {@code seid} endpoints: N nodes, each a StatefulSet with its pod (status URL in the dev annotation),
 * the v6 mapping (with its height) in a labelled ConfigMap. The pollers run as two replicas
 * ({@code POLLER_REPLICAS=2}) sharing the fleet by node id: ordinal 1 height-aware (the defaults: 50 blocks, 500 ms),
 * ordinal 0 with height awareness off ({@code POLLER_FAST_WINDOW_BLOCKS=0}) — the baseline, in the same run under
 * the same load. Every simulated chain advances one block per {@code --block-time} (400 ms, Sei's pace); after a
 * warm-up and a steady period with no upgrade near, the nodes reach the v6 height one every {@code --every} and
 * halt there on their own ({@code halt_intent} for plan v6 from that moment); the pollers see it at their next poll
 * (interval 5 s, the production default; 500 ms in the window), the decider decides an upgrade (exactly-once,
 * commit interval 100 ms), and the actuator patches the StatefulSet's image (JSON Patch guarded by a {@code test}
 * op), deletes the pod, sets a condition, emits an Event and pages. Meanwhile a load generator writes
 * {@code --load} node observations per second (heartbeats and pod states of 10,000 other nodes) into the decider's
 * input.
 *
 * <p>Per incident, from the topics: <b>halt shown</b> — the moment the simulated chain reached the height (when
 * {@code /status} began to serve the intent); <b>poll response</b> — the {@code observedAt} of the node's halt
 * observation (the poller stamps it when the response is processed); <b>decision visible</b> — when a
 * {@code read_committed} consumer in this JVM received the decision; <b>patch acknowledged</b> — the
 * {@code recordedAt} of the {@code set-image} action result (stamped when the API server's answer came back, before
 * it is recorded). Polls are counted at the simulated endpoints: per replica, in the steady period and while nodes
 * are in their window. The last line is machine-readable:
 * {@code name=latency rate=… p50_ms=… p99_ms=… max_ms=… … near_height_detect_to_patch_p99_ms=…
 * baseline_detect_to_patch_p99_ms=… window_poll_rate=… … steady_cpu_cores=…} (CPU of this process in the steady
 * period, in cores).
 *
 * <p>The actuator's rate limit is raised for the run (ACTUATOR_RATE_LIMIT_PER_MINUTE=100000): its default, 30
 * disruptive changes a minute, is a brake for a fleet-wide event and would otherwise be what is measured.
 *
 * <p>Settings of the components ({@code POLLER_*}, {@code DECIDER_*}, {@code ACTUATOR_*}, {@code KAFKA_CLIENT_*})
 * set in the environment override the bench's (except that ordinal 0 keeps height awareness off). Options:
 * {@code --incidents N} (220), {@code --every D} (300ms), {@code --load N} (1000), {@code --interval D} (5s),
 * {@code --partitions N} (4), {@code --block-time D} (400ms), {@code --steady D} (10s).
 */
public final class LatencyBench {
    private static final String NS = "sei";
    private static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    private static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    private static final long V6_HEIGHT = 1_000_000L;
    private static final double TARGET_P99_MS = 300;
    private static final double TARGET_NEAR_HEIGHT_P99_MS = 1000;
    private static final Duration DRAIN = Duration.ofSeconds(30);

    private LatencyBench() {
    }

    /** Runs the benchmark; returns the process exit code. */
    public static int run(String[] args) {
        return run(args, System.out);
    }

    static int run(String[] args, PrintStream out) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("bench latency: " + e.getMessage());
            out.println("usage: bench latency [--incidents N] [--every D] [--load N] [--interval D] [--partitions N]"
                    + " [--block-time D] [--steady D]");
            return 2;
        }
        BenchSupport.quietLogs();
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("bench-latency-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.printf(Locale.ROOT, "bench latency: %d incidents, one every %d ms, %,d background observations/s; "
                + "pollers, decider and actuator in this JVM as `supervisor all` wires them, on an embedded KRaft "
                + "broker, the in-memory Kubernetes API and simulated seid endpoints; chains at one block per %d ms; "
                + "two poller replicas, one height-aware, one not%n", o.incidents, o.every.toMillis(), o.load,
                o.blockTime.toMillis());
        out.println("  " + BenchSupport.ranOn());
        try (EmbeddedKafka kafka = new EmbeddedKafka().start();
             InMemoryKubernetes kube = InMemoryKubernetes.startWithoutSeiNodes();
             SimulatedSeidServer seids = SimulatedSeidServer.start(4);
             PagerDutyReceiver pagerDuty = PagerDutyReceiver.start()) {
            kafka.createTopics(o.partitions);
            List<SimulatedSeid> nodes = fleet(kube.client(), seids, o.incidents, o.blockTime);
            Map<String, String> env = new HashMap<>();
            env.put(KafkaClientConfig.ENV_BOOTSTRAP, kafka.bootstrapServers());
            env.put("POLLER_NAMESPACES", NS);
            env.put("POLLER_ALLOW_STATUS_URL_ANNOTATION", "true");
            env.put("POLLER_INTERVAL", o.interval.toMillis() + "ms");
            env.put("DECIDER_APPLICATION_ID", "bench-latency");
            env.put("DECIDER_STATE_DIR", stateDir.toString());
            env.put("ACTUATOR_NAMESPACES", NS);
            env.put("ACTUATOR_PAGERDUTY_URL", pagerDuty.url().toString());
            env.put("ACTUATOR_PAGERDUTY_ROUTING_KEY", "bench-routing-key");
            env.put("ACTUATOR_RATE_LIMIT_PER_MINUTE", "100000");
            env.put("ACTUATOR_RATE_LIMIT_BURST", "1000");
            // the component settings of this environment win over the bench's, as they would in production
            System.getenv().forEach((k, v) -> {
                if (k.startsWith("POLLER_") || k.startsWith("DECIDER_") || k.startsWith("ACTUATOR_")
                        || k.startsWith(KafkaClientConfig.ENV_PREFIX)) {
                    env.put(k, v);
                }
            });
            env.keySet().stream().filter(k -> System.getenv(k) != null).sorted()
                    .forEach(k -> out.println("  from the environment: " + k + "=" + env.get(k)));
            env.put("POLLER_REPLICAS", "2");
            Map<String, String> baselineEnv = new HashMap<>(env);
            baselineEnv.put("POLLER_ORDINAL", "0");
            baselineEnv.put("POLLER_FAST_WINDOW_BLOCKS", "0");
            Map<String, String> awareEnv = new HashMap<>(env);
            awareEnv.put("POLLER_ORDINAL", "1");
            Shard aware = new Shard(1, 2);
            long windowBlocks = PollersConfig.fromEnv(awareEnv).heightWindow().blocks();
            Map<String, Long> decisionSeen = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong background = new AtomicLong();
            KafkaClientConfig kafkaConfig = KafkaClientConfig.fromEnv(env);
            try (Components components = Components.start(EnumSet.of(Components.Kind.DECIDER,
                    Components.Kind.ACTUATOR), env, kafkaConfig, new SimpleMeterRegistry(), kube.client());
                 Components baselinePollers = Components.start(EnumSet.of(Components.Kind.POLLERS), baselineEnv,
                         kafkaConfig, new SimpleMeterRegistry(), kube.client());
                 Components awarePollers = Components.start(EnumSet.of(Components.Kind.POLLERS), awareEnv,
                         kafkaConfig, new SimpleMeterRegistry(), kube.client())) {
                awaitReady(components, Duration.ofSeconds(90));
                awaitReady(baselinePollers, Duration.ofSeconds(30));
                awaitReady(awarePollers, Duration.ofSeconds(30));
                Thread watcher = daemon("bench-decision-watcher",
                        () -> watchDecisions(kafka.bootstrapServers(), decisionSeen, stop));
                Thread load = daemon("bench-load", () -> loadGenerate(kafka.bootstrapServers(), o.load, stop,
                        background));
                // warm-up: every target polled at least once, the load running, the JIT past its first compiles
                Thread.sleep(o.interval.toMillis() * 2 + 2_000);
                long loadStart = background.get();
                long loadT0 = System.nanoTime();
                // the chains: node i reaches the v6 height at firstHalt + i * every, after a steady period in which
                // no node is within the window, and the window's blocks at the block time
                Instant steadyStart = Instant.now();
                Duration windowTime = o.blockTime.multipliedBy(windowBlocks);
                Instant firstHalt = steadyStart.plus(o.steady).plus(windowTime).plusSeconds(1);
                for (int i = 0; i < nodes.size(); i++) {
                    Instant haltAt = firstHalt.plus(o.every.multipliedBy(i));
                    Instant now = Instant.now();
                    long blocks = Duration.between(now, haltAt).toNanos() / o.blockTime.toNanos() + 1;
                    nodes.get(i).height(V6_HEIGHT - blocks, haltAt.minus(o.blockTime.multipliedBy(blocks)))
                            .haltAt(new HaltIntent(70, "upgrade_required", "v6", V6_HEIGHT, null, haltAt));
                }
                Instant lastHalt = firstHalt.plus(o.every.multipliedBy(nodes.size() - 1));
                PollCounts steady = PollCounts.over(nodes, aware, steadyStart.plusSeconds(1),
                        steadyStart.plus(o.steady));
                PollCounts window = PollCounts.over(nodes, aware, firstHalt.minus(windowTime), lastHalt);
                // CPU of this process (broker, pollers, decider, actuator, simulated fleet) while no upgrade is near
                double steadyCpu = steady.cpuCores();
                long deadline = System.nanoTime() + DRAIN.toNanos();
                Map<String, Instant> patched = new HashMap<>();
                List<ActionResultRecorded> results = List.of();
                while (System.nanoTime() < deadline) {
                    results = actionResults(kafka.bootstrapServers());
                    patched = setImageResults(results);
                    if (patched.size() >= nodes.size()) {
                        break;
                    }
                    Thread.sleep(500);
                }
                double loadRate = (background.get() - loadStart) / ((System.nanoTime() - loadT0) / 1e9);
                Map<String, Instant> flipped = new HashMap<>();
                for (int i = 0; i < nodes.size(); i++) {
                    Instant shown = nodes.get(i).haltedAt();
                    if (shown == null) {
                        throw new IllegalStateException("node " + nodeId(i) + " did not reach the v6 height");
                    }
                    flipped.put(nodeId(i), shown);
                }
                stop.set(true);
                watcher.join(5_000);
                load.join(5_000);
                Map<String, Instant> polled = firstHaltPolls(kafka.bootstrapServers());
                report(out, o, flipped, polled, decisionSeen, patched, loadRate, actuatorBusy(results), aware,
                        steady, window, windowBlocks, steadyCpu);
                return 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("bench latency: interrupted");
            return 1;
        } catch (IllegalStateException e) {
            out.println("bench latency: FAILED: " + e.getMessage());
            return 1;
        } finally {
            BenchSupport.deleteTree(stateDir);
        }
    }

    // ------------------------------------------------------------------ the fleet

    private static String nodeId(int i) {
        return NS + "/bench-" + i;
    }

    /** N StatefulSets with one ready pod each, whose status URL points at a simulated seid; the v6 mapping. */
    private static List<SimulatedSeid> fleet(KubernetesClient client, SimulatedSeidServer seids, int n,
            Duration blockTime) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create();
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("seid-image-mappings").withNamespace(NS)
                .addToLabels(KubeNames.IMAGE_MAPPINGS_LABEL, "true").endMetadata()
                .addToData("v6", V6 + " height=" + V6_HEIGHT).build()).create();
        List<SimulatedSeid> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "bench-" + i;
            // far below the height until the run places each chain (see run)
            SimulatedSeid seid = seids.node(NS + "-" + name).height(V6_HEIGHT / 2).blockTime(blockTime)
                    .version("v5.9.0");
            StatefulSet sts = client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                    .withNewMetadata().withName(name).withNamespace(NS).withUid(UUID.randomUUID().toString())
                    .withGeneration(1L).addToLabels(KubeNames.APP_NAME_LABEL, "seid").endMetadata()
                    .withNewSpec().withReplicas(1).withServiceName(name)
                    .withNewSelector().addToMatchLabels(KubeNames.APP_INSTANCE_LABEL, name).endSelector()
                    .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                    .withNewTemplate().withNewMetadata().addToLabels(KubeNames.APP_NAME_LABEL, "seid")
                    .addToLabels(KubeNames.APP_INSTANCE_LABEL, name).endMetadata()
                    .withNewSpec().addNewContainer().withName("seid").withImage(V5)
                    .withCommand("seid", "start", "--home", "/sei", "--halt-stay-alive")
                    .withPorts(new ContainerPortBuilder().withName("rpc").withContainerPort(26657).build())
                    .endContainer().endSpec().endTemplate().endSpec().build()).create();
            Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder()
                    .withNewMetadata().withName(name + "-0").withNamespace(NS).withUid(UUID.randomUUID().toString())
                    .addToLabels(KubeNames.APP_NAME_LABEL, "seid").addToLabels(KubeNames.APP_INSTANCE_LABEL, name)
                    .addToAnnotations(KubeNames.STATUS_URL_ANNOTATION, seid.statusUrl().toString())
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                            .withName(name).withUid(sts.getMetadata().getUid()).withController(true).build())
                    .endMetadata()
                    .withSpec(sts.getSpec().getTemplate().getSpec())
                    .build()).create();
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
                    .withPodIP("127.0.0.1").addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .addNewContainerStatus().withName("seid").withImage(V5).withReady(true).withStarted(true)
                    .withRestartCount(0).withContainerID("containerd://" + name + "-1")
                    .withNewState().withNewRunning().withStartedAt(Instant.now().toString()).endRunning().endState()
                    .endContainerStatus().build());
            client.pods().inNamespace(NS).resource(pod).updateStatus();
            nodes.add(seid);
        }
        return nodes;
    }

    private static void awaitReady(Components components, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!components.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the components were not ready within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ------------------------------------------------------------------ load and observation

    /** Heartbeats and pod states of 10,000 other nodes at {@code perSecond}, as the pollers' producer sends. */
    private static void loadGenerate(String bootstrap, int perSecond, AtomicBoolean stop, AtomicLong sent) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            long n = 0;
            while (!stop.get()) {
                long due = start + n * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 1_000_000) {
                    Thread.sleep(wait / 1_000_000);
                    continue;
                }
                int node = (int) (n % 10_000);
                String id = "load/node-" + node;
                Instant now = Instant.now();
                byte[] value = n % 5 == 0
                        ? Topics.NODE_OBSERVATIONS.valueSerde().serializer().serialize(Topics.NODE_OBSERVATIONS.name(),
                                PodStateObserved.of(id, now, "node-" + node + "-0", "uid-" + node, V5, true, "Running",
                                        0, null, false, false))
                        : Topics.NODE_OBSERVATIONS.valueSerde().serializer().serialize(Topics.NODE_OBSERVATIONS.name(),
                                NodeStatusObserved.of(id, now, NodeStatusObserved.Change.HEARTBEAT, 900_000L + n,
                                        "v5.9.0", false, "node-" + node + "-0"));
                producer.send(new ProducerRecord<>(Topics.NODE_OBSERVATIONS.name(), id, value));
                sent.incrementAndGet();
                n++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** When each node's first decision became visible to a read_committed consumer in this JVM. */
    private static void watchDecisions(String bootstrap, Map<String, Long> seen, AtomicBoolean stop) {
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
            consumer.subscribe(List.of(Topics.DECISIONS.name()));
            while (!stop.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(20))) {
                    seen.putIfAbsent(r.key(), System.currentTimeMillis());
                }
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-latency-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10), new StringDeserializer(), new StringDeserializer());
    }

    /** Reads a topic from the start to its current end. */
    private static List<ConsumerRecord<String, String>> readAll(String bootstrap, String topic) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
            var tps = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            var end = consumer.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static List<ActionResultRecorded> actionResults(String bootstrap) {
        List<ActionResultRecorded> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : readAll(bootstrap, Topics.ACTION_RESULTS.name())) {
            ActionResultRecorded a = Topics.ACTION_RESULTS.valueSerde().deserializer()
                    .deserialize(r.topic(), r.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    /** Per upgrade decision, first step result to last: how long the actuator is busy with one. */
    private static double[] actuatorBusy(List<ActionResultRecorded> results) {
        Map<String, Instant[]> spans = new HashMap<>();
        for (ActionResultRecorded a : results) {
            if ("upgrade".equals(a.decisionKind())) {
                spans.merge(a.decisionId(), new Instant[] {a.recordedAt(), a.recordedAt()}, (x, y) -> new Instant[] {
                    x[0].isBefore(y[0]) ? x[0] : y[0], x[1].isAfter(y[1]) ? x[1] : y[1]});
            }
        }
        return sorted(spans.values().stream().map(v -> ms(v[0], v[1])).toList());
    }

    private static Map<String, Instant> setImageResults(List<ActionResultRecorded> results) {
        Map<String, Instant> out = new HashMap<>();
        for (ActionResultRecorded a : results) {
            if ("set-image".equals(a.step()) && "upgrade".equals(a.decisionKind())
                    && (a.outcome() == ActionResultRecorded.Outcome.APPLIED
                    || a.outcome() == ActionResultRecorded.Outcome.ALREADY_APPLIED)) {
                out.putIfAbsent(a.nodeId(), a.recordedAt());
            }
        }
        return out;
    }

    private static Map<String, Instant> firstHaltPolls(String bootstrap) {
        Map<String, Instant> out = new HashMap<>();
        for (ConsumerRecord<String, String> r : readAll(bootstrap, Topics.HALT_OBSERVATIONS.name())) {
            HaltObserved h = Topics.HALT_OBSERVATIONS.valueSerde().deserializer()
                    .deserialize(r.topic(), r.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (h != null && h.source() == ObservationSource.STATUS) {
                out.merge(h.nodeId(), h.observedAt(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        return out;
    }

    /**
     * Polls the simulated endpoints answered between two instants (waited for), per replica: the height-aware one's
     * nodes and the baseline's; and this process's CPU meanwhile, in cores.
     */
    private record PollCounts(long aware, int awareNodes, long baseline, int baselineNodes, Duration over,
            double cpuCores) {
        static PollCounts over(List<SimulatedSeid> nodes, Shard aware, Instant from, Instant to)
                throws InterruptedException {
            sleepUntil(from);
            long[] start = nodes.stream().mapToLong(SimulatedSeid::requests).toArray();
            long cpu0 = processCpuNanos();
            long wall0 = System.nanoTime();
            sleepUntil(to);
            double cpuCores = (processCpuNanos() - cpu0) / (double) Math.max(1, System.nanoTime() - wall0);
            long a = 0;
            long b = 0;
            int an = 0;
            for (int i = 0; i < nodes.size(); i++) {
                long n = nodes.get(i).requests() - start[i];
                if (aware.owns(nodeId(i))) {
                    a += n;
                    an++;
                } else {
                    b += n;
                }
            }
            return new PollCounts(a, an, b, nodes.size() - an, Duration.between(from, to), cpuCores);
        }

        double awareRate() {
            return aware / (over.toNanos() / 1e9);
        }

        double baselineRate() {
            return baseline / (over.toNanos() / 1e9);
        }

        double awarePerNode() {
            return awareNodes == 0 ? Double.NaN : awareRate() / awareNodes;
        }

        double baselinePerNode() {
            return baselineNodes == 0 ? Double.NaN : baselineRate() / baselineNodes;
        }
    }

    private static void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    // ------------------------------------------------------------------ report

    private static void report(PrintStream out, Options o, Map<String, Instant> flipped, Map<String, Instant> polled,
            Map<String, Long> decisionSeen, Map<String, Instant> patched, double loadRate, double[] busy, Shard aware,
            PollCounts steady, PollCounts window, long windowBlocks, double steadyCpu) {
        List<Double> nearHeight = new ArrayList<>();
        List<Double> baseline = new ArrayList<>();
        List<Double> nearDetect = new ArrayList<>();
        List<Double> baselineDetect = new ArrayList<>();
        List<Double> total = new ArrayList<>();
        List<Double> toDecision = new ArrayList<>();
        List<Double> toPatch = new ArrayList<>();
        List<Double> detection = new ArrayList<>();
        List<Double> allTold = new ArrayList<>();
        int missing = 0;
        for (Map.Entry<String, Instant> f : flipped.entrySet()) {
            String node = f.getKey();
            Instant poll = polled.get(node);
            Instant patch = patched.get(node);
            if (poll == null || patch == null) {
                missing++;
                continue;
            }
            total.add(ms(poll, patch));
            detection.add(ms(f.getValue(), poll));
            allTold.add(ms(f.getValue(), patch));
            (aware.owns(node) ? nearHeight : baseline).add(ms(f.getValue(), patch));
            (aware.owns(node) ? nearDetect : baselineDetect).add(ms(f.getValue(), poll));
            Long seen = decisionSeen.get(node);
            if (seen != null) {
                toDecision.add(ms(poll, Instant.ofEpochMilli(seen)));
                toPatch.add(ms(Instant.ofEpochMilli(seen), patch));
            }
        }
        double[] t = sorted(total);
        double[] d = sorted(toDecision);
        double[] p = sorted(toPatch);
        double[] det = sorted(detection);
        out.printf(Locale.ROOT, "  background load: %,.0f observations/s achieved (asked %,d/s)%n", loadRate, o.load);
        out.printf(Locale.ROOT, "  incidents measured: %d of %d (%d without a poll or a patch within %d s)%n",
                t.length, flipped.size(), missing, DRAIN.toSeconds());
        out.printf(Locale.ROOT, "  poll response -> patch acknowledged: p50 %.0f ms, p99 %.0f ms, max %.0f ms "
                + "(target p99 <= %.0f ms: %s)%n", pct(t, 0.50), pct(t, 0.99), max(t), TARGET_P99_MS,
                pct(t, 0.99) <= TARGET_P99_MS && missing == 0 ? "met" : "NOT met");
        out.printf(Locale.ROOT, "    of which poll response -> decision visible (read_committed): p50 %.0f ms, "
                + "p99 %.0f ms, max %.0f ms%n", pct(d, 0.50), pct(d, 0.99), max(d));
        out.printf(Locale.ROOT, "    and decision visible -> patch acknowledged: p50 %.0f ms, p99 %.0f ms, max %.0f ms"
                + "%n", pct(p, 0.50), pct(p, 0.99), max(p));
        out.printf(Locale.ROOT, "    (the actuator is busy %.0f ms p50 / %.0f ms p99 with each upgrade, first result "
                + "to last: set-image, delete-pod, condition, event; up to ACTUATOR_CONCURRENCY nodes at once)%n",
                pct(busy, 0.50), pct(busy, 0.99));
        out.printf(Locale.ROOT, "  apart, detection (interval %d s, jitter 10 %%; both replicas): halt shown -> poll "
                + "response p50 %.0f ms, p99 %.0f ms, max %.0f ms; for comparison sei-k8s-controller requeues every "
                + "30 s and cosmos-operator polls /status every 60 s%n", o.interval.toSeconds(), pct(det, 0.50),
                pct(det, 0.99), max(det));
        double[] all = sorted(allTold);
        out.printf(Locale.ROOT, "  halt shown -> patch acknowledged, all told: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                pct(all, 0.50), pct(all, 0.99), max(all));
        double[] near = sorted(nearHeight);
        double[] base = sorted(baseline);
        double[] nd = sorted(nearDetect);
        double[] bd = sorted(baselineDetect);
        out.printf(Locale.ROOT, "  halt shown at the v6 height -> patch acknowledged, detection included:%n");
        out.printf(Locale.ROOT, "    height-aware replica (%d incidents; %d blocks at %d ms = %.0f s of window, 500 ms "
                + "polls): p50 %.0f ms, p99 %.0f ms, max %.0f ms (detection p50 %.0f / p99 %.0f ms) (target p99 <= "
                + "%.0f ms: %s)%n", near.length, windowBlocks, o.blockTime.toMillis(),
                windowBlocks * o.blockTime.toMillis() / 1000.0, pct(near, 0.50), pct(near, 0.99), max(near),
                pct(nd, 0.50), pct(nd, 0.99), TARGET_NEAR_HEIGHT_P99_MS,
                pct(near, 0.99) <= TARGET_NEAR_HEIGHT_P99_MS ? "met" : "NOT met");
        out.printf(Locale.ROOT, "    baseline replica, height awareness off (%d incidents): p50 %.0f ms, p99 %.0f ms, "
                + "max %.0f ms (detection p50 %.0f / p99 %.0f ms)%n", base.length, pct(base, 0.50), pct(base, 0.99),
                max(base), pct(bd, 0.50), pct(bd, 0.99));
        out.printf(Locale.ROOT, "  polls/s at the endpoints: steady state (%.0f s, no upgrade near): height-aware %.1f "
                + "(%.3f per node), baseline %.1f (%.3f per node); while nodes approach the height (%.0f s): "
                + "height-aware %.1f (%.3f per node), baseline %.1f (%.3f per node)%n",
                steady.over().toMillis() / 1000.0, steady.awareRate(), steady.awarePerNode(), steady.baselineRate(),
                steady.baselinePerNode(), window.over().toMillis() / 1000.0, window.awareRate(),
                window.awarePerNode(), window.baselineRate(), window.baselinePerNode());
        out.printf(Locale.ROOT, "  CPU of the whole run's process (broker, pollers, decider, actuator, simulated fleet): "
                + "%.2f cores in the steady state, %.2f while nodes approach and reach the height%n", steadyCpu,
                window.cpuCores());
        out.println("  " + BenchSupport.loadAverage());
        out.printf(Locale.ROOT, "name=latency rate=%.1f p50_ms=%.0f p99_ms=%.0f max_ms=%.0f incidents=%d "
                + "load_rate=%.0f poll_interval_ms=%d detect_p99_ms=%.0f near_height_detect_to_patch_p99_ms=%.0f "
                + "baseline_detect_to_patch_p99_ms=%.0f window_poll_rate=%.1f steady_poll_rate=%.1f "
                + "baseline_window_poll_rate=%.1f baseline_steady_poll_rate=%.1f block_time_ms=%d steady_cpu_cores=%.2f%n",
                1000.0 / o.every.toMillis(), pct(t, 0.50), pct(t, 0.99), max(t), t.length, loadRate,
                o.interval.toMillis(), pct(det, 0.99), pct(near, 0.99), pct(base, 0.99), window.awareRate(),
                steady.awareRate(), window.baselineRate(), steady.baselineRate(), o.blockTime.toMillis(), steadyCpu);
    }

    /** CPU time used by this process so far (all threads), in nanoseconds. */
    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        throw new IllegalStateException("this JVM does not report its process CPU time");
    }

    private static double ms(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    private static double[] sorted(List<Double> values) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a;
    }

    private static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)];
    }

    private static double max(double[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    /** Command-line options. */
    private record Options(int incidents, Duration every, int load, Duration interval, int partitions,
            Duration blockTime, Duration steady) {
        static Options parse(String[] args) {
            int incidents = 220;
            Duration every = Duration.ofMillis(300);
            int load = 1000;
            Duration interval = Duration.ofSeconds(5);
            int partitions = 4;
            Duration blockTime = Duration.ofMillis(400);
            Duration steady = Duration.ofSeconds(10);
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                try {
                    switch (flag) {
                        case "--incidents" -> incidents = Integer.parseInt(value);
                        case "--every" -> every = io.haltsupervisor.pollers.PollersConfig.parseDuration(flag, value);
                        case "--load" -> load = Integer.parseInt(value);
                        case "--interval" -> interval = io.haltsupervisor.pollers.PollersConfig.parseDuration(flag,
                                value);
                        case "--partitions" -> partitions = Integer.parseInt(value);
                        case "--block-time" -> blockTime = io.haltsupervisor.pollers.PollersConfig.parseDuration(flag,
                                value);
                        case "--steady" -> steady = io.haltsupervisor.pollers.PollersConfig.parseDuration(flag, value);
                        default -> throw new IllegalArgumentException("unknown option " + flag);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(flag + ": expected a positive integer, got '" + value + "'");
                }
            }
            if (incidents < 1 || load < 1 || partitions < 1 || every.isZero() || every.isNegative()) {
                throw new IllegalArgumentException("--incidents, --load, --partitions >= 1 and --every > 0");
            }
            if (steady.compareTo(Duration.ofSeconds(2)) < 0) {
                throw new IllegalArgumentException("--steady: expected at least 2s, got " + steady.toMillis() + "ms");
            }
            return new Options(incidents, every, load, interval, partitions, blockTime, steady);
        }
    }
}
