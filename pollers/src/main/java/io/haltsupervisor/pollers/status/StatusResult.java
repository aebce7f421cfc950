package io.haltsupervisor.pollers.status;

import java.util.Objects;

/** The outcome of one poll: the node's status, or why there is none. */
public sealed interface StatusResult {

    /**
     * The body was a valid {@code /status}. {@code tolerated} names what was wrong with its {@code halt_intent}'s
     * {@code reason_string} and read past anyway (the numeric {@code reason} is authoritative), or is null.
     */
    record Read(NodeStatus status, ReasonStringIssue tolerated) implements StatusResult {
        public Read {
            Objects.requireNonNull(status, "status");
        }

        public Read(NodeStatus status) {
            this(status, null);
        }
    }

    /**
     * A {@code reason_string} that does not match the numeric {@code reason} of its {@code halt_intent}: counted
     * ({@code halt_supervisor_poller_reason_string_tolerated_total{issue}}) and tolerated, never a failed poll.
     */
    enum ReasonStringIssue {
        /** Absent or blank: derived from the code. */
        MISSING("missing"),
        /** A token we know that names another reason than the code. */
        DISAGREES("disagrees"),
        /** {@code "unknown"} beside a non-zero code. */
        UNKNOWN("unknown");

        private final String token;

        ReasonStringIssue(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }
    }

    /** Nothing could be read; never a halt. */
    record Failed(ObservationError error) implements StatusResult {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }

    static StatusResult failed(ObservationError.Kind kind, String message) {
        return new Failed(new ObservationError(kind, message));
    }
}
