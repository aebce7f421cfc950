package io.haltsupervisor.schemas;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container image reference, validated with the OCI distribution grammar:
 * {@code [registry[:port]/]path[:tag][@algorithm:digest]} with lowercase path components.
 *
 * @param name   everything before the tag and digest, e.g. {@code ghcr.io/sei-protocol/seid}
 * @param tag    the tag, may be null
 * @param digest the digest, may be null
 */
public record ImageReference(String name, String tag, String digest) {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
            + "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?";
    private static final Pattern REFERENCE = Pattern.compile(
            "^((?:" + DOMAIN + "/)?" + COMPONENT + "(?:/" + COMPONENT + ")*)"
                    + "(?::([\\w][\\w.-]{0,127}))?"
                    + "(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$");
    private static final int MAX_NAME = 255;

    /**
     * Parses and validates a reference.
     *
     * @throws IllegalArgumentException naming the reference and what is wrong with it
     */
    public static ImageReference parse(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("image reference is empty");
        }
        if (!reference.equals(reference.strip())) {
            throw new IllegalArgumentException("image reference '" + reference + "' has surrounding whitespace");
        }
        Matcher m = REFERENCE.matcher(reference);
        if (!m.matches()) {
            throw new IllegalArgumentException("image reference '" + reference
                    + "' is not valid: expected [registry[:port]/]path[:tag][@sha256:digest] with a lowercase path");
        }
        if (m.group(1).length() > MAX_NAME) {
            throw new IllegalArgumentException("image reference '" + reference + "' has a name over 255 characters");
        }
        return new ImageReference(m.group(1), m.group(2), m.group(3));
    }

    /** True when {@code reference} parses. */
    public static boolean isValid(String reference) {
        try {
            parse(reference);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The repository without tag or digest, e.g. {@code ghcr.io/sei-protocol/seid}. */
    public String repository() {
        return name;
    }
}
