package io.haltsupervisor.schemas;

/**
 * Lets through at most {@code perSecond} log lines a second (the rest are counted, and the count is told with the
 * next line let through), so that a flood of poison records cannot flood the log: the dead-letter topic has every
 * one of them. Thread-safe.
 */
public final class LogThrottle {
    private final int perSecond;
    private long second = Long.MIN_VALUE;
    private int inSecond;
    private long suppressed;

    public LogThrottle(int perSecond) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be >= 1, got " + perSecond);
        }
        this.perSecond = perSecond;
    }

    /**
     * Whether a line may be logged at {@code nowMillis}: -1 if not; else how many lines were held back since the
     * last one let through (0 usually).
     */
    public synchronized long admit(long nowMillis) {
        long s = Math.floorDiv(nowMillis, 1000L);
        if (s != second) {
            second = s;
            inSecond = 0;
        }
        if (inSecond >= perSecond) {
            suppressed++;
            return -1;
        }
        inSecond++;
        long held = suppressed;
        suppressed = 0;
        return held;
    }
}
