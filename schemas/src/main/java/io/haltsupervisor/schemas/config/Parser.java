package io.haltsupervisor.schemas.config;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Turns a setting's text (already stripped of surrounding whitespace) into its value. A refused text is an
 * {@link IllegalArgumentException} whose message says only what was expected ({@code "expected an integer
 * from 1 to 64"}); the registry adds the variable's name and the value as it may be shown, so no parser ever
 * puts a value into a message. The parsers of every type are in {@link Parsers}.
 *
 * @param <T> the value's type
 */
public final class Parser<T> {
    private final Function<String, T> parse;
    private final boolean takesBlank;
    private final UnaryOperator<String> shown;

    private Parser(Function<String, T> parse, boolean takesBlank, UnaryOperator<String> shown) {
        this.parse = Objects.requireNonNull(parse, "parse");
        this.takesBlank = takesBlank;
        this.shown = Objects.requireNonNull(shown, "shown");
    }

    /** A parser from a function that throws {@link IllegalArgumentException} ("expected …") on refused text. */
    public static <T> Parser<T> of(Function<String, T> parse) {
        return new Parser<>(parse, false, UnaryOperator.identity());
    }

    /** Parses {@code text}; refused text is an {@link IllegalArgumentException} saying what was expected. */
    public T parse(String text) {
        return parse.apply(text);
    }

    /**
     * True when a set but blank variable is a value for this parser (an empty label selector selects every
     * pod); for every other parser a blank variable is the same as an unset one: the default.
     */
    public boolean takesBlank() {
        return takesBlank;
    }

    /** How a text may appear in a log or error (URLs lose their user info and query). */
    public String shown(String text) {
        return shown.apply(text);
    }

    /** This parser, taking a blank value as a value (see {@link #takesBlank()}). */
    public Parser<T> takingBlank() {
        return new Parser<>(parse, true, shown);
    }

    /** This parser, showing texts through {@code redact}. */
    public Parser<T> showing(UnaryOperator<String> redact) {
        return new Parser<>(parse, takesBlank, redact);
    }

    /** This parser followed by {@code then}, which may refuse a parsed value ("expected …") too. */
    public <R> Parser<R> map(Function<? super T, ? extends R> then) {
        return new Parser<R>(text -> then.apply(parse.apply(text)), takesBlank, shown);
    }
}
