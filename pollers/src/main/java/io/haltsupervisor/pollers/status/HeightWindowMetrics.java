package io.haltsupervisor.pollers.status;

import io.haltsupervisor.pollers.PollTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The height window's meters: pods polled fast now [{@code halt_supervisor_poller_fast_targets}], the bound
 * [{@code halt_supervisor_poller_fast_targets_max}], window entries and exits by event
 * [{@code halt_supervisor_poller_fast_window_total{event}}: entered, halted, passed, ceiling, unmapped] and pods
 * near a height refused because the bound was reached [{@code halt_supervisor_poller_fast_window_refused_total}].
 * When the bound bites, one warning names the pod, at most once per {@value #REFUSED_LOG_SECONDS} s, with the
 * count of refusals since the last line.
 */
final class HeightWindowMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(HeightWindowMetrics.class);
    private static final long REFUSED_LOG_SECONDS = 30;

    private final Map<HeightWindow.Transition, Counter> transitions = new EnumMap<>(HeightWindow.Transition.class);
    private final Counter refused;
    private final int maxFast;
    private long lastRefusedLog;
    private long refusedSinceLog;

    HeightWindowMetrics(MeterRegistry registry, HeightWindow window) {
        this.maxFast = window.settings().maxFast();
        Gauge.builder("halt_supervisor.poller.fast.targets", window, HeightWindow::fastCount)
                .description("pods polled at the fast interval, near a mapped upgrade height").register(registry);
        Gauge.builder("halt_supervisor.poller.fast.targets.max", window, w -> w.settings().enabled() ? maxFast : 0)
                .description("pods polled fast at most on this replica (0: height awareness off)").register(registry);
        for (HeightWindow.Transition t : HeightWindow.Transition.values()) {
            if (t == HeightWindow.Transition.ENTERED || t.left()) {
                transitions.put(t, Counter.builder("halt_supervisor.poller.fast.window")
                        .description("pods entering and leaving the fast-poll window, by event")
                        .tag("event", event(t)).register(registry));
            }
        }
        refused = Counter.builder("halt_supervisor.poller.fast.window.refused")
                .description("pods near an upgrade height polled at the normal interval: the bound was reached")
                .register(registry);
    }

    void transition(HeightWindow.Transition t) {
        Counter c = transitions.get(t);
        if (c != null) {
            c.increment();
        }
    }

    void refused(PollTarget target, Long height) {
        refused.increment();
        long held;
        synchronized (this) {
            long now = System.nanoTime();
            if (lastRefusedLog != 0 && now - lastRefusedLog < REFUSED_LOG_SECONDS * 1_000_000_000L) {
                refusedSinceLog++;
                return;
            }
            lastRefusedLog = now;
            held = refusedSinceLog;
            refusedSinceLog = 0;
        }
        LOG.warn("node {} pod {}: near upgrade height {} but {} pods are already polled fast on this replica "
                + "(POLLER_FAST_MAX_TARGETS); polled at the normal interval{}", target.nodeId(), target.podName(),
                height, maxFast, held == 0 ? "" : " [" + held + " more pods refused since the last report]");
    }

    private static String event(HeightWindow.Transition t) {
        return switch (t) {
            case ENTERED -> "entered";
            case LEFT_HALTED -> "halted";
            case LEFT_PASSED -> "passed";
            case LEFT_CEILING -> "ceiling";
            case LEFT_UNMAPPED -> "unmapped";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
