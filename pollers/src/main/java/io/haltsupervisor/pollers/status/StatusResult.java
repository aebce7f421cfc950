package io.haltsupervisor.pollers.status;

import java.util.Objects;

/** The outcome of one poll: the node's status, or why there is none. */
public sealed interface StatusResult {

    /** The body was a valid {@code /status}. */
    record Read(NodeStatus status) implements StatusResult {
        public Read {
            Objects.requireNonNull(status, "status");
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
