package io.haltsupervisor.devtools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.pollers.KafkaObservationSink;
import io.haltsupervisor.sandbox.kafka.KafkaCluster;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.pager.PagerDutyReceiver;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltCode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Partitioning;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover set-up shared by {@code bench failover} and its CI-sized acceptance test: a {@link KafkaCluster}
 * (three broker processes, replication factor 3, {@code min.insync.replicas=2}), decider and actuator instances
 * each in a process of its own ({@link FailoverChild}, so one can be SIGKILLed), the in-memory Kubernetes API
 * (fabric8's mock server: an in-memory API, not a real API server) and a PagerDuty receiver, all on loopback.
 *
 * <p>A halt source plays the pollers: through the pollers' own producer ({@link KafkaObservationSink},
 * {@code acks=all}) it writes, every {@code every}, a halt of a new node — even nodes a {@code /status} halt for
 * the mapped plan v6 (the decider decides an upgrade, the actuator patches the StatefulSet: a cluster change),
 * odd nodes an exit code 84 (the decider pages, the actuator triggers PagerDuty once). Each node's workload and
 * pod state are in place a few seconds before its halt. A publish that fails is published again, as the
 * pollers do at their next poll.
 *
 * <p>Observed, with the wall clock of this JVM: when each halt was observed; when its first decision became
 * visible to a {@code read_committed} consumer here, and how many decision records each node got; when the
 * actuator's {@code set-image} for it was applied ({@code recordedAt} of the result, stamped when the API server
 * answered); the PagerDuty events by {@code dedup_key}.
 */
public final class FailoverRig implements AutoCloseable {
    public static final String NS = "sei";
    public static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    public static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    static final long V6_HEIGHT = 1_000_000L;
    private static final int LOOKAHEAD = 25;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Logger LOG = LoggerFactory.getLogger(FailoverRig.class);

    /**
     * @param deciders    decider instances
     * @param actuators   actuator instances
     * @param partitions  partitions of every topic
     * @param every       one halt this often
     * @param componentEnv settings for every child (e.g. {@code DECIDER_SESSION_TIMEOUT}); win over the rig's
     * @param workDir     state directories and the children's logs
     * @param brokerOverrides server properties of the three brokers on top of {@link KafkaCluster}'s
     * @param trace       the children log Kafka's group, rebalance and transaction events (INFO) too
     */
    public record Options(int deciders, int actuators, int partitions, Duration every,
            Map<String, String> componentEnv, Path workDir, Map<String, String> brokerOverrides, boolean trace) {
        public Options {
            componentEnv = Map.copyOf(componentEnv);
            brokerOverrides = Map.copyOf(brokerOverrides);
        }

        /** Stock brokers, no trace. */
        public Options(int deciders, int actuators, int partitions, Duration every,
                Map<String, String> componentEnv, Path workDir) {
            this(deciders, actuators, partitions, every, componentEnv, workDir, Map.of(), false);
        }
    }

    /** A halt written by the source. */
    public record Halt(String nodeId, int code, int partition, long observedAtMs) {
        public boolean upgrade() {
            return code == 70;
        }
    }

    private final Options options;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final KafkaCluster cluster;
    private final InMemoryKubernetes kube;
    private final PagerDutyReceiver pager;
    private final Map<String, Child> children = new TreeMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean haltsOn = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, Halt> halts = new ConcurrentHashMap<>();
    private final Map<String, Long> decidedAt = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> decisionRecords = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> decisionIds = new ConcurrentHashMap<>();
    private final Map<String, Long> changedAt = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Runnable> republish = new ConcurrentLinkedQueue<>();
    private final AtomicInteger publishFailures = new AtomicInteger();
    private KafkaObservationSink sink;
    private int nextNode;
    private int nextWorkload;

    private FailoverRig(Options options) {
        this.options = options;
        this.cluster = new KafkaCluster(options.brokerOverrides());
        this.kube = InMemoryKubernetes.startWithoutSeiNodes();
        this.pager = PagerDutyReceiver.start();
    }

    /** Starts the cluster, the API, the pager and every instance, and returns once all instances are ready. */
    public static FailoverRig start(Options options) throws InterruptedException {
        FailoverRig rig = new FailoverRig(options);
        try {
            rig.startAll();
            return rig;
        } catch (RuntimeException | InterruptedException e) {
            rig.close();
            throw e;
        }
    }

    private void startAll() throws InterruptedException {
        try {
            Files.createDirectories(options.workDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cluster.start();
        cluster.createTopics(options.partitions());
        KubernetesClient client = kube.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create();
        sink = new KafkaObservationSink(clientConfig(), "failover-halts",
                new SimpleMeterRegistry());
        sink.publish(Topics.IMAGE_MAPPINGS, "v6", ImageMappingChanged.of("v6", V6, V6_HEIGHT,
                "configmap:sei/seid-image-mappings", Instant.now().minusSeconds(600))).join();
        for (int i = 0; i < options.deciders(); i++) {
            children.put(deciderName(i), new Child(deciderName(i), "decider", deciderEnv(i)));
        }
        for (int i = 0; i < options.actuators(); i++) {
            children.put(actuatorName(i), new Child(actuatorName(i), "actuator", actuatorEnv(i)));
        }
        children.values().forEach(Child::spawn);
        for (Child c : children.values()) {
            c.awaitReady(READY_TIMEOUT);
        }
        threads.add(daemon("failover-decisions", this::watchDecisions));
        threads.add(daemon("failover-results", this::watchResults));
        for (int i = 0; i < LOOKAHEAD; i++) {
            workload();
        }
        threads.add(daemon("failover-halts", this::writeHalts));
    }

    public static String deciderName(int i) {
        return "decider-" + i;
    }

    public static String actuatorName(int i) {
        return "actuator-" + i;
    }

    private Map<String, String> common() {
        Map<String, String> env = new HashMap<>();
        env.put(KafkaClientConfig.ENV_BOOTSTRAP, cluster.bootstrapServers());
        if (options.trace()) {
            env.put(FailoverChild.TRACE_ENV, "true");
        }
        return env;
    }

    private Map<String, String> deciderEnv(int i) {
        Map<String, String> env = common();
        env.put("DECIDER_APPLICATION_ID", "failover-" + run);
        env.put("DECIDER_STATE_DIR", options.workDir().resolve(deciderName(i)).toString());
        env.put("DECIDER_GRACE_WINDOW", "1h"); // no stay-alive timer fires during a run
        env.put("POD_NAME", deciderName(i));
        env.putAll(only(options.componentEnv(), "DECIDER_", "KAFKA_"));
        // DECIDER_KAFKA_CLIENT_X: a client setting for the deciders only (e.g. group.protocol=streams)
        only(options.componentEnv(), "DECIDER_KAFKA_CLIENT_").forEach(
                (k, v) -> env.put(k.substring("DECIDER_".length()), v));
        return env;
    }

    private Map<String, String> actuatorEnv(int i) {
        Map<String, String> env = common();
        env.put("ACTUATOR_GROUP_ID", "failover-actuator-" + run);
        env.put("ACTUATOR_INSTANCE", actuatorName(i));
        env.put("POD_NAME", actuatorName(i));
        env.put("ACTUATOR_NAMESPACES", NS);
        env.put("ACTUATOR_PAGERDUTY_URL", pager.url().toString());
        env.put("ACTUATOR_PAGERDUTY_ROUTING_KEY", "failover-routing-key");
        env.put("ACTUATOR_RATE_LIMIT_PER_MINUTE", "100000");
        env.put("ACTUATOR_RATE_LIMIT_BURST", "1000");
        env.put("ACTUATOR_RETRY_INITIAL_BACKOFF", "100ms");
        env.put("ACTUATOR_RETRY_MAX_BACKOFF", "1s");
        env.put(FailoverChild.KUBE_URL_ENV, kube.url());
        env.putAll(only(options.componentEnv(), "ACTUATOR_", "KAFKA_"));
        return env;
    }

    private static Map<String, String> only(Map<String, String> env, String... prefixes) {
        Map<String, String> out = new HashMap<>();
        env.forEach((k, v) -> {
            for (String p : prefixes) {
                if (k.startsWith(p)) {
                    out.put(k, v);
                }
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ faults

    public KafkaCluster cluster() {
        return cluster;
    }

    public PagerDutyReceiver pager() {
        return pager;
    }

    /** SIGKILLs an instance, no shutdown hook runs. */
    public void kill(String instance) throws InterruptedException {
        child(instance).stop(true);
    }

    /** SIGTERMs an instance and waits until it has shut down (its shutdown hook closes the component). */
    public void terminate(String instance) throws InterruptedException {
        child(instance).stop(false);
    }

    /** Starts a stopped instance again (same name, state directory and settings). */
    public void restart(String instance) {
        child(instance).spawn();
    }

    /** Waits until an instance says it is ready. */
    public void awaitReady(String instance, Duration timeout) throws InterruptedException {
        child(instance).awaitReady(timeout);
    }

    /** Waits until every instance says it is ready. */
    public void awaitAllReady(Duration timeout) throws InterruptedException {
        for (Child c : children.values()) {
            c.awaitReady(timeout);
        }
    }

    private Child child(String instance) {
        Child c = children.get(instance);
        if (c == null) {
            throw new IllegalArgumentException("instance: expected one of " + children.keySet() + ", got " + instance);
        }
        return c;
    }

    // ------------------------------------------------------------------ the halt source

    /** Starts (or resumes) writing one halt every {@code every}. */
    public void startHalts() {
        haltsOn.set(true);
    }

    /** Stops writing new halts (failed publishes are still published again). */
    public void stopHalts() {
        haltsOn.set(false);
    }

    private void writeHalts() {
        long period = options.every().toNanos();
        long next = System.nanoTime();
        while (!stopping.get()) {
            try {
                for (Runnable r; (r = republish.poll()) != null; ) {
                    r.run();
                }
                if (haltsOn.get()) {
                    workload();
                    halt();
                }
                next += period;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } else {
                    next = System.nanoTime();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("failover halt source: {}", e.toString());
            }
        }
    }

    private static String nodeName(int n) {
        return "failover-" + n;
    }

    /** The StatefulSet and pod of the node {@value #LOOKAHEAD} halts ahead, and its pod state observation. */
    private void workload() {
        int n = nextWorkload++;
        String name = nodeName(n);
        KubernetesClient client = kube.client();
        client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(1).withNewTemplate().withNewSpec()
                .addNewContainer().withName("seid").withImage(V5).endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        String uid = client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name + "-0")
                .withNamespace(NS).endMetadata().withNewSpec().addNewContainer().withName("seid").withImage(V5)
                .endContainer().endSpec().build()).create().getMetadata().getUid();
        String node = NS + "/" + name;
        publish(() -> sink.publish(Topics.NODE_OBSERVATIONS, node, PodStateObserved.of(node, Instant.now(),
                name + "-0", uid, V5, true, "Running", 0, null, false, false)));
    }

    private void halt() {
        int n = nextNode++;
        String name = nodeName(n);
        String node = NS + "/" + name;
        Instant now = Instant.now();
        int code = n % 2 == 0 ? 70 : 84;
        halts.put(node, new Halt(node, code, Partitioning.partitionOf(node, options.partitions()), now.toEpochMilli()));
        if (code == 70) {
            HaltObserved h = HaltObserved.fromStatus(node, new HaltIntent(70, null, "v6", V6_HEIGHT, null,
                    now.minusSeconds(30)), now, name + "-0", V5, V6_HEIGHT, "v5.9.0");
            publish(() -> sink.publish(Topics.HALT_OBSERVATIONS, node, h));
        } else {
            HaltObserved h = HaltObserved.fromExitCode(node, new HaltCode(84), now, name + "-0", null,
                    "containerd://" + name + "-1", 1, now.minusSeconds(1), V5);
            publish(() -> sink.publish(Topics.HALT_OBSERVATIONS, node, h));
        }
    }

    /** Publishes; on failure publishes the same observation again from the source's thread, as a poller would. */
    private void publish(java.util.function.Supplier<java.util.concurrent.CompletableFuture<Void>> send) {
        send.get().whenComplete((ok, error) -> {
            if (error != null) {
                publishFailures.incrementAndGet();
                republish.add(() -> publish(send));
            }
        });
    }

    // ------------------------------------------------------------------ watching

    /**
     * The client settings of the halt source (the pollers' producer) and the watchers: the components'
     * ({@code KAFKA_CLIENT_*} of {@code componentEnv}), so a broker fault is seen with the same client retries and
     * backoffs as the components have (the watchers stand for the actuator reading the decisions).
     */
    private KafkaClientConfig clientConfig() {
        Map<String, String> env = new HashMap<>(only(options.componentEnv(), KafkaClientConfig.ENV_PREFIX));
        env.put(KafkaClientConfig.ENV_BOOTSTRAP, cluster.bootstrapServers());
        return KafkaClientConfig.fromEnv(env);
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Map<String, Object> props = clientConfig().toMap();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private List<TopicPartition> assignFromStart(KafkaConsumer<String, byte[]> consumer, String topic) {
        List<TopicPartition> tps = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        return tps;
    }

    private void watchDecisions() {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            assignFromStart(consumer, Topics.DECISIONS.name());
            while (!stopping.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.currentTimeMillis();
                    Decision d = Topics.DECISIONS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    if (d == null || !d.nodeId().startsWith(NS + "/failover-")) {
                        continue;
                    }
                    decidedAt.putIfAbsent(d.nodeId(), now);
                    decisionRecords.computeIfAbsent(d.nodeId(), k -> new AtomicInteger()).incrementAndGet();
                    decisionIds.computeIfAbsent(d.nodeId(), k -> ConcurrentHashMap.newKeySet()).add(d.decisionId());
                }
            }
        } catch (RuntimeException e) {
            if (!stopping.get()) {
                LOG.error("failover decision watcher failed", e);
            }
        }
    }

    private void watchResults() {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            assignFromStart(consumer, Topics.ACTION_RESULTS.name());
            while (!stopping.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    ActionResultRecorded a = Topics.ACTION_RESULTS.valueSerde().deserializer()
                            .deserialize(r.topic(), r.value());
                    if (a != null && a.nodeId() != null && "set-image".equals(a.step())
                            && (a.outcome() == ActionResultRecorded.Outcome.APPLIED
                            || a.outcome() == ActionResultRecorded.Outcome.ALREADY_APPLIED)) {
                        changedAt.merge(a.nodeId(), a.recordedAt().toEpochMilli(), Math::min);
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!stopping.get()) {
                LOG.error("failover results watcher failed", e);
            }
        }
    }

    /** The halts written so far, by node. */
    public Map<String, Halt> halts() {
        return Map.copyOf(halts);
    }

    /** When each node's first decision became visible here (epoch ms). */
    public Map<String, Long> decidedAt() {
        return Map.copyOf(decidedAt);
    }

    /** When the actuator's set-image was applied, by node (epoch ms). */
    public Map<String, Long> changedAt() {
        return Map.copyOf(changedAt);
    }

    /** Decision records per node (exactly one each is right). */
    public Map<String, Integer> decisionRecords() {
        Map<String, Integer> out = new TreeMap<>();
        decisionRecords.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Distinct decision ids per node. */
    public Map<String, Integer> distinctDecisions() {
        Map<String, Integer> out = new TreeMap<>();
        decisionIds.forEach((k, v) -> out.put(k, v.size()));
        return out;
    }

    /** PagerDuty {@code trigger} events by {@code dedup_key}. */
    public Map<String, Long> triggersByIncident() {
        return pager.events().stream().filter(e -> "trigger".equals(e.path("event_action").asText()))
                .collect(Collectors.groupingBy((JsonNode e) -> e.path("dedup_key").asText(), TreeMap::new,
                        Collectors.counting()));
    }

    /**
     * Pages by {@code dedup_key} as PagerDuty counts them: a {@code trigger} opens an alert unless one with its key is
     * open (a repeated trigger joins the open alert and notifies no one), a {@code resolve} closes it. A trigger
     * re-sent after a crash with the same key is one page; a trigger after a resolve is a second.
     */
    public Map<String, Long> pagesByIncident() {
        Map<String, Long> pages = new TreeMap<>();
        Map<String, Boolean> open = new java.util.HashMap<>();
        for (JsonNode e : pager.events()) {
            String key = e.path("dedup_key").asText();
            String action = e.path("event_action").asText();
            if ("trigger".equals(action) && !open.getOrDefault(key, false)) {
                pages.merge(key, 1L, Long::sum);
                open.put(key, true);
            } else if ("resolve".equals(action)) {
                open.put(key, false);
            }
        }
        return pages;
    }

    public int publishFailures() {
        return publishFailures.get();
    }

    /**
     * True once every halt observed before {@code beforeMs} is decided and, unless {@code decisionsOnly}, every
     * such upgrade acted on.
     */
    public boolean caughtUp(long beforeMs, boolean decisionsOnly) {
        for (Halt h : halts.values()) {
            if (h.observedAtMs() < beforeMs && (!decidedAt.containsKey(h.nodeId()) || !decisionsOnly
                    && h.upgrade() && options.actuators() > 0 && !changedAt.containsKey(h.nodeId()))) {
                return false;
            }
        }
        return republish.isEmpty();
    }

    /** Waits until everything observed until now is decided and acted on; false on timeout. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return awaitCaughtUp(timeout, false);
    }

    /** Waits until everything observed until now is decided (and, unless {@code decisionsOnly}, acted on). */
    public boolean awaitCaughtUp(Duration timeout, boolean decisionsOnly) throws InterruptedException {
        return awaitCaughtUp(timeout, decisionsOnly, System.currentTimeMillis());
    }

    /** Waits until everything observed before {@code before} (epoch ms) is decided (and acted on, as above). */
    public boolean awaitCaughtUp(Duration timeout, boolean decisionsOnly, long before) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!caughtUp(before, decisionsOnly)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() {
        stopping.set(true);
        for (Thread t : threads) {
            try {
                t.join(5_000); // each loop looks at stopping at least every 200 ms
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            t.interrupt();
        }
        for (Child c : children.values()) {
            try {
                c.stop(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (sink != null) {
            sink.close(Duration.ofSeconds(2));
        }
        pager.close();
        kube.close();
        cluster.close();
    }

    /** One instance's process: its output appended to {@code <name>.log}, READY / NOT_READY lines followed. */
    private final class Child {
        private final String name;
        private final String kind;
        private final Map<String, String> env;
        private final Path log;
        private volatile Process process;
        private volatile boolean ready;
        private volatile int incarnation;

        Child(String name, String kind, Map<String, String> env) {
            this.name = name;
            this.kind = kind;
            this.env = env;
            this.log = options.workDir().resolve(name + ".log");
        }

        synchronized void spawn() {
            if (process != null && process.isAlive()) {
                throw new IllegalStateException(name + " is running");
            }
            ready = false;
            int inc = ++incarnation;
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), FailoverChild.class.getName(), kind);
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(env);
            try {
                Process p = pb.start();
                process = p;
                Thread pump = new Thread(() -> pump(p, inc), "failover-child-" + name + "-" + inc);
                pump.setDaemon(true);
                pump.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name, e);
            }
        }

        private void pump(Process p, int inc) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                         StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
                out.println("===== " + name + " incarnation " + inc + " (pid " + p.pid() + ") =====");
                for (String line; (line = in.readLine()) != null; ) {
                    out.println(line);
                    if (inc == incarnation) {
                        if (line.equals("READY")) {
                            ready = true;
                        } else if (line.equals("NOT_READY")) {
                            ready = false;
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }

        void awaitReady(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!ready) {
                Process p = process;
                if (p == null || !p.isAlive()) {
                    throw new IllegalStateException(name + " exited before it was ready (see " + log + ")");
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " not ready within " + timeout + " (see " + log + ")");
                }
                Thread.sleep(20);
            }
        }

        void stop(boolean forcibly) throws InterruptedException {
            Process p = process;
            if (p == null || !p.isAlive()) {
                return;
            }
            ready = false;
            if (forcibly) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
            if (!p.waitFor(forcibly ? 30 : 60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }

        Optional<Long> pid() {
            Process p = process;
            return p != null && p.isAlive() ? Optional.of(p.pid()) : Optional.empty();
        }
    }
}
