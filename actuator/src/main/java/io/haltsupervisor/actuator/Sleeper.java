package io.haltsupervisor.actuator;

import java.time.Duration;

/** Waits for backoff and rate limiting; replaced in unit tests so that they do not wait. */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = d -> {
        if (!d.isZero() && !d.isNegative()) {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        }
    };

    void sleep(Duration duration) throws InterruptedException;
}
