package io.haltsupervisor.pollers.status;

import java.util.Objects;

/**
 * Why one poll of a node's {@code /status} told us nothing: a counted observation error, never a halt.
 *
 * @param kind    the class of failure (the {@code kind} tag of the error metric)
 * @param message what was wrong, naming the field or the HTTP status where there is one
 */
public record ObservationError(Kind kind, String message) {

    public ObservationError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** Failure classes; tokens are metric tag values and appear in logs. */
    public enum Kind {
        /** No connection or no complete response within the timeouts. */
        TIMEOUT("timeout"),
        /** The connection was refused (nothing listening). */
        REFUSED("refused"),
        /** Any other network failure (reset, closed early, unresolvable host, TLS). */
        IO("io"),
        /** A non-2xx HTTP status. */
        HTTP_STATUS("http-status"),
        /** The body is larger than the cap; reading stopped there. */
        OVERSIZED("oversized"),
        /** Not a JSON object, or not shaped like a {@code /status} document. */
        MALFORMED("malformed"),
        /** A JSON-RPC error response instead of a result. */
        RPC_ERROR("rpc-error"),
        /** A {@code /status} field of the wrong type or out of range. */
        WRONG_TYPE("wrong-type"),
        /** {@code halt_intent} present but not following the contract (reason, height, announced_at…). */
        INVALID_INTENT("invalid-intent");

        private final String token;

        Kind(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }
    }

    @Override
    public String toString() {
        return kind.token() + ": " + message;
    }
}
