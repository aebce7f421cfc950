package io.haltsupervisor.actuator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks concurrently across keys and in order within a key: one lane per key (a node id, or the fleet key),
 * at most {@code acting} lanes acting at a time. A task of a key runs only after every earlier task of that key has
 * finished; tasks of different keys never wait for each other beyond that bound. A lane that only waits
 * ({@link LaneWaits}: a hold check, a rollout poll, a backoff) gives its permit back meanwhile, so up to
 * {@code threads} lanes can be open at once. A task's exception is logged and does not stop its lane.
 */
final class NodeLanes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLanes.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final ExecutorService pool;
    /** Permits to act: a lane holds one while its task runs, except while it waits ({@link LaneWaits}). */
    private final Semaphore acting;
    /** Keys with a lane running; the queue holds its tasks waiting behind the running one. */
    private final Map<String, ArrayDeque<Runnable>> lanes = new HashMap<>();
    private int pending;

    /**
     * @param acting  lanes acting at once at most
     * @param threads lanes open at once at most (acting or waiting), at least {@code acting}
     */
    NodeLanes(int acting, int threads, String name) {
        if (acting < 1 || threads < acting) {
            throw new IllegalArgumentException("expected 1 <= acting <= threads, got acting " + acting + ", threads "
                    + threads);
        }
        this.acting = new Semaphore(acting);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code task} behind the earlier tasks of {@code key}. */
    void submit(String key, Runnable task) {
        synchronized (this) {
            pending++;
            ArrayDeque<Runnable> waiting = lanes.get(key);
            if (waiting != null) {
                waiting.add(task);
                return;
            }
            lanes.put(key, new ArrayDeque<>());
        }
        try {
            pool.execute(() -> drain(key, task));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            synchronized (this) {
                pending--;
                lanes.remove(key);
                notifyAll();
            }
            throw e;
        }
    }

    private void drain(String key, Runnable first) {
        Runnable next = first;
        boolean finished = false;
        try {
            while (next != null) {
                try {
                    acting.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    synchronized (this) {
                        pending--; // this task never runs; the lane's waiting ones are dropped below
                        notifyAll();
                    }
                    throw new IllegalStateException("interrupted while waiting to act for " + key, e);
                }
                LaneWaits.bind(acting);
                try {
                    next.run();
                } catch (RuntimeException e) {
                    LOG.error("A task for {} failed; its lane goes on", key, e);
                } finally {
                    LaneWaits.bind(null);
                    acting.release();
                    synchronized (this) {
                        pending--;
                        notifyAll();
                    }
                }
                synchronized (this) {
                    ArrayDeque<Runnable> waiting = lanes.get(key);
                    next = waiting == null ? null : waiting.poll();
                    if (next == null) {
                        lanes.remove(key);
                    }
                }
            }
            finished = true;
        } finally {
            if (!finished) {
                // an Error: the lane's waiting tasks are dropped (the session is going away)
                synchronized (this) {
                    ArrayDeque<Runnable> waiting = lanes.remove(key);
                    pending -= waiting == null ? 0 : waiting.size();
                    notifyAll();
                }
            }
        }
    }

    /** Tasks queued or running. */
    synchronized int pending() {
        return pending;
    }

    /** Waits until at most {@code max} tasks are queued or running. */
    synchronized void awaitAtMost(int max) throws InterruptedException {
        while (pending > max) {
            wait();
        }
    }

    /** Waits until every task submitted so far has finished. */
    void awaitIdle() throws InterruptedException {
        awaitAtMost(0);
    }

    /** Interrupts the running tasks and waits a little for them; queued tasks are dropped. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Decision lanes still running {} after being interrupted", CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            lanes.clear();
            pending = 0;
            notifyAll();
        }
    }
}
