package io.haltsupervisor.decider.streams;

/**
 * A record that deserialised but that the decider cannot use (wrong key, missing value, …). Thrown
 * before any state changes, so the processing exception handler can dead-letter it and go on.
 */
public class RejectedRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RejectedRecordException(String message) {
        super(message);
    }
}
