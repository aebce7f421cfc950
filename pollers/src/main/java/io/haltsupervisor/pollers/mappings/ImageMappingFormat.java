package io.haltsupervisor.pollers.mappings;

import io.haltsupervisor.pollers.status.StatusParser;

import io.haltsupervisor.schemas.ImageReference;
import java.util.regex.Pattern;

/**
 * The one format of an image mapping, shared by the ConfigMaps and {@code supervisor mapping put}.
 *
 * <p>In a ConfigMap labelled {@code halt-supervisor.io/image-mappings=true}, each {@code data} key is an
 * upgrade plan name and its value is an image reference, optionally followed by whitespace and
 * {@code height=N} (the plan's upgrade height, a positive decimal block height):
 * <pre>
 * data:
 *   v6: ghcr.io/sei-protocol/seid:v6.0.1 height=151000000
 *   v7: registry.local:5000/seid@sha256:0123…cdef
 * </pre>
 * An image reference never contains whitespace, so the first word is always the image — digests
 * ({@code @sha256:…}) and registry ports included — and every following word is an attribute; only
 * {@code height} exists, at most once. Surrounding whitespace (a YAML block scalar's newline) is ignored.
 * Plan names are ConfigMap keys: 1–253 of {@code [-._a-zA-Z0-9]}.
 */
public final class ImageMappingFormat {
    private static final Pattern PLAN = Pattern.compile("[-._a-zA-Z0-9]{1,253}");
    private static final Pattern HEIGHT = Pattern.compile("\\d{1,19}");
    private static final String EXPECTED = "expected 'IMAGE' or 'IMAGE height=N'";

    /** A valid mapping. */
    public record Mapping(String plan, String image, Long upgradeHeight) {
    }

    /** A parsed value: valid, or why not. */
    public sealed interface Parsed {
        record Valid(Mapping mapping) implements Parsed {
        }

        record Invalid(String plan, String reason) implements Parsed {
        }
    }

    private ImageMappingFormat() {
    }

    /** Parses one ConfigMap entry. */
    public static Parsed parse(String plan, String value) {
        try {
            checkPlan(plan);
            if (value == null || value.isBlank()) {
                return new Parsed.Invalid(plan, "plan '" + plan + "': empty value, " + EXPECTED);
            }
            String[] words = value.strip().split("\\s+");
            Long height = null;
            for (int i = 1; i < words.length; i++) {
                String w = words[i];
                if (!w.startsWith("height=")) {
                    return new Parsed.Invalid(plan, "plan '" + plan + "': unknown attribute '" + StatusParser.sanitize(w)
                            + "', " + EXPECTED);
                }
                if (height != null) {
                    return new Parsed.Invalid(plan, "plan '" + plan + "': height given twice, " + EXPECTED);
                }
                height = parseHeight(plan, w.substring("height=".length()));
            }
            return new Parsed.Valid(validate(plan, words[0], height));
        } catch (IllegalArgumentException e) {
            return new Parsed.Invalid(plan, e.getMessage());
        }
    }

    /**
     * Validates a mapping given as parts (the CLI's {@code mapping put PLAN IMAGE [--height H]}).
     *
     * @throws IllegalArgumentException naming the plan and what is wrong
     */
    public static Mapping validate(String plan, String image, Long height) {
        checkPlan(plan);
        try {
            ImageReference.parse(image);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("plan '" + plan + "': " + e.getMessage(), e);
        }
        if (height != null && height < 1) {
            throw new IllegalArgumentException("plan '" + plan + "': height " + height
                    + " is not valid: expected a positive block height");
        }
        return new Mapping(plan, image, height);
    }

    /** The ConfigMap value of a mapping. */
    public static String format(Mapping mapping) {
        return mapping.upgradeHeight() == null ? mapping.image()
                : mapping.image() + " height=" + mapping.upgradeHeight();
    }

    /**
     * Checks a plan name.
     *
     * @throws IllegalArgumentException naming the plan and what was expected
     */
    public static String checkPlan(String plan) {
        if (plan == null || !PLAN.matcher(plan).matches()) {
            throw new IllegalArgumentException("plan name '" + (plan == null ? "" : StatusParser.sanitize(plan))
                    + "' is not valid: expected 1-253 characters of letters, digits, '-', '_' and '.'");
        }
        return plan;
    }

    private static Long parseHeight(String plan, String text) {
        if (!HEIGHT.matcher(text).matches()) {
            throw new IllegalArgumentException("plan '" + plan + "': height '" + StatusParser.sanitize(text)
                    + "' is not valid: expected a positive block height (decimal digits)");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("plan '" + plan + "': height '" + text
                    + "' is not valid: expected a block height that fits an int64", e);
        }
    }
}
