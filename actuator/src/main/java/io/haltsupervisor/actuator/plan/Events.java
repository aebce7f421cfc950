package io.haltsupervisor.actuator.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** Conventions of the {@code events.k8s.io/v1} Events the actuator records. */
public final class Events {
    /** {@code reportingController} of every event. */
    public static final String REPORTING_CONTROLLER = "halt-supervisor";
    /** The API's limit on {@code note}. */
    public static final int MAX_NOTE_BYTES = 1024;
    private static final int MAX_NAME = 253;
    private static final int HASH_HEX = 16;

    private Events() {
    }

    /**
     * A deterministic event name: {@code <regarding-name>.<16 hex of sha256(decisionId "/" step)>}, so that
     * recording the same step twice hits {@code 409 AlreadyExists} instead of creating a duplicate.
     */
    public static String name(String regardingName, String decisionId, String step) {
        String hash = sha256Hex(decisionId + "/" + step).substring(0, HASH_HEX);
        String prefix = regardingName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        int room = MAX_NAME - HASH_HEX - 1;
        if (prefix.length() > room) {
            prefix = prefix.substring(0, room);
        }
        return prefix + "." + hash;
    }

    static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
