package io.haltsupervisor.pollers;

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
 * observations by change [{@code halt_supervisor_poller_observations_total{change}}] and publish failures
 * [{@code halt_supervisor_poller_publish_failures_total}].
 */
public final class PollerMetrics {
    private final MeterRegistry registry;
    private final Counter polls;
    private final Map<ObservationError.Kind, Counter> errors = new EnumMap<>(ObservationError.Kind.class);
    private final Timer latency;
    private final Timer lateness;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter publishFailures;
    private volatile LongConsumer latenessListener = nanos -> { };

    public PollerMetrics(MeterRegistry registry, Supplier<Number> targets) {
        this.registry = registry;
        polls = Counter.builder("halt_supervisor.poller.polls").description("status polls completed")
                .register(registry);
        for (ObservationError.Kind kind : ObservationError.Kind.values()) {
            errors.put(kind, Counter.builder("halt_supervisor.poller.errors")
                    .description("status polls that gave an observation error").tag("kind", kind.token())
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
        publishFailures = Counter.builder("halt_supervisor.poller.publish.failures")
                .description("observations Kafka did not acknowledge").register(registry);
    }

    void polled(Duration took, StatusResult result) {
        polls.increment();
        latency.record(took);
        if (result instanceof StatusResult.Failed failed) {
            errors.get(failed.error().kind()).increment();
        }
    }

    void late(Duration by) {
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

    AtomicInteger inFlight() {
        return inFlight;
    }

    void published(String change) {
        registry.counter("halt_supervisor.poller.observations", "change", change).increment();
    }

    void publishFailed() {
        publishFailures.increment();
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
