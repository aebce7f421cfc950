package io.haltsupervisor.actuator;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter for transient failures (Kubernetes 409, 429, 5xx and timeouts; pager 429,
 * 5xx and timeouts): attempt {@code n} (1-based) failing waits a random time in
 * {@code [d/2, d]} where {@code d = min(maxBackoff, initialBackoff * 2^(n-1))} ("equal jitter": never zero,
 * never in lockstep with other clients). After {@code maxAttempts} attempts the step fails for good.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max, got " + initialBackoff
                    + " and " + maxBackoff);
        }
    }

    /** Whether another attempt follows failed attempt {@code attempt}. */
    public boolean retriesAfter(int attempt) {
        return attempt < maxAttempts;
    }

    /** The wait after failed attempt {@code attempt}, with {@code random} in [0, 1). */
    public Duration backoff(int attempt, DoubleSupplier random) {
        long initial = initialBackoff.toNanos();
        long max = maxBackoff.toNanos();
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long ceiling = initial > (max >> shift) ? max : Math.min(max, initial << shift);
        long half = ceiling / 2;
        return Duration.ofNanos(half + (long) ((ceiling - half) * random.getAsDouble()));
    }
}
