package io.haltsupervisor.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * Value of {@code seid.dead-letters.v1}: a record a component could not process, kept whole so that
 * nothing is lost. Keyed by the source record's key (when it was readable text) so it lands beside
 * the node's story.
 *
 * @param sourceTopic     where the record came from
 * @param partition       its partition
 * @param offset          its offset
 * @param sourceTimestamp its timestamp
 * @param keyBase64       its key bytes, base64 (null when it had no key)
 * @param valueBase64     its value bytes, base64 (null for a tombstone)
 * @param error           what was wrong, naming the topic and the field where known
 * @param errorClass      the exception class
 * @param component       which component gave up on it ({@code decider}, {@code actuator}, …)
 * @param recordedAt      when it was dead-lettered
 */
public record DeadLetterRecorded(
        int schemaVersion,
        String sourceTopic,
        @JsonProperty(required = true) int partition,
        @JsonProperty(required = true) long offset,
        Instant sourceTimestamp,
        String keyBase64,
        String valueBase64,
        String error,
        String errorClass,
        String component,
        Instant recordedAt) {

    public static final int SCHEMA_VERSION = 1;

    public DeadLetterRecorded {
        Require.schemaVersion(schemaVersion);
        Require.nonBlank(sourceTopic, "sourceTopic");
        if (partition < 0) {
            throw new IllegalArgumentException("field 'partition' must be >= 0, got " + partition);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("field 'offset' must be >= 0, got " + offset);
        }
        Require.nonBlank(error, "error");
        Require.nonBlank(component, "component");
        Require.present(recordedAt, "recordedAt");
    }

    public static DeadLetterRecorded of(String sourceTopic, int partition, long offset, Instant sourceTimestamp,
            byte[] key, byte[] value, Throwable error, String component, Instant recordedAt) {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        return new DeadLetterRecorded(SCHEMA_VERSION, sourceTopic, partition, offset, sourceTimestamp,
                key == null ? null : b64.encodeToString(key), value == null ? null : b64.encodeToString(value),
                describe(error), error.getClass().getName(), component, recordedAt);
    }

    /** The most specific message of an exception chain, prefixed by the outer message when different. */
    static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String outer = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        if (root == error || root.getMessage() == null || outer.contains(root.getMessage())) {
            return outer;
        }
        return outer + ": " + root.getMessage();
    }
}
