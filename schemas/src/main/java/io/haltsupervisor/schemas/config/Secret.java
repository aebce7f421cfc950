package io.haltsupervisor.schemas.config;

import java.util.Objects;

/**
 * A routing key, token or password read from a secret setting: its value never reaches a log, an error, a
 * result or {@code toString()} (which is {@value Redaction#REDACTED}).
 */
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The secret itself, for the one HTTP header, body field or client property that needs it. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return Redaction.REDACTED;
    }
}
