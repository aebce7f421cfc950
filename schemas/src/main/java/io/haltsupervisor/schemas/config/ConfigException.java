package io.haltsupervisor.schemas.config;

import java.util.List;

/**
 * Every bad setting of a configuration at once: one {@link Problem} per variable, each naming the variable,
 * the value (unless it is secret) and what was expected. With one problem the message is that problem
 * ({@code POLLER_INTERVAL: expected a duration between 100ms and 3600s, got '0s'}); with several it lists
 * them, one a line.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** One bad setting: {@code variable: message}. */
    public record Problem(String variable, String message) {
        @Override
        public String toString() {
            return variable + ": " + message;
        }
    }

    private final transient List<Problem> problems;

    public ConfigException(List<Problem> problems) {
        super(message(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The bad settings, in the order they were read. */
    public List<Problem> problems() {
        return problems;
    }

    /** Throws one exception holding every problem of {@code problems}, if there is any. */
    public static void throwIfAny(List<Problem> problems) {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    private static String message(List<Problem> problems) {
        if (problems.size() == 1) {
            return problems.get(0).toString();
        }
        StringBuilder sb = new StringBuilder(problems.size() + " settings are invalid:");
        problems.forEach(p -> sb.append("\n  ").append(p));
        return sb.toString();
    }
}
