package io.haltsupervisor.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Value of {@code seid.dead-letters.v1}: a record a component could not process. The dead letter <em>points at</em>
 * the record — source topic, partition and offset, where the record itself stays for the topic's retention — and
 * describes it: its size, its SHA-256, bounded excerpts of its key and value, and a bounded error. A dead letter is
 * never larger than {@link #BUDGET_BYTES}, whatever the record, so writing it cannot fail for its size (the
 * producer's and the topic's limit is 1 MiB). Build one with {@link #of}; every component that dead-letters
 * (decider, actuator) uses it.
 *
 * <p>Keyed by the source record's key when that key is at most {@link #MAX_KEY_EXCERPT_BYTES} (so it lands beside
 * the node's story), else unkeyed.
 *
 * @param sourceTopic        where the record is
 * @param partition          its partition
 * @param offset             its offset
 * @param sourceTimestamp    its timestamp
 * @param category           what kind of problem it has
 * @param keyBase64          its key bytes, base64, at most the first {@link #MAX_KEY_EXCERPT_BYTES} of them (absent
 *                           when it had no key)
 * @param keySize            the key's full size in bytes (absent when it had no key)
 * @param valueSize          the value's full size in bytes (absent for a tombstone)
 * @param valueSha256        SHA-256 of the whole value, lower-case hex (absent for a tombstone)
 * @param valueExcerptBase64 the value's first bytes, base64, at most {@link #MAX_VALUE_EXCERPT_BYTES} of them (absent
 *                           for a tombstone); the whole value when {@code valueSize} is not larger
 * @param error              what was wrong, naming the topic and the field where known; at most
 *                           {@link #MAX_ERROR_CHARS} characters, control characters replaced
 * @param errorClass         the exception class
 * @param component          which component gave up on it ({@code decider}, {@code actuator}, …)
 * @param recordedAt         when it was dead-lettered
 */
public record DeadLetterRecorded(
        int schemaVersion,
        String sourceTopic,
        @JsonProperty(required = true) int partition,
        @JsonProperty(required = true) long offset,
        Instant sourceTimestamp,
        Category category,
        String keyBase64,
        Integer keySize,
        Integer valueSize,
        String valueSha256,
        String valueExcerptBase64,
        String error,
        String errorClass,
        String component,
        Instant recordedAt) {

    public static final int SCHEMA_VERSION = 1;
    /** The most a serialised dead letter takes, in bytes: well under the producer's and topic's 1 MiB. */
    public static final int BUDGET_BYTES = 16 * 1024;
    /** The most of a value a dead letter quotes. */
    public static final int MAX_VALUE_EXCERPT_BYTES = 6 * 1024;
    /** The most of a key a dead letter quotes (and the longest key it is keyed by). */
    public static final int MAX_KEY_EXCERPT_BYTES = 512;
    /** The longest error text. */
    public static final int MAX_ERROR_CHARS = 1000;
    private static final int MAX_CLASS_CHARS = 200;
    private static final int MAX_COMPONENT_CHARS = 64;

    /** What was wrong with the record. */
    public enum Category {
        /** It is not a record of the topic's type (not JSON, wrong types, a missing field, an unknown version). */
        @JsonProperty("malformed") MALFORMED,
        /** Larger than the topic's readers accept ({@link Topics#MAX_INPUT_BYTES}, {@link Topics#MAX_DECISION_BYTES}). */
        @JsonProperty("oversized") OVERSIZED,
        /** It reads, but cannot be used: a wrong key for its body, a tombstone where an event is expected. */
        @JsonProperty("rejected") REJECTED,
        /** On a partition other than the one its key maps to under Kafka's default partitioner ({@link Partitioning}). */
        @JsonProperty("misrouted") MISROUTED,
        /** Processing it failed unexpectedly (a bug, or an output that could not be written). */
        @JsonProperty("failed") FAILED
    }

    public DeadLetterRecorded {
        Require.schemaVersion(schemaVersion, SCHEMA_VERSION);
        Require.nonBlank(sourceTopic, "sourceTopic");
        if (partition < 0) {
            throw new IllegalArgumentException("field 'partition' must be >= 0, got " + partition);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("field 'offset' must be >= 0, got " + offset);
        }
        Require.present(category, "category");
        Require.nonBlank(error, "error");
        Require.nonBlank(component, "component");
        Require.present(recordedAt, "recordedAt");
    }

    /**
     * The dead letter of one record, within {@link #BUDGET_BYTES}.
     *
     * @param key   the record's key bytes as read (null: no key)
     * @param value the record's value bytes as read (null: a tombstone)
     */
    public static DeadLetterRecorded of(String sourceTopic, int partition, long offset, Instant sourceTimestamp,
            byte[] key, byte[] value, Category category, Throwable error, String component, Instant recordedAt) {
        Base64.Encoder b64 = Base64.getEncoder();
        DeadLetterRecorded letter = new DeadLetterRecorded(SCHEMA_VERSION, sourceTopic, partition, offset,
                sourceTimestamp, category,
                key == null ? null : b64.encodeToString(head(key, MAX_KEY_EXCERPT_BYTES)),
                key == null ? null : key.length,
                value == null ? null : value.length,
                value == null ? null : sha256(value),
                value == null ? null : b64.encodeToString(head(value, MAX_VALUE_EXCERPT_BYTES)),
                bounded(describe(error), MAX_ERROR_CHARS), bounded(error.getClass().getName(), MAX_CLASS_CHARS),
                bounded(component, MAX_COMPONENT_CHARS), recordedAt);
        if (letter.serialized().length <= BUDGET_BYTES) {
            return letter;
        }
        // unreachable with a valid topic name (at most 249 ASCII characters); kept so that nothing can exceed it
        return new DeadLetterRecorded(SCHEMA_VERSION, bounded(sourceTopic, 249), partition, offset, sourceTimestamp,
                category, null, letter.keySize, letter.valueSize, letter.valueSha256, null,
                bounded(letter.error, 200), letter.errorClass, letter.component, recordedAt);
    }

    /** The category of an exception a reader threw: oversized, malformed (any other deserialisation failure). */
    public static Category categoryOfReadError(Throwable error) {
        return error instanceof OversizedRecordException ? Category.OVERSIZED : Category.MALFORMED;
    }

    /** This dead letter as JSON bytes (never more than {@link #BUDGET_BYTES} when built with {@link #of}). */
    public byte[] serialized() {
        return Topics.DEAD_LETTERS.valueSerde().serializer().serialize(Topics.DEAD_LETTERS.name(), this);
    }

    /**
     * The record to write to {@code seid.dead-letters.v1}: keyed by {@code sourceKey} when it is short enough, with
     * the source record's timestamp when it had one.
     */
    public ProducerRecord<byte[], byte[]> toProducerRecord(byte[] sourceKey) {
        byte[] key = sourceKey != null && sourceKey.length <= MAX_KEY_EXCERPT_BYTES ? sourceKey : null;
        Long timestamp = sourceTimestamp == null || sourceTimestamp.toEpochMilli() < 0 ? null
                : sourceTimestamp.toEpochMilli();
        return new ProducerRecord<>(Topics.DEAD_LETTERS.name(), null, timestamp, key, serialized());
    }

    /** The value excerpt decoded (the value's first bytes), or null for a tombstone. */
    public byte[] valueExcerpt() {
        return valueExcerptBase64 == null ? null : Base64.getDecoder().decode(valueExcerptBase64);
    }

    /** SHA-256 of {@code bytes}, lower-case hex: what {@link #valueSha256()} holds for a value. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** The most specific message of an exception chain, prefixed by the outer message when different. */
    static String describe(Throwable error) {
        Throwable root = error;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 32; depth++) {
            root = root.getCause();
        }
        String outer = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        if (root == error || root.getMessage() == null || outer.contains(root.getMessage())) {
            return outer;
        }
        return outer + ": " + root.getMessage();
    }

    /** At most {@code max} characters, control characters replaced by '?', never a split surrogate pair. */
    static String bounded(String text, int max) {
        String s = text.length() > max ? text.substring(0, Character.isHighSurrogate(text.charAt(max - 1))
                ? max - 1 : max) : text;
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) || (Character.isSurrogate(c) && !pairedAt(s, i)) ? '?' : c);
        }
        if (text.length() > s.length()) {
            out.append(" …(").append(text.length()).append(" characters)");
        }
        return out.toString();
    }

    private static boolean pairedAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    private static byte[] head(byte[] bytes, int max) {
        return bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
    }

    @Override
    public String toString() {
        return "DeadLetterRecorded[" + sourceTopic + "-" + partition + "@" + offset + " " + category + " by "
                + component + ": " + error + "]";
    }

    /** Key bytes as text, for display: the excerpt decoded as UTF-8. */
    public String keyText() {
        return keyBase64 == null ? null : new String(Base64.getDecoder().decode(keyBase64), StandardCharsets.UTF_8);
    }
}
