package io.haltsupervisor.actuator.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code metav1.Condition} semantics, as a pure function over condition lists: {@code lastTransitionTime}
 * changes only when {@code status} changes; {@code observedGeneration} is the generation of the object the
 * condition was computed from; an upsert that changes nothing is reported as such, so the caller can skip
 * the write (already applied).
 */
public final class Conditions {
    /** The condition type the supervisor owns. */
    public static final String TYPE_UPGRADING = "Upgrading";

    /** metav1.Condition's validation of {@code reason}. */
    private static final Pattern REASON = Pattern.compile("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
    private static final int MAX_REASON = 1024;
    private static final int MAX_MESSAGE = 32768;

    private Conditions() {
    }

    /** {@code metav1.ConditionStatus}. */
    public enum Status {
        True,
        False,
        Unknown
    }

    /**
     * One {@code metav1.Condition}, field names as in the API; {@code lastTransitionTime} RFC 3339 with
     * seconds, as the API server writes it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "status", "observedGeneration", "lastTransitionTime", "reason", "message"})
    public record Condition(String type, Status status, Long observedGeneration, String lastTransitionTime,
            String reason, String message) {
        public Condition {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(reason, "reason");
            if (!REASON.matcher(reason).matches() || reason.length() > MAX_REASON) {
                throw new IllegalArgumentException("condition reason '" + reason
                        + "' is not valid: expected CamelCase matching " + REASON.pattern());
            }
            message = Text.truncateChars(message == null ? "" : message, MAX_MESSAGE);
        }
    }

    /** The result of an upsert: the condition to write, and whether it differs from the current one. */
    public record Upsert(Condition condition, boolean changed) {
    }

    /**
     * Computes {@code type=status, reason, message} over the current condition of that type.
     *
     * @param current    the object's current condition of {@code type}, or null
     * @param status     the new status, or null to keep the current one ({@code False} if there is none)
     * @param generation the observed object's {@code metadata.generation}, may be null
     * @param now        the time to use as {@code lastTransitionTime} if the status changes
     */
    public static Upsert upsert(Condition current, String type, Status status, String reason, String message,
            Long generation, Instant now) {
        Status newStatus = status != null ? status : current != null ? current.status() : Status.False;
        String transition = current != null && current.status() == newStatus && current.lastTransitionTime() != null
                ? current.lastTransitionTime()
                : format(now);
        Condition desired = new Condition(type, newStatus, generation, transition, reason, message);
        return new Upsert(desired, !desired.equals(current));
    }

    /**
     * Reads a condition of {@code type} from its JSON form (a map, as in {@code status.conditions}), leniently:
     * a malformed condition (unknown status, invalid reason) is treated as absent, so it gets overwritten by a
     * valid one instead of blocking the write.
     */
    public static Condition read(Object raw, String type) {
        if (!(raw instanceof java.util.Map<?, ?> m) || !type.equals(m.get("type"))) {
            return null;
        }
        try {
            Status status = Status.valueOf(String.valueOf(m.get("status")));
            Object gen = m.get("observedGeneration");
            Long generation = gen instanceof Number n ? Long.valueOf(n.longValue()) : null;
            Object ltt = m.get("lastTransitionTime");
            Object reason = m.get("reason");
            Object message = m.get("message");
            return new Condition(type, status, generation, ltt == null ? null : ltt.toString(),
                    reason == null ? "" : reason.toString(), message == null ? "" : message.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** RFC 3339 at second precision, as Kubernetes serialises {@code metav1.Time}. */
    public static String format(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
