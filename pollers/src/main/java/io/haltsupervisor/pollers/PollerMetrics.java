package io.haltsupervisor.pollers;

import io.haltsupervisor.pollers.status.ObservationError;
import io.haltsupervisor.pollers.status.StatusResult;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The status poller's meters (Prometheus names in brackets):
 * polls [{@code halt_supervisor_poller_polls_total}], errors by kind
 * [{@code halt_supervisor_poller_errors_total{kind}}], poll latency
 * [{@code halt_supervisor_poller_poll_latency_seconds} histogram], scheduling lateness
 * [{@code halt_supervisor_poller_lateness_seconds} histogram], in-flight polls
 * [{@code halt_supervisor_poller_in_flight}], targets [{@code halt_supervisor_poller_targets}], published
 * observations by change [{@code halt_supervisor_poller_observations_total{change}}], publish failures
 * [{@code halt_supervisor_poller_publish_failures_total}], the poll interval
 * [{@code halt_supervisor_poller_interval_seconds}] and, per polled pod, when its {@code /status} last answered
 * [{@code halt_supervisor_poller_node_last_success_timestamp_seconds{node,pod}}: the last successful poll, or when
 * the pod became a target if none succeeded yet] — a node whose value is several intervals old is not observed.
 */
public final class PollerMetrics {
    private final MeterRegistry registry;
    private final Counter polls;
    private final Map<ObservationError.Kind, Counter> errors = new EnumMap<>(ObservationError.Kind.class);
    private final Timer latency;
    private final Timer lateness;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter publishFailures;
    private final Map<StatusResult.ReasonStringIssue, Counter> tolerated =
            new EnumMap<>(StatusResult.ReasonStringIssue.class);
    private volatile LongConsumer latenessListener = nanos -> { };

    public PollerMetrics(MeterRegistry registry, Supplier<Number> targets) {
        this(registry, targets, null);
    }

    /** With the poll interval exported as {@code halt_supervisor_poller_interval_seconds} (null: not exported). */
    public PollerMetrics(MeterRegistry registry, Supplier<Number> targets, Duration interval) {
        this.registry = registry;
        if (interval != null) {
            Gauge.builder("halt_supervisor.poller.interval", () -> interval.toNanos() / 1e9).baseUnit("seconds")
                    .description("how often each target is polled").register(registry);
        }
        polls = Counter.builder("halt_supervisor.poller.polls").description("status polls completed")
                .register(registry);
        for (ObservationError.Kind kind : ObservationError.Kind.values()) {
            errors.put(kind, Counter.builder("halt_supervisor.poller.errors")
                    .description("status polls that gave an observation error").tag("kind", kind.token())
                    .register(registry));
        }
        for (StatusResult.ReasonStringIssue issue : StatusResult.ReasonStringIssue.values()) {
            tolerated.put(issue, Counter.builder("halt_supervisor.poller.reason_string.tolerated")
                    .description("halt_intents read whose reason_string was missing or disagreed with the numeric"
                            + " reason (the reason wins; the poll succeeds)").tag("issue", issue.token())
                    .register(registry));
        }
        latency = Timer.builder("halt_supervisor.poller.poll.latency").description("status poll round trip")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        lateness = Timer.builder("halt_supervisor.poller.lateness")
                .description("how late polls start after their due time").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        Gauge.builder("halt_supervisor.poller.in.flight", inFlight, AtomicInteger::get)
                .description("status polls in flight").register(registry);
        Gauge.builder("halt_supervisor.poller.targets", targets).description("pods being polled")
                .register(registry);
        // every change counted from the start, so "nothing published" is a 0 rate rather than a missing series
        published("halt", 0);
        for (io.haltsupervisor.schemas.NodeStatusObserved.Change change
                : io.haltsupervisor.schemas.NodeStatusObserved.Change.values()) {
            published(change.token(), 0);
        }
        publishFailures = Counter.builder("halt_supervisor.poller.publish.failures")
                .description("observations Kafka did not acknowledge").register(registry);
    }

    public void polled(Duration took, StatusResult result) {
        polls.increment();
        latency.record(took);
        if (result instanceof StatusResult.Failed failed) {
            errors.get(failed.error().kind()).increment();
        } else if (result instanceof StatusResult.Read read && read.tolerated() != null) {
            tolerated.get(read.tolerated()).increment();
        }
    }

    /**
     * Exports {@code lastSuccess} (epoch seconds) for a target until {@link #untrack} with the same
     * handle.
     */
    public Gauge track(String nodeId, String podName, java.util.function.DoubleSupplier lastSuccessEpochSeconds) {
        return Gauge.builder("halt_supervisor.poller.node.last.success.timestamp", lastSuccessEpochSeconds,
                        java.util.function.DoubleSupplier::getAsDouble).baseUnit("seconds")
                .description("when the pod's /status last answered a poll (or became a target), epoch seconds")
                .tag("node", nodeId).tag("pod", podName).strongReference(true).register(registry);
    }

    public void untrack(Gauge gauge) {
        if (gauge != null) {
            registry.remove(gauge);
        }
    }

    public void late(Duration by) {
        Duration d = by.isNegative() ? Duration.ZERO : by;
        lateness.record(d);
        latenessListener.accept(d.toNanos());
    }

    /**
     * Also hands every poll's lateness (nanoseconds) to {@code listener}, e.g. for a benchmark's exact
     * percentiles; the listener must be quick and thread-safe.
     */
    public void onLateness(LongConsumer listener) {
        this.latenessListener = listener == null ? nanos -> { } : listener;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public AtomicInteger inFlight() {
        return inFlight;
    }

    public void published(String change) {
        published(change, 1);
    }

    private void published(String change, double n) {
        Counter.builder("halt_supervisor.poller.observations").description("observations published, by change")
                .tag("change", change).register(registry).increment(n);
    }

    public void publishFailed() {
        publishFailures.increment();
    }

    /** Halt intents read past a {@code reason_string} problem of {@code issue} so far. */
    public double toleratedCount(StatusResult.ReasonStringIssue issue) {
        return tolerated.get(issue).count();
    }

    public double errorCount(ObservationError.Kind kind) {
        return errors.get(kind).count();
    }

    public double pollCount() {
        return polls.count();
    }

    public Timer latency() {
        return latency;
    }

    public Timer lateness() {
        return lateness;
    }
}
