package io.haltsupervisor.actuator;

/**
 * A result could not be recorded, or the session is failing: the decision stops where it is, acting on nothing
 * more, and the session restarts; the next one runs the unrecorded steps again (idempotently).
 */
final class RecordingFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RecordingFailedException(RuntimeException cause) {
        super("recording an action result failed: " + cause.getMessage(), cause);
    }
}
