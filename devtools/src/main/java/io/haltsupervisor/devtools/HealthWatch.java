package io.haltsupervisor.devtools;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dev mode's console watch on the components' health: prints each new reason a component cannot go on as a
 * {@code # UNHEALTHY:} line (and logs it as an error), and {@code # healthy again} when all reasons clear, so a
 * dead decider is never silent on the console.
 */
final class HealthWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthWatch.class);

    private final Supplier<List<String>> problems;
    private final PrintStream out;
    private final ScheduledExecutorService timer;
    private final Set<String> shown = new LinkedHashSet<>();

    private HealthWatch(Supplier<List<String>> problems, PrintStream out, Duration every) {
        this.problems = problems;
        this.out = out;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "health-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    static HealthWatch start(Supplier<List<String>> problems, PrintStream out, Duration every) {
        return new HealthWatch(problems, out, every);
    }

    /** Prints what changed since the last check (package-private for tests). */
    synchronized void check() {
        List<String> now;
        try {
            now = problems.get();
        } catch (RuntimeException e) {
            now = List.of("health could not be read: " + e);
        }
        for (String p : now) {
            if (shown.add(p)) {
                LOG.error("component unhealthy: {}", p);
                synchronized (out) {
                    out.println("# UNHEALTHY: " + p);
                    out.flush();
                }
            }
        }
        if (now.isEmpty() && !shown.isEmpty()) {
            shown.clear();
            synchronized (out) {
                out.println("# healthy again");
                out.flush();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
