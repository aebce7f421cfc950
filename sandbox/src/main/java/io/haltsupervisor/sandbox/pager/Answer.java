package io.haltsupervisor.sandbox.pager;

import java.time.Duration;
import java.util.Objects;

/**
 * What a receiver answers one request: a status, a body (sent as {@code application/json}, may be empty)
 * and how long it waits before answering.
 */
public record Answer(int status, String body, Duration delay) {

    public Answer {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(delay, "delay");
    }

    public static Answer of(int status, String body) {
        return new Answer(status, body, Duration.ZERO);
    }

    /** This answer, sent only after {@code delay} (for client timeouts; holds one of the receiver's threads). */
    public Answer after(Duration delay) {
        return new Answer(status, body, delay);
    }
}
