package io.haltsupervisor.decider.streams;

/**
 * A record on a partition other than the one its key maps to ({@link io.haltsupervisor.schemas.Partitioning}):
 * this task must not decide for a node whose story another task holds. Thrown before any state changes.
 */
public class MisroutedRecordException extends RejectedRecordException {
    private static final long serialVersionUID = 1L;

    public MisroutedRecordException(String message) {
        super(message);
    }
}
