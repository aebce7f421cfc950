package io.haltsupervisor.actuator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks concurrently across keys and in order within a key: one lane per key (a node id, or the fleet key),
 * at most {@code threads} lanes at a time. A task of a key runs only after every earlier task of that key has
 * finished, on whichever thread is free; tasks of different keys never wait for each other beyond the thread
 * bound. A task's exception is logged and does not stop its lane.
 */
final class NodeLanes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLanes.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final ExecutorService pool;
    /** Keys with a lane running; the queue holds its tasks waiting behind the running one. */
    private final Map<String, ArrayDeque<Runnable>> lanes = new HashMap<>();
    private int pending;

    NodeLanes(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected at least 1, got " + threads);
        }
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
                    next.run();
                } catch (RuntimeException e) {
                    LOG.error("A task for {} failed; its lane goes on", key, e);
                } finally {
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
