package io.haltsupervisor.decider.service;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Why the decider cannot go on, once it cannot: set by the stream thread's uncaught-exception handler and by the
 * production handler when an output cannot be written; read by {@code /healthy} and dev mode's console. Passed to
 * the Streams handlers under {@link #CONFIG}.
 */
public final class DeciderHealth {
    /** Streams config key under which the instance reaches the handlers. */
    public static final String CONFIG = "halt-supervisor.decider.health";

    private final AtomicReference<String> failure = new AtomicReference<>();

    /** Records the first reason the decider stopped (later ones are logged by their callers only). */
    public void failed(String why) {
        failure.compareAndSet(null, why);
    }

    /** The reason the decider stopped processing, if it did. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }
}
