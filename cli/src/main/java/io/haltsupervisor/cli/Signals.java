package io.haltsupervisor.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Turns SIGINT and SIGTERM into a clean return from {@link #await()}, so a long-running command can
 * close its components in reverse order and exit 0 instead of dying in shutdown hooks with 130/143.
 */
public final class Signals {
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile String received;

    private Signals() {
    }

    public static Signals install() {
        Signals s = new Signals();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), sig -> {
                s.received = "SIG" + sig.getName();
                s.stop.countDown();
            });
        }
        return s;
    }

    /** Blocks until SIGINT or SIGTERM (or {@link #trigger()}); returns the signal's name. */
    public String await() throws InterruptedException {
        stop.await();
        return received;
    }

    /** Like {@link #await()} but gives up after {@code limit}; returns null then. */
    public String await(java.time.Duration limit) throws InterruptedException {
        return stop.await(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) ? received : null;
    }

    /** Ends {@link #await()} from inside the process (e.g. {@code --exit-when-done}). */
    public void trigger() {
        received = "done";
        stop.countDown();
    }
}
