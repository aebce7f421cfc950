package io.haltsupervisor.schemas;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way settings spell durations, for every component's config and the CLI: {@code 500ms},
 * {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}, {@code 0}, or ISO-8601 ({@code PT5M}).
 */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @param setting the setting's name (an environment variable or an option), for the error message
     * @throws IllegalArgumentException naming the setting and the expected form
     */
    public static Duration parse(String setting, String text) {
        String t = text == null ? "" : text.strip();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = SIMPLE.matcher(t.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
            if (d.isNegative()) {
                throw new IllegalArgumentException(setting + ": expected a non-negative duration, got '" + text + "'");
            }
            return d;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(setting + ": expected a duration like 500ms, 30s, 5m, 1h, 2d or PT5M, got '"
                    + text + "'", e);
        }
    }
}
