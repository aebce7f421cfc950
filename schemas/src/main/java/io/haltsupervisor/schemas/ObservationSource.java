package io.haltsupervisor.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a halt was seen: the node's own {@code /status} or its container's exit code. */
public enum ObservationSource {
    STATUS("status"),
    EXIT_CODE("exit-code");

    private final String token;

    ObservationSource(String token) {
        this.token = token;
    }

    @JsonValue
    public String token() {
        return token;
    }

    @JsonCreator
    public static ObservationSource fromToken(String token) {
        for (ObservationSource s : values()) {
            if (s.token.equals(token == null ? null : token.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("source: expected 'status' or 'exit-code', got '" + token + "'");
    }
}
