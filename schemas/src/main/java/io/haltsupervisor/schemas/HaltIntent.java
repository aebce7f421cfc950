package io.haltsupervisor.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * The structured reason a {@code seid} gives for halting, as served in {@code halt_intent} on
 * {@code /status}. Field names are wire contract.
 *
 * <p>Reading is tolerant ({@link #fromJson(JsonNode)}): {@code height} as a JSON number or a decimal
 * string, {@code announced_at} as RFC 3339 with up to nanoseconds and any offset, {@code info} as a
 * string (or an object, kept as its JSON text), unknown fields ignored, a missing (or non-string)
 * {@code reason_string} derived from the code — the numeric {@code reason} is authoritative. Anything else is rejected with an
 * {@link InvalidHaltIntentException} naming the field and what was expected. Writing is strict:
 * {@code reason} and {@code reason_string} always, {@code height} as a number, absent fields
 * omitted.
 *
 * @param reason       the raw graceful-halt code (70–89), or 0 when the node gave no known reason
 *                     (sei-config's {@code ShutdownReasonUnknown}: graceful but unrecognised)
 * @param reasonString the token as the node sent it (or derived from the code when absent)
 * @param planName     the upgrade plan name, may be null
 * @param height       the upgrade height, may be null, never negative
 * @param info         the plan's info string (often JSON), may be null
 * @param announcedAt  when the node announced the halt, may be null
 */
@JsonPropertyOrder({"reason", "reason_string", "plan_name", "height", "info", "announced_at"})
public record HaltIntent(
        @JsonProperty("reason") int reason,
        @JsonProperty("reason_string") String reasonString,
        @JsonProperty("plan_name") String planName,
        @JsonProperty("height") Long height,
        @JsonProperty("info") String info,
        @JsonProperty("announced_at") Instant announcedAt) {

    public HaltIntent {
        if (!ShutdownReason.isHaltReason(reason)) {
            throw new InvalidHaltIntentException("reason", "a graceful halt code 70–89 (or 0)", Integer.toString(reason));
        }
        if (height != null && height < 0) {
            throw new InvalidHaltIntentException("height", "a non-negative integer", height.toString());
        }
        if (reasonString == null || reasonString.isBlank()) {
            reasonString = ShutdownReason.ofCode(reason).token();
        }
        if (planName != null && planName.isBlank()) {
            planName = null;
        }
    }

    /** The halt code with its reason; the raw code is kept. */
    @JsonIgnore
    public HaltCode code() {
        return new HaltCode(reason);
    }

    /** The typed reason (reserved codes map to their range). */
    @JsonIgnore
    public ShutdownReason shutdownReason() {
        return ShutdownReason.ofCode(reason);
    }

    /** Jackson entry point: everything goes through the tolerant parser. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static HaltIntent fromJsonNode(JsonNode node) {
        return fromJson(node);
    }

    /**
     * Parses a {@code halt_intent} object tolerantly.
     *
     * @throws InvalidHaltIntentException naming the offending field and what was expected
     */
    public static HaltIntent fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidHaltIntentException("halt_intent", "a JSON object", describe(node));
        }
        int reason = parseReason(node.get("reason"));
        // the numeric reason is authoritative: a reason_string that is not a string is read as absent
        JsonNode rawReasonString = node.get("reason_string");
        String reasonString = rawReasonString != null && rawReasonString.isTextual() ? rawReasonString.textValue() : null;
        String planName = optionalText(node, "plan_name");
        Long height = parseHeight(node.get("height"));
        String info = parseInfo(node.get("info"));
        Instant announcedAt = parseInstant(node.get("announced_at"));
        return new HaltIntent(reason, reasonString, planName, height, info, announcedAt);
    }

    private static int parseReason(JsonNode n) {
        if (n == null || n.isNull()) {
            throw new InvalidHaltIntentException("reason", "a graceful halt code 70–89 (or 0)", "nothing");
        }
        long value;
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            value = n.longValue();
        } else if (n.isTextual() && isDigits(n.textValue().trim(), 1, 9)) {
            value = Long.parseLong(n.textValue().trim());
        } else {
            throw new InvalidHaltIntentException("reason", "an integer halt code 70–89 (or 0)", describe(n));
        }
        if (value != (int) value || !ShutdownReason.isHaltReason((int) value)) {
            throw new InvalidHaltIntentException("reason", "a graceful halt code 70–89 (or 0)", Long.toString(value));
        }
        return (int) value;
    }

    /** An int64 that the node may send as a JSON number or as a decimal string. */
    static Long parseHeight(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        String text;
        if (n.isIntegralNumber()) {
            if (!n.canConvertToLong()) {
                throw new InvalidHaltIntentException("height", "an int64", n.asText());
            }
            text = Long.toString(n.longValue());
        } else if (n.isTextual()) {
            text = n.textValue().trim();
            if (text.isEmpty()) {
                return null;
            }
        } else if (n.isNumber()) {
            // 1.5e8 is fine if integral; 1.5 is not
            try {
                BigDecimal d = n.decimalValue();
                return nonNegativeHeight(d.toBigIntegerExact().longValueExact(), n);
            } catch (ArithmeticException | NumberFormatException e) {
                // NumberFormatException: 1e999 reads as an infinite double, which has no decimal value
                throw new InvalidHaltIntentException("height", "an integer", n.asText());
            }
        } else {
            throw new InvalidHaltIntentException("height", "an integer or a decimal string", describe(n));
        }
        if (!isDigits(text.startsWith("-") ? text.substring(1) : text, 1, Integer.MAX_VALUE)) {
            throw new InvalidHaltIntentException("height", "an integer or a decimal string", '"' + text + '"');
        }
        try {
            return nonNegativeHeight(Long.parseLong(text), n);
        } catch (NumberFormatException e) {
            throw new InvalidHaltIntentException("height", "an int64", '"' + text + '"');
        }
    }

    /** Whether {@code text} is {@code min}–{@code max} ASCII digits (what {@code \d{min,max}} matches). */
    private static boolean isDigits(String text, int min, int max) {
        if (text.length() < min || text.length() > max) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static Long nonNegativeHeight(long value, JsonNode n) {
        if (value < 0) {
            throw new InvalidHaltIntentException("height", "a non-negative integer", n.toString());
        }
        return value;
    }

    private static String parseInfo(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isContainerNode()) {
            return n.toString();
        }
        throw new InvalidHaltIntentException("info", "a string", describe(n));
    }

    private static Instant parseInstant(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidHaltIntentException("announced_at", "an RFC 3339 timestamp string", describe(n));
        }
        String text = n.textValue().trim();
        Instant utc = Timestamps.parseUtc(text);
        if (utc != null) {
            return utc;
        }
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidHaltIntentException("announced_at", "an RFC 3339 timestamp", '"' + text + '"');
        }
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidHaltIntentException(field, "a string", describe(n));
        }
        return n.textValue();
    }

    static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        String kind = switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case BOOLEAN -> "a boolean " + n.asText();
            case NUMBER -> "the number " + n.asText();
            case STRING -> "the string \"" + abbreviate(n.textValue()) + '"';
            case NULL -> "null";
            default -> Objects.toString(n.getNodeType()).toLowerCase(java.util.Locale.ROOT);
        };
        return kind;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
