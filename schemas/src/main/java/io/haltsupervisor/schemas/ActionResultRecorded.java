package io.haltsupervisor.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;

/**
 * Value of {@code seid.action-results.v1}, keyed by node id (or {@link Topics#FLEET_KEY}): the outcome
 * of one step the actuator took for a decision. {@code (decisionId, step)} identifies a step; a step
 * whose final outcome is recorded is never executed again.
 *
 * @param decisionId   the decision this step belongs to
 * @param incidentId   the decision's incident
 * @param decisionKind the decision's kind token
 * @param step         the step name, e.g. {@code set-image}, {@code delete-pod}, {@code page-trigger}
 * @param stepIndex    position of the step in the decision's plan (0-based)
 * @param target       what was acted on, e.g. {@code SeiNode sei/node-0} or {@code pagerduty}
 * @param outcome      what happened
 * @param detail       a human-readable detail (never a secret)
 * @param attempt      1 for the first attempt
 * @param recordedAt   when the result was recorded
 */
public record ActionResultRecorded(
        int schemaVersion,
        String decisionId,
        String incidentId,
        String nodeId,
        String decisionKind,
        String step,
        @JsonProperty(required = true) int stepIndex,
        String target,
        Outcome outcome,
        String detail,
        @JsonProperty(required = true) int attempt,
        Instant recordedAt) {

    public static final int SCHEMA_VERSION = 1;

    public ActionResultRecorded {
        Require.schemaVersion(schemaVersion, SCHEMA_VERSION);
        Require.nonBlank(decisionId, "decisionId");
        Require.nonBlank(incidentId, "incidentId");
        if (nodeId != null) {
            Require.nodeId(nodeId, "nodeId");
        }
        Require.nonBlank(decisionKind, "decisionKind");
        Require.nonBlank(step, "step");
        if (stepIndex < 0) {
            throw new IllegalArgumentException("field 'stepIndex' must be >= 0, got " + stepIndex);
        }
        Require.present(outcome, "outcome");
        if (attempt < 1) {
            throw new IllegalArgumentException("field 'attempt' must be >= 1, got " + attempt);
        }
        Require.present(recordedAt, "recordedAt");
    }

    /** The record key. */
    public String key() {
        return nodeId == null ? Topics.FLEET_KEY : nodeId;
    }

    /** Outcome of a step. {@link #FAILED_RETRYING} is the only non-final outcome. */
    public enum Outcome {
        APPLIED("applied"),
        ALREADY_APPLIED("already-applied"),
        DRY_RUN("dry-run"),
        REFUSED_BY_POLICY("refused-by-policy"),
        FAILED_RETRYING("failed-retrying"),
        FAILED("failed"),
        /**
         * The change was made but did not hold: another writer (a parent controller, Argo CD, Flux) set the field
         * back within the hold window, after at most one re-apply; final, paged at once, and the incident is held
         * for a human (docs/requirements.md §4).
         */
        REVERTED("reverted");

        private final String token;

        Outcome(String token) {
            this.token = token;
        }

        @JsonValue
        public String token() {
            return token;
        }

        public boolean isFinal() {
            return this != FAILED_RETRYING;
        }

        @JsonCreator
        public static Outcome fromToken(String token) {
            for (Outcome o : values()) {
                if (o.token.equals(token)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("outcome: expected applied, already-applied, dry-run, "
                    + "refused-by-policy, failed-retrying, failed or reverted, got '" + token + "'");
        }
    }
}
