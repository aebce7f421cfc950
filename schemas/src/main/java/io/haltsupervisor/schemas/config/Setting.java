package io.haltsupervisor.schemas.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One setting of a {@link Settings} registry: an environment variable, how its text is parsed, its default, what
 * it is for, and whether it is secret. Declared with {@link Settings#define}, {@link Settings#optional},
 * {@link Settings#required} or {@link Settings#secret}; read with {@link SettingValues#get}.
 *
 * @param name         the environment variable
 * @param parser       how its text is read
 * @param defaultValue the value when it is unset or blank, if there is one
 * @param whenUnset    what happens when it is unset, as the docs say it ({@code `5s`}, {@code (all)})
 * @param doc          what it is for, one sentence of Markdown
 * @param secret       true for a credential: never shown, and also read from a file named by {@code <name>_FILE}
 * @param isRequired   true when the component cannot start without it
 * @param <T>          the value's type
 */
public record Setting<T>(String name, Parser<T> parser, Optional<T> defaultValue, String whenUnset, String doc,
        boolean secret, boolean isRequired) {
    /** Suffix of the variable naming a file that holds a secret setting's value (a mounted Kubernetes Secret). */
    public static final String FILE_SUFFIX = "_FILE";

    public Setting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(whenUnset, "whenUnset");
        Objects.requireNonNull(doc, "doc");
    }

    /** The variable naming a file that holds this secret setting's value. */
    public String fileVariable() {
        return name + FILE_SUFFIX;
    }

    /** {@code text} as it may appear in a log or an error: {@value Redaction#REDACTED} for a secret. */
    public String shown(String text) {
        return secret ? Redaction.REDACTED : parser.shown(text);
    }

    @Override
    public String toString() {
        return name;
    }
}
