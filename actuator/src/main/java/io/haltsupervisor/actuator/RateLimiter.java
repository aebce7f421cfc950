package io.haltsupervisor.actuator;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket over disruptive cluster calls (image changes, pod deletions, quarantines): {@code perMinute}
 * tokens a minute, at most {@code burst} saved up. A call waits for a token up to {@code maxWait}; a call
 * that would wait longer is refused (refused-by-policy, and a page). Thread-safe: the actuator acts on several
 * nodes at once.
 */
public final class RateLimiter {
    private final double tokensPerNano;
    private final double burst;
    private final Duration maxWait;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    /**
     * @param perMinute tokens per minute; 0 disables the limit
     * @param burst     bucket size, at least 1
     * @param nanoTime  monotonic time source ({@code System::nanoTime})
     */
    public RateLimiter(int perMinute, int burst, Duration maxWait, LongSupplier nanoTime) {
        if (perMinute < 0 || burst < 1) {
            throw new IllegalArgumentException("rate limit needs perMinute >= 0 and burst >= 1");
        }
        this.tokensPerNano = perMinute / 60e9;
        this.burst = burst;
        this.maxWait = maxWait;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.last = nanoTime.getAsLong();
    }

    /** True when the limit is off. */
    public boolean unlimited() {
        return tokensPerNano == 0;
    }

    /**
     * Takes a token: returns how long the caller must wait first (zero when one is available now), or
     * null when that wait exceeds {@code maxWait} — then nothing is taken.
     */
    public synchronized Duration reserve() {
        if (unlimited()) {
            return Duration.ZERO;
        }
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return Duration.ZERO;
        }
        long waitNanos = (long) Math.ceil((1 - tokens) / tokensPerNano);
        if (waitNanos > maxWait.toNanos()) {
            return null;
        }
        tokens -= 1;
        return Duration.ofNanos(waitNanos);
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * tokensPerNano);
        last = now;
    }

    @Override
    public String toString() {
        return unlimited() ? "unlimited" : Math.round(tokensPerNano * 60e9) + "/min, burst " + (int) burst
                + ", max wait " + maxWait;
    }
}
