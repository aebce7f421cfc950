package io.haltsupervisor.actuator;

import java.time.Duration;

/**
 * Waits for backoff and rate limiting; replaced in unit tests so that they do not wait. The system one gives a decision
 * lane's acting permit back while it waits ({@link LaneWaits}).
 */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = d -> LaneWaits.sleepNanos(d.toNanos());

    void sleep(Duration duration) throws InterruptedException;
}
