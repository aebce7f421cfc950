package io.haltsupervisor.pollers;

import io.haltsupervisor.pollers.mappings.UpgradeHeights;
import io.haltsupervisor.pollers.mappings.MappingSync;
import io.haltsupervisor.pollers.mappings.MappingTopic;
import io.haltsupervisor.pollers.pods.ControllerImages;
import io.haltsupervisor.pollers.pods.KubernetesOwnerLookup;
import io.haltsupervisor.pollers.pods.PodDispatcher;
import io.haltsupervisor.pollers.pods.PodWatcher;
import io.haltsupervisor.pollers.status.StatusFetcher;
import io.haltsupervisor.pollers.status.StatusPoller;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpHandler;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.KafkaAccess;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pollers component: the status poller, the pod watcher and the image-mapping sync, publishing through one
 * idempotent producer ({@code acks=all}).
 *
 * <p>One pods informer per namespace (or one over all namespaces) with the label selector feeds both the
 * pod watcher and the status poller's targets ({@link PodDispatcher}); ConfigMap informers with the mapping
 * label feed the mapping sync, which runs on ordinal 0 only. {@link #ready()} once the informers have
 * listed and the mapping sync has read its topic and reconciled once; {@link #healthy()} while the
 * informers and the scheduler run.
 *
 * <p>Needs RBAC {@code get/list/watch} on pods and ConfigMaps, {@code get} on StatefulSets, ReplicaSets and
 * Deployments, and {@code create} on {@code events.k8s.io} events, in the watched namespaces.
 */
public final class PollersService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PollersService.class);
    private static final Duration ACL_CHECK_TIMEOUT = Duration.ofSeconds(20);

    private final PollersConfig config;
    private final KafkaClientConfig kafka;
    private final MeterRegistry registry;
    private final KubernetesClient kube;
    private final Clock clock;
    private final List<SharedIndexInformer<Pod>> podInformers = new ArrayList<>();
    private final List<SharedIndexInformer<ConfigMap>> configMapInformers = new ArrayList<>();
    private KafkaObservationSink sink;
    private ScheduledThreadPoolExecutor scheduler;
    private StatusFetcher fetcher;
    private volatile StatusPoller poller;
    private PodWatcher watcher;
    private MappingSync mappingSync;
    private volatile boolean started;
    private volatile boolean closed;

    public PollersService(PollersConfig config, KafkaClientConfig kafka, MeterRegistry registry,
            KubernetesClient kube) {
        this(config, kafka, registry, kube, Clock.systemUTC());
    }

    PollersService(PollersConfig config, KafkaClientConfig kafka, MeterRegistry registry, KubernetesClient kube,
            Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.kube = Objects.requireNonNull(kube, "kube");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Starts the producer, the informers, the poller and the mapping sync; returns without waiting for them. */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException("PollersService can be started once");
        }
        started = true;
        Shard shard = config.shard();
        LOG.info("pollers starting: {} shard {}/{} namespaces {} selector '{}'", config, shard.ordinal(),
                shard.replicas(), config.allNamespaces() ? "(all)" : config.namespaces(), config.labelSelector());
        Acls.Principal principal = principal(config.mappingSync() && shard.leader());
        checkTopicAcls(principal);
        sink = new KafkaObservationSink(kafka, "halt-supervisor-pollers-" + config.ordinal(), registry, principal);
        scheduler = StatusPoller.newScheduler();
        fetcher = new StatusFetcher(config.connectTimeout(), config.readTimeout(), config.maxResponseBytes(),
                config.httpThreads(), scheduler);
        PollerMetrics metrics = new PollerMetrics(registry, () -> poller == null ? 0 : poller.targetCount(),
                config.pollerSettings().interval());
        poller = new StatusPoller(config.pollerSettings(), config.heightWindow(), fetcher::fetch, sink, metrics, clock,
                scheduler);
        WarningEvents events = new WarningEvents(kube, config.instance(), clock);
        watcher = new PodWatcher(config.containerName(), sink, events, registry, clock);
        PodDispatcher dispatcher = new PodDispatcher(config.targetSettings(),
                new KubernetesOwnerLookup(kube, Duration.ofMinutes(1)), new ControllerImages(kube)::currentImage, shard,
                poller, watcher, scheduler);
        for (Informable<Pod> pods : podScopes()) {
            SharedIndexInformer<Pod> informer = pods.runnableInformer(0);
            informer.addEventHandler(dispatcher);
            informer.exceptionHandler((isStarted, t) -> {
                LOG.warn("pods informer: {}; retrying", t.toString());
                return true;
            });
            podInformers.add(informer);
        }
        boolean heightAware = config.heightWindow().enabled();
        if ((config.mappingSync() && shard.leader()) || heightAware) {
            for (Informable<ConfigMap> cms : configMapScopes()) {
                SharedIndexInformer<ConfigMap> informer = cms.runnableInformer(0);
                configMapInformers.add(informer);
            }
        }
        if (heightAware) {
            UpgradeHeights heights = new UpgradeHeights(this::configMaps, poller::upgradeHeights);
            configMapInformers.forEach(i -> i.addEventHandler(heights));
            LOG.info("height-aware polling: pods within {} blocks of a mapped upgrade height are polled every {} "
                    + "(at most {} at a time, for at most {} per height)", config.heightWindow().blocks(),
                    StatusFetcher.human(config.heightWindow().fastInterval()), config.heightWindow().maxFast(),
                    StatusFetcher.human(config.heightWindow().ceiling()));
        } else {
            LOG.info("height-aware polling off (POLLER_FAST_WINDOW_BLOCKS=0)");
        }
        if (config.mappingSync() && shard.leader()) {
            mappingSync = new MappingSync(timeout -> MappingTopic.read(kafka, timeout,
                    w -> LOG.warn("mapping sync: {}", w)), sink, events, registry, clock, this::configMaps,
                    () -> configMapInformers.stream().allMatch(SharedIndexInformer::hasSynced));
            configMapInformers.forEach(i -> i.addEventHandler(mappingSync));
            mappingSync.start();
        } else {
            LOG.info("mapping sync off on this replica ({})", config.mappingSync() ? "ordinal " + shard.ordinal()
                    + " is not 0" : "POLLER_MAPPING_SYNC=false");
        }
        podInformers.forEach(SharedIndexInformer::start);
        configMapInformers.forEach(SharedIndexInformer::start);
    }

    /** The pollers' ACLs; without the mapping sync, nothing on the image-mapping topic. */
    private static Acls.Principal principal(boolean mappingSync) {
        Acls.Principal all = Acls.pollers("pollers");
        return mappingSync ? all : new Acls.Principal(all.user(), all.role(), all.commands(), all.acls().stream()
                .filter(a -> !a.name().equals(Topics.IMAGE_MAPPINGS.name())).toList());
    }

    /** Fails the start, naming each missing topic ACL, before anything is published (docs/operations.md, ACLs). */
    private void checkTopicAcls(Acls.Principal principal) {
        Map<String, Object> props = kafka.toMap();
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "halt-supervisor-pollers-" + config.ordinal() + "-admin");
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ACL_CHECK_TIMEOUT.toMillis());
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ACL_CHECK_TIMEOUT.toMillis() / 2);
        try (Admin admin = Admin.create(props)) {
            KafkaAccess.verifyTopics(admin, principal, Map.of(), ACL_CHECK_TIMEOUT);
        }
    }

    private List<Informable<Pod>> podScopes() {
        String selector = config.labelSelector();
        List<Informable<Pod>> scopes = new ArrayList<>();
        if (config.allNamespaces()) {
            var pods = kube.pods().inAnyNamespace();
            scopes.add(selector.isEmpty() ? pods : pods.withLabelSelector(selector));
        } else {
            for (String ns : config.namespaces()) {
                var pods = kube.pods().inNamespace(ns);
                scopes.add(selector.isEmpty() ? pods : pods.withLabelSelector(selector));
            }
        }
        return scopes;
    }

    private List<Informable<ConfigMap>> configMapScopes() {
        List<Informable<ConfigMap>> scopes = new ArrayList<>();
        if (config.allNamespaces()) {
            scopes.add(kube.configMaps().inAnyNamespace().withLabelSelector(config.mappingLabelSelector()));
        } else {
            config.namespaces().forEach(ns -> scopes.add(
                    kube.configMaps().inNamespace(ns).withLabelSelector(config.mappingLabelSelector())));
        }
        return scopes;
    }

    private Collection<ConfigMap> configMaps() {
        List<ConfigMap> all = new ArrayList<>();
        configMapInformers.forEach(i -> all.addAll(i.getStore().list()));
        return all;
    }

    /** True once the informers have listed and the mapping sync (if it runs here) is in sync. */
    public boolean ready() {
        return started && !closed && podInformers.stream().allMatch(SharedIndexInformer::hasSynced)
                && configMapInformers.stream().allMatch(SharedIndexInformer::hasSynced)
                && (mappingSync == null || mappingSync.ready());
    }

    /** True while started, the informers run, the scheduler is alive and Kafka has not refused the producer. */
    public boolean healthy() {
        return started && !closed && sink != null && sink.healthy() && podInformers.stream().allMatch(SharedIndexInformer::isRunning)
                && configMapInformers.stream().allMatch(SharedIndexInformer::isRunning)
                && scheduler != null && !scheduler.isShutdown();
    }

    /** The status poller (null before {@link #start()}). */
    public StatusPoller poller() {
        return poller;
    }

    /**
     * HTTP endpoints to mount: {@code /pollers/targets} lists every polled pod with its node, URL, last poll
     * and outcome, as JSON.
     */
    public Map<String, HttpHandler> httpHandlers() {
        return Map.of("/pollers/targets", exchange -> {
            try (exchange) {
                ArrayNode list = Json.MAPPER.createArrayNode();
                StatusPoller p = poller;
                if (p != null) {
                    for (StatusPoller.TargetView t : p.targets()) {
                        ObjectNode o = list.addObject();
                        o.put("nodeId", t.nodeId());
                        o.put("pod", t.podName());
                        o.put("statusUrl", t.statusUrl().toString());
                        o.put("lastPolledAt", t.lastPolledAt() == null ? null : t.lastPolledAt().toString());
                        o.put("lastOutcome", t.lastOutcome());
                        if (t.haltReason() != null) {
                            o.put("haltReason", t.haltReason());
                        }
                        o.put("fastPolled", t.fast());
                    }
                }
                byte[] body = Json.write(list).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
    }

    /** Stops informers, polling and the mapping sync, then flushes and closes the producer. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        podInformers.forEach(SharedIndexInformer::stop);
        configMapInformers.forEach(SharedIndexInformer::stop);
        if (mappingSync != null) {
            mappingSync.close();
        }
        if (poller != null) {
            poller.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (fetcher != null) {
            fetcher.close();
        }
        if (sink != null) {
            sink.close(Duration.ofSeconds(5));
        }
        LOG.info("pollers stopped");
    }
}
