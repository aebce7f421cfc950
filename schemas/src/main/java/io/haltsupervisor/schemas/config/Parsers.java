package io.haltsupervisor.schemas.config;

import io.haltsupervisor.schemas.Durations;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * One parser per type, and so one rule per type for every component's settings (docs/operations.md,
 * "Configuration reference"). Every text reaches a parser stripped of surrounding whitespace; a blank variable is
 * unset (the default) unless the parser {@linkplain Parser#takesBlank() takes blank values}.
 * <ul>
 * <li>{@link #bool()}: {@code true}/{@code false}, also {@code yes}/{@code no}, {@code on}/{@code off},
 *     {@code 1}/{@code 0}, in any case (the union of what the components accepted before);</li>
 * <li>{@link #integer(int, int)}: a decimal integer (optional sign) within an inclusive range;</li>
 * <li>{@link #decimal(double, double)}: a decimal number ({@code 0.1}, {@code 1e-2}) within an inclusive range;
 *     never NaN or infinite;</li>
 * <li>durations ({@link #duration()}, {@link #positiveDuration()}, {@link #duration(Duration, Duration)}): as
 *     {@link Durations#parse}: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}, {@code 0} or
 *     ISO-8601, never negative;</li>
 * <li>{@link #text()}: any text without control characters; {@link #matching} for a pattern;</li>
 * <li>lists ({@link #list}, {@link #namespaces()}): entries stripped, empty entries ignored, duplicates
 *     dropped, order kept;</li>
 * <li>{@link #oneOf(Class)}: an enum constant's name in any case, {@code -} and {@code _} alike;</li>
 * <li>{@link #path()}, {@link #httpUrl()}, {@link #hostPort()}, {@link #hostPorts()}, {@link #regex()},
 *     {@link #dnsLabel()}, {@link #labelSelector}.</li>
 * </ul>
 */
public final class Parsers {
    /** The duration forms, as errors name them. */
    public static final String DURATION_FORMS = "500ms, 30s, 5m, 1h, 2d or PT5M";

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,10}");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d{1,3})?");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:(\\d{1,5})");
    private static final Pattern COMMA = Pattern.compile(",");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private Parsers() {
    }

    /** {@code true}, {@code yes}, {@code on}, {@code 1} / {@code false}, {@code no}, {@code off}, {@code 0}, any case. */
    public static Parser<Boolean> bool() {
        return Parser.of(t -> switch (t.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> Boolean.TRUE;
            case "false", "no", "off", "0" -> Boolean.FALSE;
            default -> throw refused("true or false (or yes/no, on/off, 1/0)");
        });
    }

    /** A decimal integer from {@code min} to {@code max} inclusive. */
    public static Parser<Integer> integer(int min, int max) {
        String expected = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer from " + min + " to " + max;
        return Parser.of(t -> {
            if (INTEGER.matcher(t).matches()) {
                long v = Long.parseLong(t);
                if (v >= min && v <= max) {
                    return (int) v;
                }
            }
            throw refused(expected);
        });
    }

    /** A decimal integer of at least {@code min}. */
    public static Parser<Integer> integer(int min) {
        return integer(min, Integer.MAX_VALUE);
    }

    /** A decimal number from {@code min} to {@code max} inclusive. */
    public static Parser<Double> decimal(double min, double max) {
        String expected = "a number from " + plain(min) + " to " + plain(max);
        return Parser.of(t -> {
            if (DECIMAL.matcher(t).matches()) {
                double v = Double.parseDouble(t);
                if (v >= min && v <= max) {
                    return v;
                }
            }
            throw refused(expected);
        });
    }

    /** A duration of zero or more. */
    public static Parser<Duration> duration() {
        return Parser.of(t -> durationOf(t, "a duration like " + DURATION_FORMS));
    }

    /** A duration of more than zero. */
    public static Parser<Duration> positiveDuration() {
        String expected = "a positive duration like " + DURATION_FORMS;
        return Parser.of(t -> {
            Duration d = durationOf(t, expected);
            if (d.isZero()) {
                throw refused(expected);
            }
            return d;
        });
    }

    /** A duration from {@code min} to {@code max} inclusive. */
    public static Parser<Duration> duration(Duration min, Duration max) {
        String range = "a duration between " + human(min) + " and " + human(max);
        return Parser.of(t -> {
            Duration d = durationOf(t, "a duration like " + DURATION_FORMS);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw refused(range);
            }
            return d;
        });
    }

    /** Any text without control characters. */
    public static Parser<String> text() {
        return Parser.of(t -> {
            if (t.chars().anyMatch(Character::isISOControl)) {
                throw refused("text without control characters");
            }
            return t;
        });
    }

    /** Text matching {@code pattern} in full; {@code what} says what that is ("a Kafka Streams application id"). */
    public static Parser<String> matching(Pattern pattern, String what) {
        return Parser.of(t -> {
            if (!pattern.matcher(t).matches()) {
                throw refused(what);
            }
            return t;
        });
    }

    /** A Kubernetes DNS label (container names, namespaces): lowercase letters, digits, {@code -}, 1–63 long. */
    public static Parser<String> dnsLabel() {
        return matching(DNS_LABEL, "a Kubernetes name (lowercase letters, digits, '-')");
    }

    /** A container port name: a DNS label of at most 15 characters. */
    public static Parser<String> portName() {
        return matching(PORT_NAME, "a Kubernetes name (lowercase letters, digits, '-')");
    }

    /**
     * Comma-separated namespace names; {@code *} (or nothing) for every namespace, which is the empty list.
     */
    public static Parser<List<String>> namespaces() {
        String expected = "comma-separated namespace names (lowercase DNS labels) or '*'";
        return Parser.of(t -> {
            if (t.equals("*")) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (String part : COMMA.split(t)) {
                String ns = part.strip();
                if (ns.isEmpty()) {
                    continue;
                }
                if (!DNS_LABEL.matcher(ns).matches()) {
                    throw refused(expected);
                }
                if (!out.contains(ns)) {
                    out.add(ns);
                }
            }
            return List.copyOf(out);
        });
    }

    /**
     * A Kubernetes label selector ({@code app=seid,tier in (rpc,validator)}). Blank is a value: with
     * {@code emptyMeansAll} it selects everything, else it is refused ({@code example} shows the expected form).
     */
    public static Parser<String> labelSelector(String example, boolean emptyMeansAll) {
        return Parser.of(t -> {
            if (t.isEmpty() && !emptyMeansAll) {
                throw refused("a label selector such as '" + example + "'");
            }
            if (t.chars().anyMatch(Character::isISOControl)) {
                throw refused("a label selector");
            }
            return t;
        }).takingBlank();
    }

    /**
     * Entries separated by {@code separator} ({@link #commas()} or {@link #whitespace()}), each parsed by
     * {@code element}; {@code what} names the whole ("comma-separated http(s) URLs").
     */
    public static <T> Parser<List<T>> list(Pattern separator, String what, Parser<T> element) {
        return Parser.of(t -> {
            List<T> out = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (String part : separator.split(t)) {
                String e = part.strip();
                if (e.isEmpty() || !seen.add(e)) {
                    continue;
                }
                T v;
                try {
                    v = element.parse(e);
                } catch (IllegalArgumentException ex) {
                    throw refused(what + " ('" + element.shown(e) + "' is not: " + ex.getMessage() + ")");
                }
                out.add(v);
            }
            return List.copyOf(out);
        }).showing(t -> Arrays.stream(separator.split(t)).map(element::shown)
                .collect(Collectors.joining(separator == WHITESPACE ? " " : ",")));
    }

    /** The separator of comma-separated lists. */
    public static Pattern commas() {
        return COMMA;
    }

    /** The separator of whitespace-separated lists (spaces, tabs, newlines). */
    public static Pattern whitespace() {
        return WHITESPACE;
    }

    /** A Java regular expression. */
    public static Parser<Pattern> regex() {
        return Parser.of(t -> {
            try {
                return Pattern.compile(t);
            } catch (PatternSyntaxException e) {
                throw refused("a regular expression: " + e.getDescription());
            }
        });
    }

    /** An absolute {@code http} or {@code https} URL with a host; shown without user info and query. */
    public static Parser<URI> httpUrl() {
        return Parser.of(t -> {
            try {
                URI u = URI.create(t);
                if (u.getHost() != null && ("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                    return u;
                }
            } catch (IllegalArgumentException ignored) {
                // refused below
            }
            throw refused("an http(s) URL");
        }).showing(Redaction::url);
    }

    /** {@code host:port}, port 1–65535. */
    public static Parser<String> hostPort() {
        return Parser.of(t -> {
            var m = HOST_PORT.matcher(t);
            if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(1)) > 65535) {
                throw refused("host:port (port 1–65535)");
            }
            return t;
        });
    }

    /** {@code host:port[,host:port…]} (Kafka bootstrap servers), as given. */
    public static Parser<String> hostPorts() {
        return Parser.of(t -> {
            for (String server : t.split(",", -1)) {
                String s = server.strip();
                int colon = s.lastIndexOf(':');
                if (colon <= 0 || colon == s.length() - 1 || !s.substring(colon + 1).matches("\\d{1,5}")) {
                    throw refused("host:port[,host:port…]");
                }
            }
            return t;
        });
    }

    /** A file system path. */
    public static Parser<Path> path() {
        return Parser.of(t -> {
            try {
                if (t.chars().noneMatch(Character::isISOControl)) {
                    return Path.of(t);
                }
            } catch (InvalidPathException ignored) {
                // refused below
            }
            throw refused("a file system path");
        });
    }

    /** A constant of {@code type}, by name in any case, {@code -} and {@code _} alike ({@code dry-run}, {@code DRY_RUN}). */
    public static <E extends Enum<E>> Parser<E> oneOf(Class<E> type) {
        E[] constants = type.getEnumConstants();
        String expected = "one of " + Arrays.stream(constants).map(Parsers::spelled).collect(Collectors.joining(", "));
        return Parser.of(t -> {
            String wanted = t.toLowerCase(Locale.ROOT).replace('_', '-');
            for (E c : constants) {
                if (spelled(c).equals(wanted)) {
                    return c;
                }
            }
            throw refused(expected);
        });
    }

    /** How {@link #oneOf} spells a constant: {@code DRY_RUN} → {@code dry-run}. */
    public static String spelled(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A duration as the range messages show it: {@code 100ms}, {@code 3600s}. */
    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static Duration durationOf(String t, String expected) {
        try {
            return Durations.parse("", t);
        } catch (IllegalArgumentException e) {
            throw refused(expected);
        }
    }

    private static String plain(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static IllegalArgumentException refused(String expected) {
        return new IllegalArgumentException("expected " + expected);
    }
}
