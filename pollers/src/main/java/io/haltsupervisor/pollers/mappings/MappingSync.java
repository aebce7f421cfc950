package io.haltsupervisor.pollers.mappings;

import io.haltsupervisor.pollers.ObservationSink;
import io.haltsupervisor.pollers.WarningEvents;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors the labelled ConfigMaps into the compacted {@code seid.image-mappings.v1} ({@link MappingReconciler},
 * format in {@link ImageMappingFormat}). At start it reads the topic to its end, so it knows what is there;
 * then, once the ConfigMap informers have synced, and after every ConfigMap change, it publishes the
 * difference: changed plans as mappings, removed ones as tombstones. Invalid entries and conflicts are
 * logged and reported as Warning events on the ConfigMap (once per distinct problem). All work runs on one
 * thread; a failed publish is retried.
 */
public final class MappingSync implements ResourceEventHandler<ConfigMap>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MappingSync.class);
    private static final Duration RETRY = Duration.ofSeconds(5);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private final Function<Duration, Map<String, ImageMappingChanged>> topicReader;
    private final ObservationSink sink;
    private final WarningEvents events;
    private final Clock clock;
    private final Supplier<Collection<ConfigMap>> configMaps;
    private final BooleanSupplier informersSynced;
    private final ScheduledExecutorService worker;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final Set<String> reported = new HashSet<>();
    private final Counter rejected;
    private final Counter conflicts;
    private final MeterRegistry registry;
    private Map<String, ImageMappingChanged> published;
    private volatile boolean ready;
    private volatile boolean closed;

    /**
     * @param topicReader     reads the mapping topic to its end (see {@link MappingTopic#read})
     * @param configMaps      the labelled ConfigMaps as the informers see them now
     * @param informersSynced true once every ConfigMap informer has listed
     */
    public MappingSync(Function<Duration, Map<String, ImageMappingChanged>> topicReader, ObservationSink sink,
            WarningEvents events, MeterRegistry registry, Clock clock, Supplier<Collection<ConfigMap>> configMaps,
            BooleanSupplier informersSynced) {
        this.topicReader = topicReader;
        this.sink = sink;
        this.events = events;
        this.clock = clock;
        this.registry = registry;
        this.configMaps = configMaps;
        this.informersSynced = informersSynced;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mapping-sync");
            t.setDaemon(true);
            return t;
        });
        rejected = Counter.builder("halt_supervisor.mappings.rejected")
                .description("invalid image-mapping entries rejected").register(registry);
        conflicts = Counter.builder("halt_supervisor.mappings.conflicts")
                .description("plans defined differently by two ConfigMaps").register(registry);
    }

    /** Reads the topic (retrying until it can) and then reconciles. */
    public void start() {
        worker.execute(this::load);
    }

    /** True once the topic has been read and the ConfigMaps reconciled once. */
    public boolean ready() {
        return ready;
    }

    private void load() {
        if (closed) {
            return;
        }
        try {
            Map<String, ImageMappingChanged> current = topicReader.apply(Duration.ofSeconds(30));
            published = new TreeMap<>(current);
            LOG.info("mapping sync: {} mappings on {}", published.size(), Topics.IMAGE_MAPPINGS.name());
            reconcile();
        } catch (RuntimeException e) {
            LOG.warn("mapping sync: cannot read {} yet ({}); retrying in {}s", Topics.IMAGE_MAPPINGS.name(),
                    e.toString(), RETRY.toSeconds());
            worker.schedule(this::load, RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void onAdd(ConfigMap cm) {
        requestReconcile();
    }

    @Override
    public void onUpdate(ConfigMap oldCm, ConfigMap newCm) {
        requestReconcile();
    }

    @Override
    public void onDelete(ConfigMap cm, boolean deletedFinalStateUnknown) {
        requestReconcile();
    }

    private void requestReconcile() {
        if (!closed && queued.compareAndSet(false, true)) {
            worker.execute(() -> {
                queued.set(false);
                reconcile();
            });
        }
    }

    private void reconcile() {
        if (closed || published == null) {
            return;
        }
        if (!informersSynced.getAsBoolean()) {
            worker.schedule(this::reconcile, 200, TimeUnit.MILLISECONDS);
            return;
        }
        try {
            List<MappingReconciler.Source> sources = configMaps.get().stream()
                    .map(cm -> new MappingReconciler.Source(cm.getMetadata().getNamespace(), cm.getMetadata().getName(),
                            cm.getMetadata().getUid(), cm.getData()))
                    .collect(Collectors.toList());
            Map<String, ConfigMap> byUid = configMaps.get().stream()
                    .collect(Collectors.toMap(cm -> String.valueOf(cm.getMetadata().getUid()), cm -> cm, (a, b) -> a));
            MappingReconciler.Desired desired = MappingReconciler.desired(sources);
            report(desired, byUid);
            boolean failed = false;
            for (MappingReconciler.Change change : MappingReconciler.diff(desired, published)) {
                failed |= !apply(change);
            }
            if (failed) {
                worker.schedule(this::reconcile, RETRY.toMillis(), TimeUnit.MILLISECONDS);
            } else if (!ready) {
                ready = true;
                LOG.info("mapping sync: in sync with {} ConfigMaps ({} plans)", sources.size(),
                        desired.mappings().size());
            }
        } catch (RuntimeException e) {
            LOG.error("mapping sync: reconcile failed; retrying in {}s", RETRY.toSeconds(), e);
            worker.schedule(this::reconcile, RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private boolean apply(MappingReconciler.Change change) {
        ImageMappingChanged value = change.tombstone() ? null : ImageMappingChanged.of(change.plan(),
                change.mapping().image(), change.mapping().upgradeHeight(), change.source(), clock.instant());
        try {
            sink.publish(Topics.IMAGE_MAPPINGS, change.plan(), value)
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("mapping sync: could not publish plan {}: {}; retrying in {}s", change.plan(),
                    e.getCause() == null ? e.toString() : e.getCause().toString(), RETRY.toSeconds());
            return false;
        }
        if (value == null) {
            published.remove(change.plan());
            registry.counter("halt_supervisor.mappings.published", "op", "tombstone").increment();
            LOG.info("mapping {} removed (tombstone): it was {} from {}, now defined by no ConfigMap", change.plan(),
                    change.previous().image(), change.previous().source());
        } else {
            published.put(change.plan(), value);
            registry.counter("halt_supervisor.mappings.published", "op", "put").increment();
            LOG.info("mapping {} -> {}{} from {}{}", change.plan(), value.image(),
                    value.upgradeHeight() == null ? "" : " at height " + value.upgradeHeight(), value.source(),
                    change.previous() == null ? "" : " (was " + change.previous().image() + " from "
                            + change.previous().source() + ")");
        }
        return true;
    }

    private void report(MappingReconciler.Desired desired, Map<String, ConfigMap> byUid) {
        Set<String> current = new HashSet<>();
        for (MappingReconciler.Rejection r : desired.rejections()) {
            String id = "reject|" + r.from().uid() + "|" + r.key() + "|" + r.value();
            current.add(id);
            if (!reported.add(id)) {
                continue;
            }
            rejected.increment();
            LOG.warn("mapping sync: ConfigMap {}/{} key '{}' rejected, not published: {}", r.from().namespace(),
                    r.from().name(), r.key(), r.reason());
            ConfigMap cm = byUid.get(String.valueOf(r.from().uid()));
            if (cm != null) {
                events.warn(cm, id, "InvalidImageMapping", "SyncImageMapping", "Key '" + r.key()
                        + "' rejected, not published: " + r.reason()
                        + (desired.held().contains(r.key()) ? ". The plan's previous mapping, if any, is kept." : "."));
            }
        }
        for (MappingReconciler.Conflict c : desired.conflicts()) {
            String id = "conflict|" + c.loser().uid() + "|" + c.plan() + "|" + c.loserValue() + "|" + c.winner().uid()
                    + "|" + c.winnerValue();
            current.add(id);
            if (!reported.add(id)) {
                continue;
            }
            conflicts.increment();
            LOG.warn("mapping sync: plan {} defined by ConfigMaps {}/{} ('{}') and {}/{} ('{}'); using {}/{} (first "
                    + "by namespace/name)", c.plan(), c.winner().namespace(), c.winner().name(), c.winnerValue(),
                    c.loser().namespace(), c.loser().name(), c.loserValue(), c.winner().namespace(),
                    c.winner().name());
            ConfigMap cm = byUid.get(String.valueOf(c.loser().uid()));
            if (cm != null) {
                events.warn(cm, id, "ImageMappingConflict", "SyncImageMapping", "Plan '" + c.plan()
                        + "' is also defined by ConfigMap " + c.winner().namespace() + "/" + c.winner().name()
                        + " as '" + c.winnerValue() + "'; that one is used (first by namespace/name), this one ('"
                        + c.loserValue() + "') is ignored.");
            }
        }
        reported.retainAll(current); // a problem fixed and made again is reported again
    }

    @Override
    public void close() {
        closed = true;
        worker.shutdownNow();
    }
}
