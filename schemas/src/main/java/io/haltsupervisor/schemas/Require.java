package io.haltsupervisor.schemas;

import java.util.Collection;

/**
 * Validation used by event records' constructors, so that an event missing a required field
 * cannot be built in code nor read from a topic; the message always names the field.
 */
public final class Require {
    private Require() {
    }

    public static <T> T present(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing required field '" + field + "'");
        }
        return value;
    }

    public static String nonBlank(String value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing required field '" + field + "'");
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException("field '" + field + "' must not be blank");
        }
        return value;
    }

    public static <C extends Collection<?>> C nonNullElements(C values, String field) {
        present(values, field);
        if (values.stream().anyMatch(v -> v == null)) {
            throw new IllegalArgumentException("field '" + field + "' must not contain null");
        }
        return values;
    }

    public static int schemaVersion(int version) {
        if (version < 1) {
            throw new IllegalArgumentException(
                    "missing required field 'schemaVersion' (expected an integer >= 1, got " + version + ")");
        }
        return version;
    }

    /**
     * A version this reader knows: at least 1 and at most {@code known}. Additive changes keep a record's version;
     * a higher one is a change this reader cannot interpret, so the record is rejected rather than misread.
     */
    public static int schemaVersion(int version, int known) {
        schemaVersion(version);
        if (version > known) {
            throw new IllegalArgumentException("unknown schemaVersion " + version + ": this reader knows versions 1 to "
                    + known);
        }
        return version;
    }

    public static Long nonNegative(Long value, String field) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException("field '" + field + "' must be >= 0, got " + value);
        }
        return value;
    }

    /** A node id is {@code namespace/name}: exactly one slash, both parts non-blank. */
    public static String nodeId(String value, String field) {
        nonBlank(value, field);
        int slash = value.indexOf('/');
        if (slash <= 0 || slash == value.length() - 1 || value.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException(
                    "field '" + field + "' must be a node id 'namespace/name', got '" + value + "'");
        }
        return value;
    }
}
