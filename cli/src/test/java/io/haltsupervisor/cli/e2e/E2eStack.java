package io.haltsupervisor.cli.e2e;

import io.haltsupervisor.schemas.KubeNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.haltsupervisor.cli.Components;
import io.haltsupervisor.cli.Supervisor;
import io.haltsupervisor.sandbox.fleet.ChainModel;
import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import io.haltsupervisor.sandbox.kafka.KafkaFixture;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.pager.AlertmanagerLauncher;
import io.haltsupervisor.sandbox.pager.PagerDutyReceiver;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One supervisor under test, wired as in production: a broker from {@link KafkaFixture} (on this machine the
 * embedded KRaft broker) with every topic, the in-memory Kubernetes API, a simulated fleet with real loopback
 * {@code /status} servers, a loopback PagerDuty Events API, a real Alertmanager, and the pollers, decider and
 * actuator started by {@link Components#start} from an
 * environment map — the code path of {@code supervisor all}, threads in this JVM. A test class starts one stack
 * and shares it between its scenarios (distinct node names keep them apart); a configuration that differs
 * (dry-run, breaker threshold) needs its own stack, since the topic names are fixed and two deciders or two
 * actuators on one broker would both act on every record.
 */
final class E2eStack implements AutoCloseable {
    static final String NAMESPACE = SimulatedFleet.NAMESPACE;
    static final String MAPPING_CONFIGMAP = "seid-image-mappings";
    static final String ROUTING_KEY = "e2e-routing-key-0123456789abcdef";
    /** How long any one step of a story may take on a loaded 2-core CI machine; typically well under 5 s. */
    static final Duration PATIENCE = Duration.ofSeconds(45);
    static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    static final Duration FLEET_TICK = Duration.ofMillis(200);
    static final Duration BLOCK_TIME = Duration.ofMillis(100);
    /** The simulated kubelet's first crash-loop back-off (doubling to 8×): five restarts take about 3 s. */
    static final Duration RESTART_BACKOFF = Duration.ofMillis(100);

    private static final Logger LOG = LoggerFactory.getLogger(E2eStack.class);
    /** Held so that its level sticks (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger MOCK_SERVER_JUL =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        // fabric8's mock server logs every request (java.util.logging, INFO): route it to SLF4J as main does, and
        // keep only its warnings — the sandbox's logback-test.xml, first on this classpath, lets INFO through
        if (!org.slf4j.bridge.SLF4JBridgeHandler.isInstalled()) {
            org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
            org.slf4j.bridge.SLF4JBridgeHandler.install();
        }
        if (LoggerFactory.getLogger("io.fabric8.mockwebserver") instanceof ch.qos.logback.classic.Logger mock) {
            mock.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        MOCK_SERVER_JUL.setLevel(java.util.logging.Level.WARNING);
    }

    final KafkaFixture.Broker kafka;
    final InMemoryKubernetes kube;
    final SimulatedSeidServer seids;
    final PagerDutyReceiver pagerDuty;
    final AlertmanagerLauncher alertmanager;
    final TopicLog topics;
    final ClusterView cluster;
    final MeterRegistry registry;
    final Components components;
    private final Deque<AutoCloseable> resources;
    private final List<SimulatedFleet> fleets = new ArrayList<>();

    private E2eStack(Deque<AutoCloseable> resources, KafkaFixture.Broker kafka, InMemoryKubernetes kube,
            SimulatedSeidServer seids, PagerDutyReceiver pagerDuty, AlertmanagerLauncher alertmanager, TopicLog topics,
            ClusterView cluster, MeterRegistry registry, Components components) {
        this.resources = resources;
        this.registry = registry;
        this.kafka = kafka;
        this.kube = kube;
        this.seids = seids;
        this.pagerDuty = pagerDuty;
        this.alertmanager = alertmanager;
        this.topics = topics;
        this.cluster = cluster;
        this.components = components;
    }

    /**
     * Starts everything and waits until the components are ready.
     *
     * @param name      names the decider application and the actuator group
     * @param mappings  the image-mapping ConfigMap's data at start ({@code plan → "IMAGE height=N"})
     * @param overrides environment settings on top of the suite's defaults
     */
    static E2eStack start(String name, Map<String, String> mappings, Map<String, String> overrides) {
        return start(name, mappings, overrides, new SimpleMeterRegistry());
    }

    /** {@link #start(String, Map, Map)} with the components' meters in {@code registry} (e.g. a Prometheus one). */
    static E2eStack start(String name, Map<String, String> mappings, Map<String, String> overrides,
            MeterRegistry registry) {
        long begin = System.nanoTime();
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            KafkaFixture.Broker kafka = KafkaFixture.start();
            resources.push(kafka);
            kafka.createTopics(3);

            InMemoryKubernetes kube = InMemoryKubernetes.start();
            resources.push(kube);
            kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                    .endMetadata().build()).create();
            kube.client().configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(MAPPING_CONFIGMAP).withNamespace(NAMESPACE)
                    .addToLabels(KubeNames.IMAGE_MAPPINGS_LABEL, "true").endMetadata()
                    .addToData(new LinkedHashMap<>(mappings)).build()).create();
            ClusterView cluster = new ClusterView(kube.client());
            resources.push(cluster);

            SimulatedSeidServer seids = SimulatedSeidServer.start(4);
            resources.push(seids);
            PagerDutyReceiver pagerDuty = PagerDutyReceiver.start();
            resources.push(pagerDuty);
            AlertmanagerLauncher alertmanager = AlertmanagerLauncher.start();
            resources.push(alertmanager);
            TopicLog topics = new TopicLog(kafka.bootstrapServers());
            resources.push(topics);

            Path stateDir = Files.createTempDirectory("e2e-decider-");
            resources.push(() -> deleteRecursively(stateDir));
            Map<String, String> env = new HashMap<>();
            env.put(KafkaClientConfig.ENV_BOOTSTRAP, kafka.bootstrapServers());
            env.put("POLLER_NAMESPACES", NAMESPACE);
            env.put("POLLER_ALLOW_STATUS_URL_ANNOTATION", "true");
            env.put("POLLER_INTERVAL", POLL_INTERVAL.toMillis() + "ms");
            env.put("POLLER_HEARTBEAT", "1s");
            env.put("POLLER_INSTANCE", "e2e-pollers");
            env.put("DECIDER_APPLICATION_ID", "e2e-" + name);
            env.put("DECIDER_STATE_DIR", stateDir.toString());
            env.put("ACTUATOR_GROUP_ID", "e2e-" + name + "-actuator");
            env.put("ACTUATOR_INSTANCE", "e2e-actuator");
            env.put("ACTUATOR_NAMESPACES", NAMESPACE);
            env.put("ACTUATOR_RETRY_INITIAL_BACKOFF", "100ms");
            env.put("ACTUATOR_RETRY_MAX_BACKOFF", "1s");
            env.put("ACTUATOR_RETRY_MAX_ATTEMPTS", "10");
            env.put("ACTUATOR_HTTP_TIMEOUT", "5s");
            // the simulated SeiNode controller rolls an image out in a few of its ticks: read its status often, and
            // fail a rollout that never comes well within the scenarios' patience
            env.put("ACTUATOR_ROLLOUT_POLL_INTERVAL", "100ms");
            env.put("ACTUATOR_ROLLOUT_TIMEOUT", "30s");
            // the rate limiter is not under test here; its default (30/min, burst 10) would make scenarios wait
            env.put("ACTUATOR_RATE_LIMIT_PER_MINUTE", "0");
            env.put("ACTUATOR_PAGERDUTY_URL", pagerDuty.url().toString());
            env.put("ACTUATOR_PAGERDUTY_ROUTING_KEY", ROUTING_KEY);
            env.put("ACTUATOR_ALERTMANAGER_URLS", alertmanager.url().toString());
            env.putAll(overrides);
            Components components = Components.start(Components.all(), env,
                    KafkaClientConfig.of(kafka.bootstrapServers()), registry, kube.client());
            resources.push(components);
            E2eStack stack = new E2eStack(resources, kafka, kube, seids, pagerDuty, alertmanager, topics, cluster,
                    registry, components);
            await("pollers, decider and actuator ready").atMost(Duration.ofSeconds(60)).until(components::ready);
            LOG.info("e2e stack {} ready in {} ms", name, Duration.ofNanos(System.nanoTime() - begin).toMillis());
            return stack;
        } catch (IOException e) {
            closeAll(resources);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            closeAll(resources);
            throw e;
        }
    }

    /** A fleet on this stack's API following {@code chain}, ticking in the background; see {@link #stopFleets}. */
    SimulatedFleet fleet(ChainModel chain) {
        SimulatedFleet fleet = new SimulatedFleet(kube.client(), seids, chain, BLOCK_TIME, RESTART_BACKOFF);
        synchronized (fleets) {
            fleets.add(fleet);
        }
        return fleet.start(FLEET_TICK);
    }

    /**
     * Stops the fleets' controllers and kubelets (a scenario's nodes stay as they are; their {@code /status}
     * keeps serving), so finished scenarios cost nothing.
     */
    void stopFleets() {
        synchronized (fleets) {
            fleets.forEach(SimulatedFleet::close);
            fleets.clear();
        }
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    // ------------------------------------------------------------------ pages

    /** The PagerDuty events (accepted) with this dedup key, in order. */
    List<JsonNode> pagerDutyEvents(String dedupKey) {
        return pagerDuty.events().stream().filter(e -> dedupKey.equals(e.path("dedup_key").asText())).toList();
    }

    /** The PagerDuty events (accepted) about the node: dedup keys of its incidents. */
    List<JsonNode> pagerDutyEventsAbout(String nodeId) {
        return pagerDuty.events().stream().filter(e -> e.path("dedup_key").asText().startsWith(nodeId + "#"))
                .toList();
    }

    /** {@code trigger}s about the node (any of its incidents, any page kind). */
    List<JsonNode> pagerDutyTriggersAbout(String nodeId) {
        return pagerDutyEventsAbout(nodeId).stream().filter(e -> "trigger".equals(e.path("event_action").asText()))
                .toList();
    }

    /**
     * PagerDuty received, for each dedup key about the node (or {@link Topics#FLEET_KEY}), one {@code trigger} per
     * recorded trigger step of that key (the incident's paging decisions, an action-failed page), followed by
     * exactly one {@code resolve} when the key's incident has a resolve (or fleet release) decision — and nothing
     * else: no resolve or acknowledge of a key that was never triggered, no second resolve. Returns the events by
     * key, for a scenario's own assertions.
     */
    Map<String, List<String>> assertPagerDutyResolvedExactlyWhatWasTriggered(String nodeId) {
        topics.awaitCaughtUp();
        java.util.Set<String> resolvedIncidents = new java.util.HashSet<>();
        topics.decisions(nodeId).stream().filter(d -> d instanceof Decision.IncidentResolved
                || d instanceof Decision.FleetReleased).forEach(d -> resolvedIncidents.add(d.incidentId()));
        Map<String, List<String>> expected = new java.util.TreeMap<>();
        List<ActionResultRecorded> results = topics.values(Topics.ACTION_RESULTS, nodeId, ActionResultRecorded.class);
        for (ActionResultRecorded r : results) {
            if (!r.outcome().isFinal() || !r.step().endsWith("-trigger:pagerduty")) {
                continue;
            }
            String key = r.step().startsWith("failure-page-") ? r.incidentId() + "/action-failed"
                    : r.step().startsWith("reverted-page-") ? r.incidentId() + "/reverted"
                    : "escalate".equals(r.decisionKind()) ? r.incidentId() + "/escalation" : r.incidentId();
            expected.computeIfAbsent(key, k -> new ArrayList<>()).add("trigger");
        }
        // a /reverted page lives with the node's hold: resolved by a release of the node, not by the incident's resolve
        boolean released = results.stream().anyMatch(r -> r.step().equals("reverted-page-resolve:pagerduty")
                && r.outcome().isFinal());
        expected.forEach((key, actions) -> {
            if (key.endsWith("/reverted") ? released
                    : resolvedIncidents.stream().anyMatch(i -> key.equals(i) || key.startsWith(i + "/"))) {
                actions.add("resolve");
            }
        });
        Map<String, List<String>> byKey = new java.util.TreeMap<>();
        pagerDutyEventsAbout(nodeId).forEach(e -> byKey.computeIfAbsent(e.path("dedup_key").asText(),
                k -> new ArrayList<>()).add(e.path("event_action").asText()));
        assertThat(byKey).as("PagerDuty events about %s by dedup_key (resolved incidents %s)", nodeId,
                resolvedIncidents).isEqualTo(expected);
        return byKey;
    }

    /** The alerts Alertmanager holds active with label {@code node=nodeId}. */
    List<JsonNode> activeAlerts(String nodeId) {
        return alertmanager.activeAlerts().stream()
                .filter(a -> nodeId.equals(a.path("labels").path("node").asText())).toList();
    }

    /** The alerts Alertmanager holds active with label {@code incident=incidentId}. */
    List<JsonNode> activeAlertsOfIncident(String incidentId) {
        return alertmanager.activeAlerts().stream()
                .filter(a -> incidentId.equals(a.path("labels").path("incident").asText())).toList();
    }

    // ------------------------------------------------------------------ the operator's CLI

    /** Runs {@code supervisor ARGS --bootstrap …} in this JVM, as an operator would; returns its output. */
    String supervisor(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap", bootstrapServers()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Supervisor.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(all.toArray(String[]::new));
        assertThat(exit).as("supervisor %s: %s", all, err).isZero();
        return out.toString();
    }

    // ------------------------------------------------------------------ what every scenario asserts

    /**
     * The node's whole decision log, read committed to its end, is exactly these decision ids, in this order:
     * each incident's decisions once, none duplicated, nothing else.
     */
    void assertDecisionLog(String nodeId, String... decisionIds) {
        topics.awaitCaughtUp();
        assertThat(topics.decisions(nodeId)).extracting(Decision::decisionId)
                .as("decision log of %s (read_committed)", nodeId).containsExactly(decisionIds);
    }

    /** No dead letter, and no record any topic's own serde cannot read. */
    void assertNoDeadLetters() {
        topics.awaitCaughtUp();
        assertThat(topics.entries(Topics.DEAD_LETTERS)).as("dead letters").isEmpty();
        assertThat(topics.unreadable()).as("unreadable records").isEmpty();
    }

    @Override
    public void close() {
        stopFleets();
        closeAll(resources);
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", r.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
