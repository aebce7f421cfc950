package io.haltsupervisor.pollers.status;

import io.haltsupervisor.pollers.ObservationSink;
import io.haltsupervisor.pollers.PollTarget;
import io.haltsupervisor.pollers.PollerMetrics;

import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.Topics;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls every target's {@code /status} on its own schedule and publishes what changed
 * ({@link StatusTracker}).
 *
 * <p>Scheduling: each target gets a random phase within the first interval, then every interval with
 * ±{@code jitter} so that a fleet is not polled in lockstep. A target is never polled twice at once: its
 * next poll is scheduled when the current one completes (if that is already past due, at once — the delay
 * is the lateness metric). At most {@code maxInFlight} polls run at a time; a poll due while all slots are
 * busy waits in a queue and starts when one frees. One scheduler thread does the timing; HTTP, parsing and
 * publishing run on the fetcher's threads. A failing poll, a failing publish or an unexpected exception
 * never stops a target's schedule.
 *
 * <p>Observation errors are counted on every poll and logged at most once per node per
 * {@code errorLogInterval} (a node's pods together), with the number suppressed since the last line.
 */
public final class StatusPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusPoller.class);

    /**
     * @param interval         time between two polls of a target
     * @param jitter           fraction of the interval by which each poll is moved at random (0–0.5)
     * @param heartbeat        a node observation is published at least this often for a healthy node
     * @param maxInFlight      polls in flight at most
     * @param errorLogInterval observation errors are logged at most this often per node
     */
    public record Settings(Duration interval, double jitter, Duration heartbeat, int maxInFlight,
            Duration errorLogInterval) {
        public Settings {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(heartbeat, "heartbeat");
            Objects.requireNonNull(errorLogInterval, "errorLogInterval");
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("interval: expected a positive duration, got " + interval);
            }
            if (jitter < 0 || jitter > 0.5) {
                throw new IllegalArgumentException("jitter: expected 0–0.5, got " + jitter);
            }
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight: expected at least 1, got " + maxInFlight);
            }
        }
    }

    /** What the poller knows of one target, for the targets endpoint and tests. */
    public record TargetView(String key, String nodeId, String podName, URI statusUrl, Instant lastPolledAt,
            String lastOutcome, Integer haltReason, boolean fast) {
    }

    /** Polls one URL; the future must complete normally (as {@link StatusFetcher#fetch} does). */
    @FunctionalInterface
    public interface Fetch {
        CompletableFuture<StatusResult> fetch(URI url);
    }

    private final Settings settings;
    private final Fetch fetcher;
    private final ObservationSink sink;
    private final PollerMetrics metrics;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Map<String, TargetState> targets = new ConcurrentHashMap<>();
    private final Queue<TargetState> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger slots = new AtomicInteger();
    private final Map<String, ErrorLog> errorLogs = new ConcurrentHashMap<>();
    private final HeightWindow window;
    private final HeightWindowMetrics windowMetrics;
    private volatile boolean closed;

    public StatusPoller(Settings settings, Fetch fetcher, ObservationSink sink, PollerMetrics metrics,
            Clock clock, ScheduledThreadPoolExecutor scheduler) {
        this(settings, HeightWindow.Settings.OFF, fetcher, sink, metrics, clock, scheduler);
    }

    /** With height-aware polling ({@link HeightWindow}): pods near a mapped upgrade height are polled fast. */
    public StatusPoller(Settings settings, HeightWindow.Settings heightWindow, Fetch fetcher, ObservationSink sink,
            PollerMetrics metrics, Clock clock, ScheduledThreadPoolExecutor scheduler) {
        this.window = new HeightWindow(heightWindow);
        this.windowMetrics = new HeightWindowMetrics(metrics.registry(), window);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        scheduler.setRemoveOnCancelPolicy(true);
    }

    /**
     * The upgrade heights of the mappings now (a mapping without a height gives none): pods within the window's
     * blocks of one are polled at the fast interval from their next poll on.
     */
    public void upgradeHeights(java.util.Collection<Long> heights) {
        window.upgradeHeights(heights);
    }

    /** Which pods are polled fast, and why (for tests and the targets endpoint). */
    public HeightWindow heightWindow() {
        return window;
    }

    /** A scheduler thread suitable for {@link StatusPoller} (and fetch deadlines). */
    public static ScheduledThreadPoolExecutor newScheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "status-scheduler");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    /** Adds a target, or updates it (URL, image, node id) keeping its schedule and what was published. */
    public void upsert(PollTarget target) {
        if (closed) {
            return;
        }
        targets.compute(target.key(), (key, existing) -> {
            if (existing == null) {
                TargetState state = new TargetState(target);
                state.lastSuccessAt = clock.instant();
                state.gauge = metrics.track(target.nodeId(), target.podName(),
                        () -> state.lastSuccessAt.toEpochMilli() / 1000.0);
                long phase = (long) (ThreadLocalRandom.current().nextDouble() * settings.interval().toNanos());
                synchronized (state) {
                    state.dueNanos = System.nanoTime() + phase;
                    state.next = schedule(state, phase);
                }
                LOG.info("node {} pod {}: polling {} every {}", target.nodeId(), target.podName(), target.statusUrl(),
                        StatusFetcher.human(settings.interval()));
                return state;
            }
            PollTarget old = existing.target;
            if (!old.nodeId().equals(target.nodeId())) {
                existing.resetTracker = true;
                metrics.untrack(existing.gauge);
                existing.gauge = metrics.track(target.nodeId(), target.podName(),
                        () -> existing.lastSuccessAt.toEpochMilli() / 1000.0);
            }
            if (!old.statusUrl().equals(target.statusUrl())) {
                LOG.info("node {} pod {}: status URL is now {}", target.nodeId(), target.podName(), target.statusUrl());
            }
            existing.target = target;
            return existing;
        });
    }

    /** Stops polling a target (its pod is gone or no longer ours). */
    public void remove(String key) {
        TargetState state = targets.remove(key);
        window.forget(key);
        if (state != null) {
            metrics.untrack(state.gauge);
            synchronized (state) {
                state.removed = true;
                if (state.next != null) {
                    state.next.cancel(false);
                }
            }
            String nodeId = state.target.nodeId();
            if (targets.values().stream().noneMatch(t -> t.target.nodeId().equals(nodeId))) {
                errorLogs.remove(nodeId);
            }
            LOG.info("node {} pod {}: no longer polled", nodeId, state.target.podName());
        }
    }

    public int targetCount() {
        return targets.size();
    }

    public int inFlight() {
        return slots.get();
    }

    /** A snapshot of every target, sorted by node id and pod. */
    public List<TargetView> targets() {
        List<TargetView> views = new ArrayList<>();
        for (TargetState s : targets.values()) {
            StatusResult last = s.lastResult;
            String outcome = last == null ? "not polled yet"
                    : last instanceof StatusResult.Failed f ? f.error().toString()
                    : ((StatusResult.Read) last).status().halted() ? "halted" : "ok";
            Integer reason = last instanceof StatusResult.Read r && r.status().halted()
                    ? r.status().haltIntent().reason() : null;
            views.add(new TargetView(s.target.key(), s.target.nodeId(), s.target.podName(), s.target.statusUrl(),
                    s.lastPolledAt, outcome, reason, s.fast));
        }
        views.sort(Comparator.comparing(TargetView::nodeId).thenComparing(TargetView::podName));
        return views;
    }

    private ScheduledFuture<?> schedule(TargetState state, long delayNanos) {
        try {
            return scheduler.schedule(() -> fire(state), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null; // closing
        }
    }

    private void fire(TargetState state) {
        if (closed || state.removed) {
            return;
        }
        if (!tryAcquire()) {
            pending.add(state);
            // a slot may have freed between the failed acquire and the enqueue: re-check, never strand
            if (tryAcquire()) {
                TargetState head = pending.poll();
                if (head == null) {
                    slots.decrementAndGet();
                } else {
                    launch(head);
                }
            }
            return;
        }
        launch(state);
    }

    private boolean tryAcquire() {
        while (true) {
            int n = slots.get();
            if (n >= settings.maxInFlight()) {
                return false;
            }
            if (slots.compareAndSet(n, n + 1)) {
                metrics.inFlight().set(n + 1);
                return true;
            }
        }
    }

    private void release() {
        metrics.inFlight().set(slots.decrementAndGet());
    }

    private void launch(TargetState state) {
        long start = System.nanoTime();
        metrics.late(Duration.ofNanos(start - state.dueNanos));
        if (closed || state.removed) {
            release();
            return;
        }
        PollTarget target = state.target;
        CompletableFuture<StatusResult> poll;
        try {
            poll = fetcher.fetch(target.statusUrl());
        } catch (RuntimeException e) {
            poll = CompletableFuture.completedFuture(StatusResult.failed(ObservationError.Kind.IO, e.toString()));
        }
        poll.whenComplete((result, failure) -> {
            release();
            if (closed) {
                return; // a poll finishing after close publishes nothing
            }
            try {
                StatusResult r = result != null ? result
                        : StatusResult.failed(ObservationError.Kind.IO, String.valueOf(failure));
                metrics.polled(Duration.ofNanos(System.nanoTime() - start), r);
                process(state, target, r);
            } catch (RuntimeException e) {
                LOG.error("node {} pod {}: unexpected failure handling a poll; polling continues",
                        target.nodeId(), target.podName(), e);
            } finally {
                scheduleNext(state);
                drain();
            }
        });
    }

    private void drain() {
        while (!pending.isEmpty() && tryAcquire()) {
            TargetState next = pending.poll();
            if (next == null) {
                release();
                return;
            }
            launch(next);
        }
    }

    private void scheduleNext(TargetState state) {
        if (closed) {
            return;
        }
        synchronized (state) {
            if (state.removed) {
                return;
            }
            double spread = settings.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
            Duration interval = state.fast ? window.settings().fastInterval() : settings.interval();
            long step = (long) (interval.toNanos() * (1 + spread));
            long now = System.nanoTime();
            state.dueNanos = Math.max(state.dueNanos + step, now);
            state.next = schedule(state, state.dueNanos - now);
        }
    }

    private void process(TargetState state, PollTarget target, StatusResult result) {
        Instant now = clock.instant();
        state.lastResult = result;
        state.lastPolledAt = now;
        if (result instanceof StatusResult.Read) {
            state.lastSuccessAt = now;
        }
        logOutcome(state, target, result);
        heightWindow(state, target, result, now);
        if (state.resetTracker) {
            state.resetTracker = false;
            state.tracker = StatusTracker.State.INITIAL;
        }
        StatusTracker.Step step = StatusTracker.observe(state.tracker, target, result, now, settings.heartbeat());
        state.tracker = step.next();
        if (step.halt() != null) {
            HaltObserved halt = step.halt();
            LOG.info("node {} pod {}: halt observed on /status: reason {} ({}) plan {} height {} announced {}",
                    target.nodeId(), target.podName(), halt.reasonCode(), halt.reason(), halt.planName(),
                    halt.intent().height(), halt.intent().announcedAt());
            publish(state, target, Topics.HALT_OBSERVATIONS.name(), "halt",
                    sink.publish(Topics.HALT_OBSERVATIONS, target.nodeId(), halt));
        }
        if (step.status() != null) {
            NodeStatusObserved status = step.status();
            String change = status.change().token();
            if (status.change() == NodeStatusObserved.Change.HEARTBEAT) {
                LOG.debug("node {} pod {}: heartbeat at height {} version {}", target.nodeId(), target.podName(),
                        status.latestBlockHeight(), status.version());
            } else {
                LOG.info("node {} pod {}: status {} at height {} version {}", target.nodeId(), target.podName(),
                        change, status.latestBlockHeight(), status.version());
            }
            publish(state, target, Topics.NODE_OBSERVATIONS.name(), change,
                    sink.publish(Topics.NODE_OBSERVATIONS, target.nodeId(), status));
        }
    }

    /** Feeds the poll to the height window and says what changed; the next poll is scheduled accordingly. */
    private void heightWindow(TargetState state, PollTarget target, StatusResult result, Instant now) {
        if (!window.settings().enabled()) {
            return;
        }
        HeightWindow.Verdict v = result instanceof StatusResult.Read read
                ? window.observe(target.key(), read.status().latestBlockHeight(), read.status().halted(), now)
                : window.failed(target.key(), now);
        state.fast = v.fast();
        windowMetrics.transition(v.transition());
        switch (v.transition()) {
            case NONE -> { }
            case ENTERED -> LOG.info("node {} pod {}: within {} blocks of upgrade height {}: polling every {} "
                    + "until it halts, passes the height or {} pass", target.nodeId(), target.podName(),
                    result instanceof StatusResult.Read r ? v.upgradeHeight() - r.status().latestBlockHeight() : "?",
                    v.upgradeHeight(), StatusFetcher.human(window.settings().fastInterval()),
                    StatusFetcher.human(window.settings().ceiling()));
            case REFUSED -> windowMetrics.refused(target, v.upgradeHeight());
            default -> LOG.info("node {} pod {}: polling every {} again ({}, upgrade height {})", target.nodeId(),
                    target.podName(), StatusFetcher.human(settings.interval()), v.transition().token(),
                    v.upgradeHeight());
        }
    }

    private void publish(TargetState state, PollTarget target, String topic, String change,
            CompletableFuture<Void> sent) {
        sent.whenComplete((ok, error) -> {
            if (error == null) {
                metrics.published(change);
                return;
            }
            metrics.publishFailed();
            state.resetTracker = true;
            LOG.error("node {} pod {}: could not publish {} observation to {}: {}; it is published again at the "
                    + "next poll", target.nodeId(), target.podName(), change, topic, error.toString());
        });
    }

    private void logOutcome(TargetState state, PollTarget target, StatusResult result) {
        if (result instanceof StatusResult.Failed failed) {
            state.failing = true;
            ErrorLog log = errorLogs.computeIfAbsent(target.nodeId(), k -> new ErrorLog());
            long now = System.nanoTime();
            int suppressed;
            synchronized (log) {
                if (log.lastNanos != 0 && now - log.lastNanos < settings.errorLogInterval().toNanos()) {
                    log.suppressed++;
                    return;
                }
                suppressed = log.suppressed;
                log.lastNanos = now;
                log.suppressed = 0;
            }
            LOG.warn("node {} pod {}: /status poll of {} failed ({}): {}{}", target.nodeId(), target.podName(),
                    target.statusUrl(), failed.error().kind().token(), failed.error().message(),
                    suppressed == 0 ? "" : " [" + suppressed + " more errors on this node since the last report]");
        } else if (state.failing) {
            state.failing = false;
            LOG.info("node {} pod {}: /status readable again", target.nodeId(), target.podName());
        }
    }

    /** When a node's observation errors were last logged, and how many were not since. */
    private static final class ErrorLog {
        long lastNanos;
        int suppressed;
    }

    /** Stops scheduling; polls in flight complete into the void. Idempotent. */
    @Override
    public void close() {
        closed = true;
        targets.values().forEach(t -> metrics.untrack(t.gauge));
        targets.clear();
        pending.clear();
    }

    /** Per-target state; a target's polls never overlap, so its fields have one writer at a time. */
    private static final class TargetState {
        volatile PollTarget target;
        volatile boolean resetTracker;
        volatile StatusResult lastResult;
        volatile Instant lastPolledAt;
        volatile Instant lastSuccessAt;
        volatile io.micrometer.core.instrument.Gauge gauge;
        StatusTracker.State tracker = StatusTracker.State.INITIAL;
        long dueNanos;
        ScheduledFuture<?> next;
        volatile boolean removed;
        volatile boolean fast;
        boolean failing;

        TargetState(PollTarget target) {
            this.target = target;
        }
    }
}
