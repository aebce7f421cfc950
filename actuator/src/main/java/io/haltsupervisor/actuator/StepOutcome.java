package io.haltsupervisor.actuator;

import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import java.util.Objects;

/** What one attempt at a step came to, as the executors report it; the runner turns it into action results. */
public sealed interface StepOutcome {

    String detail();

    /** Done: {@link Outcome#APPLIED} or {@link Outcome#ALREADY_APPLIED}. */
    record Done(Outcome outcome, String detail) implements StepOutcome {
        public Done {
            if (outcome != Outcome.APPLIED && outcome != Outcome.ALREADY_APPLIED) {
                throw new IllegalArgumentException("Done is applied or already-applied, got " + outcome);
            }
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** A policy forbids it: recorded as refused-by-policy, never retried, and paged. */
    record Refused(String detail) implements StepOutcome {
    }

    /** A transient failure (409, 429, 5xx, timeout): retried with backoff. */
    record Retriable(String detail) implements StepOutcome {
    }

    /** A permanent failure: recorded as failed, never retried, and paged. */
    record Failed(String detail) implements StepOutcome {
    }

    /**
     * The change was made but another writer set it back (after at most one re-apply): recorded as
     * {@link Outcome#REVERTED}, never retried, and paged at once with its own dedup key ({@code /reverted}).
     *
     * @param detail   what was set back, from what to what, when
     * @param revertedBy the field manager that last wrote the field ({@code metadata.managedFields}), or null when
     *                 the API server records none
     * @param through  the object the change came through (owner chain), e.g. {@code StatefulSet sei/rpc-0}
     */
    record Reverted(String detail, String revertedBy, String through) implements StepOutcome {
        public Reverted {
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(through, "through");
        }
    }

    public static StepOutcome applied(String detail) {
        return new Done(Outcome.APPLIED, detail);
    }

    public static StepOutcome alreadyApplied(String detail) {
        return new Done(Outcome.ALREADY_APPLIED, detail);
    }
}
