package io.haltsupervisor.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Hand-written readers for the two events the decider reads by the million ({@link HaltObserved} and
 * {@link NodeObservation}), for the exact shape {@link Json#MAPPER} writes them in. They are a fast path,
 * not a second definition of the contract: whenever a value is not in that shape — a field of another JSON
 * type, a number that needs coercing, a duplicate field, an instant not in the canonical UTC form, a missing
 * required field, trailing tokens, malformed JSON, a value the record's constructor rejects — they decline
 * ({@link #decode} returns null) and {@link JsonSerde} reads the bytes with Jackson's data binding, which
 * then accepts or rejects them with its usual message. So what is accepted, the value it yields and every
 * error stay data binding's; {@code FastDecodersTest} holds the two to the same results on generated and
 * mutated events. Unknown fields are skipped, as the mapper ignores them.
 *
 * <p>Why: decoding JSON with data binding was about 30 % of the decider's stream-thread time when warm
 * (docs/benchmarks-history.md), most of it in the generic machinery (creator-property buffering, per-property
 * dispatch, type-id handling), which a reader that knows its fields does not need.
 */
final class FastDecoders {
    private FastDecoders() {
    }

    /** A reader for one type; throws {@link NotCanonical} (or anything else) to decline. */
    @FunctionalInterface
    interface Decoder<T> {
        T read(JsonParser p) throws IOException;
    }

    /** Thrown to decline; carries no stack trace (it is control flow, and rare). */
    static final class NotCanonical extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final NotCanonical INSTANCE = new NotCanonical();

        private NotCanonical() {
            super("not in the canonical shape", null, false, false);
        }
    }

    /** The fast reader for {@code type}, or null when there is none. */
    @SuppressWarnings("unchecked")
    static <T> Decoder<T> forType(Class<T> type) {
        if (type == HaltObserved.class) {
            return (Decoder<T>) (Decoder<HaltObserved>) FastDecoders::haltObserved;
        }
        if (type == NodeObservation.class) {
            return (Decoder<T>) (Decoder<NodeObservation>) FastDecoders::nodeObservation;
        }
        return null;
    }

    /**
     * {@code data} read by {@code decoder}, or null when it declines for any reason (the caller then reads
     * the bytes with data binding).
     */
    static <T> T decode(Decoder<T> decoder, byte[] data) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            T value = decoder.read(p);
            // the object must have ended where the reader stopped, and nothing may follow it
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            return value;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ events

    /**
     * The loop over an object's fields: {@link #field} reads one known field and returns its bit (0 for an
     * unknown one, which is skipped); a field seen twice declines.
     */
    private abstract static class FieldReader {
        abstract int field(String name, JsonParser p, JsonToken t) throws IOException;

        /** Reads the rest of the current object; returns the bits of the fields seen. */
        final int readObject(JsonParser p) throws IOException {
            int seen = 0;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                int bit = field(name, p, t);
                if (bit == 0) {
                    p.skipChildren();
                } else if ((seen & bit) != 0) {
                    throw NotCanonical.INSTANCE; // a duplicate field: data binding's rules decide
                } else {
                    seen |= bit;
                }
            }
            return seen;
        }
    }

    /** The fields every event shares (bits 0–3); a subtype's {@link #field} hands other names to {@link #common}. */
    private abstract static class Fields extends FieldReader {
        static final int SCHEMA_VERSION = 1;
        static final int NODE_ID = 1 << 1;
        static final int OBSERVED_AT = 1 << 2;
        static final int POD_NAME = 1 << 3;
        private static final Map<String, Integer> COMMON_BITS = Map.of("schemaVersion", SCHEMA_VERSION,
                "nodeId", NODE_ID, "observedAt", OBSERVED_AT, "podName", POD_NAME);
        int schemaVersion;
        String nodeId;
        Instant observedAt;
        String podName;

        /** The shared fields; 0 for any other name. */
        final int common(String name, JsonParser p, JsonToken t) throws IOException {
            switch (name) {
                case "schemaVersion" -> schemaVersion = intValue(p, t);
                case "nodeId" -> nodeId = string(p, t);
                case "observedAt" -> observedAt = instant(p, t);
                case "podName" -> podName = string(p, t);
                default -> {
                    return 0;
                }
            }
            return COMMON_BITS.get(name);
        }
    }

    private static final class HaltFields extends Fields {
        static final Map<String, Integer> BITS = bits("source", "reasonCode", "reason", "intent", "podUid",
                "containerId", "restartCount", "finishedAt", "image", "latestBlockHeight", "version");
        static final int REASON_CODE = BITS.get("reasonCode");
        ObservationSource source;
        int reasonCode;
        String reason;
        HaltIntent intent;
        String podUid;
        String containerId;
        Integer restartCount;
        Instant finishedAt;
        String image;
        Long latestBlockHeight;
        String version;

        @Override
        int field(String name, JsonParser p, JsonToken t) throws IOException {
            switch (name) {
                case "source" -> source = ObservationSource.fromToken(nonNullString(p, t));
                case "reasonCode" -> reasonCode = intValue(p, t);
                case "reason" -> reason = string(p, t);
                case "intent" -> intent = haltIntent(p, t);
                case "podUid" -> podUid = string(p, t);
                case "containerId" -> containerId = string(p, t);
                case "restartCount" -> restartCount = t == JsonToken.VALUE_NULL ? null : intValue(p, t);
                case "finishedAt" -> finishedAt = instant(p, t);
                case "image" -> image = string(p, t);
                case "latestBlockHeight" -> latestBlockHeight = longValue(p, t);
                case "version" -> version = string(p, t);
                default -> {
                    return common(name, p, t);
                }
            }
            return BITS.get(name);
        }
    }

    static HaltObserved haltObserved(JsonParser p) throws IOException {
        HaltFields f = new HaltFields();
        if ((f.readObject(p) & HaltFields.REASON_CODE) == 0) {
            throw NotCanonical.INSTANCE; // required: data binding names it
        }
        return new HaltObserved(f.schemaVersion, f.nodeId, f.source, f.reasonCode, f.reason, f.intent, f.observedAt,
                f.podName, f.podUid, f.containerId, f.restartCount, f.finishedAt, f.image, f.latestBlockHeight,
                f.version);
    }

    /** {@code kind} first (as the mapper writes it), then the subtype's fields. */
    static NodeObservation nodeObservation(JsonParser p) throws IOException {
        if (!"kind".equals(p.nextFieldName())) {
            throw NotCanonical.INSTANCE;
        }
        String kind = nonNullString(p, p.nextToken());
        return switch (kind) {
            case "status" -> {
                StatusFields f = new StatusFields();
                f.readObject(p);
                yield new NodeStatusObserved(f.schemaVersion, f.nodeId, f.observedAt, f.change, f.latestBlockHeight,
                        f.version, f.catchingUp, f.podName);
            }
            case "pod" -> {
                PodFields f = new PodFields();
                if ((f.readObject(p) & PodFields.REQUIRED) != PodFields.REQUIRED) {
                    throw NotCanonical.INSTANCE;
                }
                yield new PodStateObserved(f.schemaVersion, f.nodeId, f.observedAt, f.podName, f.podUid, f.image,
                        f.ready, f.phase, f.restartCount, f.lastExitCode, f.cosmovisor, f.deleted, f.currentImage);
            }
            default -> throw NotCanonical.INSTANCE;
        };
    }

    private static final class StatusFields extends Fields {
        static final Map<String, Integer> BITS = bits("change", "latestBlockHeight", "version", "catchingUp");
        NodeStatusObserved.Change change;
        Long latestBlockHeight;
        String version;
        Boolean catchingUp;

        @Override
        int field(String name, JsonParser p, JsonToken t) throws IOException {
            switch (name) {
                case "change" -> change = NodeStatusObserved.Change.fromToken(nonNullString(p, t));
                case "latestBlockHeight" -> latestBlockHeight = longValue(p, t);
                case "version" -> version = string(p, t);
                case "catchingUp" -> catchingUp = t == JsonToken.VALUE_NULL ? null : booleanValue(t);
                case "kind" -> throw NotCanonical.INSTANCE;
                default -> {
                    return common(name, p, t);
                }
            }
            return BITS.get(name);
        }
    }

    private static final class PodFields extends Fields {
        static final Map<String, Integer> BITS = bits("podUid", "image", "ready", "phase", "restartCount",
                "lastExitCode", "cosmovisor", "deleted", "currentImage");
        static final int REQUIRED = BITS.get("ready") | BITS.get("restartCount") | BITS.get("cosmovisor")
                | BITS.get("deleted");
        String podUid;
        String image;
        boolean ready;
        String phase;
        int restartCount;
        Integer lastExitCode;
        boolean cosmovisor;
        boolean deleted;
        String currentImage;

        @Override
        int field(String name, JsonParser p, JsonToken t) throws IOException {
            switch (name) {
                case "podUid" -> podUid = string(p, t);
                case "image" -> image = string(p, t);
                case "ready" -> ready = booleanValue(t);
                case "phase" -> phase = string(p, t);
                case "restartCount" -> restartCount = intValue(p, t);
                case "lastExitCode" -> lastExitCode = t == JsonToken.VALUE_NULL ? null : intValue(p, t);
                case "cosmovisor" -> cosmovisor = booleanValue(t);
                case "deleted" -> deleted = booleanValue(t);
                case "currentImage" -> currentImage = string(p, t);
                case "kind" -> throw NotCanonical.INSTANCE;
                default -> {
                    return common(name, p, t);
                }
            }
            return BITS.get(name);
        }
    }

    /** Bits for a type's own fields, from bit 4 on (bits 0–3 are the events' shared fields, {@link Fields}). */
    private static Map<String, Integer> bits(String... names) {
        Map<String, Integer> bits = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            bits.put(names[i], 1 << (4 + i));
        }
        return Map.copyOf(bits);
    }

    /**
     * A {@code halt_intent} in the shape the mapper writes (reason a number, height a number, info a string,
     * announced_at canonical UTC); {@link HaltIntent#fromJson}'s tolerant reading handles the rest.
     */
    private static HaltIntent haltIntent(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            throw NotCanonical.INSTANCE;
        }
        IntentFields f = new IntentFields();
        if ((f.readObject(p) & IntentFields.REASON) == 0) {
            throw NotCanonical.INSTANCE; // no reason: the tolerant reader names it
        }
        return new HaltIntent(f.reason, f.reasonString, f.planName, f.height, f.info, f.announcedAt);
    }

    /** A halt_intent's fields. */
    private static final class IntentFields extends FieldReader {
        static final Map<String, Integer> BITS = bits("reason", "reason_string", "plan_name", "height", "info",
                "announced_at");
        static final int REASON = BITS.get("reason");
        int reason;
        String reasonString;
        String planName;
        Long height;
        String info;
        Instant announcedAt;

        @Override
        int field(String name, JsonParser p, JsonToken t) throws IOException {
            switch (name) {
                case "reason" -> reason = intValue(p, t);
                case "reason_string" -> reasonString = string(p, t);
                case "plan_name" -> planName = string(p, t);
                case "height" -> height = longValue(p, t);
                case "info" -> info = string(p, t);
                case "announced_at" -> announcedAt = instant(p, t);
                default -> {
                    return 0;
                }
            }
            return BITS.get(name);
        }
    }

    // ------------------------------------------------------------------ values

    private static String string(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw NotCanonical.INSTANCE;
    }

    private static String nonNullString(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        throw NotCanonical.INSTANCE;
    }

    private static int intValue(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
            return p.getIntValue();
        }
        throw NotCanonical.INSTANCE;
    }

    private static Long longValue(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return p.getLongValue();
        }
        throw NotCanonical.INSTANCE;
    }

    private static boolean booleanValue(JsonToken t) {
        if (t == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (t == JsonToken.VALUE_FALSE) {
            return false;
        }
        throw NotCanonical.INSTANCE;
    }

    private static Instant instant(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t == JsonToken.VALUE_STRING) {
            Instant instant = Timestamps.parseUtc(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            if (instant != null) {
                return instant;
            }
        }
        throw NotCanonical.INSTANCE;
    }
}
