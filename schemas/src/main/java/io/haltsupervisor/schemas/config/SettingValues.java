package io.haltsupervisor.schemas.config;

import io.haltsupervisor.schemas.config.ConfigException.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One reading of an environment against a {@link Settings} registry. A bad value does not stop the reading: it is
 * recorded as a {@link Problem} (naming the variable, the value unless secret, and what was expected) and the
 * default stands in, so {@link #throwIfInvalid()} reports every bad setting of the configuration together.
 */
public final class SettingValues {
    private final Settings settings;
    private final Map<String, String> env;
    private final Map<String, Optional<?>> parsed = new HashMap<>();
    private final Set<String> bad = new LinkedHashSet<>();
    private final List<Problem> problems = new ArrayList<>();

    SettingValues(Settings settings, Map<String, String> env) {
        this.settings = settings;
        this.env = env;
    }

    /** The value: parsed if set, else the default (null for a setting without one); a bad value records a problem. */
    public <T> T get(Setting<T> s) {
        return find(s).or(s::defaultValue).orElse(null);
    }

    /** The value only if the variable is set (and valid); a bad value records a problem and is empty. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(Setting<T> s) {
        if (settings.byName().get(s.name()) != s) {
            throw new IllegalArgumentException(s.name() + " is not a setting of " + settings.component());
        }
        return (Optional<T>) parsed.computeIfAbsent(s.name(), n -> read(s));
    }

    /** True when the variable (or, for a secret, its file variable) is set to something not blank. */
    public boolean isSet(Setting<?> s) {
        return raw(s.name()) != null || (s.secret() && raw(s.fileVariable()) != null);
    }

    /** True when none of {@code these} had a bad value: cross-setting rules check only valid values. */
    public boolean valid(Setting<?>... these) {
        for (Setting<?> s : these) {
            find(s);
            if (bad.contains(s.name())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Records that {@code s}'s value breaks a rule ({@code expected}: "expected at least
     * ACTUATOR_RETRY_INITIAL_BACKOFF (500ms)"), unless {@code s} is already recorded as bad.
     */
    public void refuse(Setting<?> s, String expected) {
        find(s);
        if (bad.add(s.name())) {
            String text = raw(s.name());
            problems.add(new Problem(s.name(), expected + (text == null ? "" : got(s, text))));
        }
    }

    /** Records a problem in words of the caller's ({@code POD_NAME: the ordinal of 'pollers-5' is 5, expected …}). */
    public void problem(String variable, String message) {
        if (bad.add(variable)) {
            problems.add(new Problem(variable, message));
        }
    }

    /** Every problem: those recorded so far and those of the settings not read yet. */
    public List<Problem> problems() {
        settings.byName().values().forEach(this::find);
        return List.copyOf(problems);
    }

    /**
     * Reads every setting of the registry not read yet (a bad value is reported even where the component would
     * not use it), then throws one {@link ConfigException} listing every problem, if there is any.
     */
    public void throwIfInvalid() {
        settings.byName().values().forEach(this::find);
        ConfigException.throwIfAny(problems);
    }

    private <T> Optional<T> read(Setting<T> s) {
        String text = raw(s.name());
        if (s.secret()) {
            return secret(s, text);
        }
        if (text == null) {
            String unstripped = env.get(s.name());
            if (unstripped != null && s.parser().takesBlank()) {
                return parse(s, "");
            }
            if (s.isRequired()) {
                bad.add(s.name());
                problems.add(new Problem(s.name(), "required but not set (" + s.doc() + ")"));
            }
            return Optional.empty();
        }
        return parse(s, text);
    }

    private <T> Optional<T> parse(Setting<T> s, String text) {
        try {
            return Optional.of(s.parser().parse(text));
        } catch (IllegalArgumentException e) {
            bad.add(s.name());
            problems.add(new Problem(s.name(), e.getMessage() + got(s, text)));
            return Optional.empty();
        }
    }

    /** {@code NAME} or {@code NAME_FILE}, never both; the file's content stripped, not empty. */
    @SuppressWarnings("unchecked")
    private <T> Optional<T> secret(Setting<T> s, String direct) {
        String file = raw(s.fileVariable());
        if (direct != null && file != null) {
            problem(s.name(), s.name() + " and " + s.fileVariable() + " are both set, expected one");
            return Optional.empty();
        }
        if (file == null) {
            return direct == null ? Optional.empty() : Optional.of((T) new Secret(direct));
        }
        String content;
        try {
            content = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            problem(s.fileVariable(), "expected a readable file holding the secret, cannot read '" + file + "' ("
                    + e.getClass().getSimpleName() + ")");
            bad.add(s.name());
            return Optional.empty();
        }
        if (content.isEmpty()) {
            problem(s.fileVariable(), "the file '" + file + "' is empty, expected the secret");
            bad.add(s.name());
            return Optional.empty();
        }
        return Optional.of((T) new Secret(content));
    }

    /** {@code ", got 'text'"} as the value may be shown. */
    private static String got(Setting<?> s, String text) {
        String shown = s.shown(text);
        if (shown.isEmpty()) {
            return ", got an empty value";
        }
        if (shown.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
            return ", got a value with control characters";
        }
        return s.secret() ? ", got " + shown : ", got '" + shown + "'";
    }

    /** The variable's text, stripped; null when unset or blank. */
    private String raw(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }
}
