package io.haltsupervisor.actuator;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Waits that give a decision lane's acting permit back while they last. {@code ACTUATOR_CONCURRENCY} bounds the
 * decisions acting at once; a lane that only waits — watching that a change holds, polling a rollout, backing off
 * before a retry — acts on nothing, so it lets another node's decision act meanwhile. Its own node's next decision
 * still waits for it (one lane per node). Outside a lane (tests, the service's own thread) these are plain sleeps.
 */
public final class LaneWaits {
    private static final ThreadLocal<Semaphore> PERMITS = new ThreadLocal<>();

    private LaneWaits() {
    }

    /** Sleeps {@code nanos}, without holding the calling lane's acting permit meanwhile. */
    public static void sleepNanos(long nanos) throws InterruptedException {
        if (nanos <= 0) {
            return;
        }
        Semaphore permits = PERMITS.get();
        if (permits == null) {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return;
        }
        permits.release();
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } finally {
            // back in line for a permit before acting again; an interrupt still ends the wait at once
            permits.acquireUninterruptibly();
        }
    }

    /** Marks the calling thread as a lane holding a permit of {@code permits} (null: no longer). */
    static void bind(Semaphore permits) {
        if (permits == null) {
            PERMITS.remove();
        } else {
            PERMITS.set(permits);
        }
    }
}
