package io.haltsupervisor.schemas.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A component's typed setting registry, in the spirit of Strimzi's {@code UserOperatorConfig}: every environment
 * variable the component reads, with its parser, default, doc and secret flag. The component's config record
 * declares its registry and settings as constants and reads them in {@code fromEnv}:
 *
 * <pre>{@code
 * public static final Settings SETTINGS = new Settings("pollers", "POLLER_");
 * public static final Setting<Duration> INTERVAL = SETTINGS.define("POLLER_INTERVAL",
 *         Parsers.duration(Duration.ofMillis(100), Duration.ofHours(1)), "5s", "time between two polls of a pod");
 *
 * public static PollersConfig fromEnv(Map<String, String> env) {
 *     SettingValues v = SETTINGS.read(env);          // warns about unknown POLLER_* variables
 *     Duration interval = v.get(INTERVAL);           // a bad value is recorded, the default stands in
 *     ...
 *     v.throwIfInvalid();                            // every bad setting in one ConfigException
 *     return new PollersConfig(interval, ...);
 * }
 * }</pre>
 *
 * <p><b>Adding a setting is one line</b>: a {@code define} (with a default), {@code optional} (no default; say
 * what happens when unset), {@code required} or {@code secret} constant beside the others, then one
 * {@code v.get(...)} in {@code fromEnv}. Pick the parser of its type from {@link Parsers} (one rule per type),
 * never a new hand-written one; cross-setting rules go through {@link SettingValues#refuse}. The table in
 * docs/operations.md ("Configuration reference") is generated from the registries: run
 * {@code ConfigurationDocTest} with {@code -Dconfig.write=true} and commit the diff.
 *
 * <p>Rules common to every setting: surrounding whitespace is ignored; a blank variable is unset unless the
 * parser {@linkplain Parser#takesBlank() takes blank values}; a secret ({@link #secret}) may instead come from a
 * file named by {@code <NAME>_FILE}, never both, and is never shown ({@link Redaction}); a variable with the
 * registry's prefix that is not registered is warned about at start, with the nearest known name.
 */
public final class Settings {
    private static final Logger LOG = LoggerFactory.getLogger(Settings.class);
    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*[A-Z0-9]");

    private final String component;
    private final String prefix;
    private final Map<String, Setting<?>> settings = new LinkedHashMap<>();
    private final Map<String, PassThrough> passThrough = new LinkedHashMap<>();

    /** A documented family of variables read unparsed by the component itself. */
    private record PassThrough(String placeholder, String doc) {
    }

    /**
     * @param component what the settings configure, for the log ({@code pollers})
     * @param prefix    the prefix of every setting's name; variables with it that are not registered are warned
     *                  about ({@code POLLER_}); empty for a registry that warns about nothing
     */
    public Settings(String component, String prefix) {
        this.component = component;
        this.prefix = prefix;
    }

    public String component() {
        return component;
    }

    /** A setting with a default ({@code defaultText}, parsed now: a bad default fails the class's initialisation). */
    public <T> Setting<T> define(String name, Parser<T> parser, String defaultText, String doc) {
        T value;
        try {
            value = parser.parse(defaultText);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(name + ": the default '" + defaultText + "' is refused: " + e.getMessage(), e);
        }
        return add(new Setting<>(name, parser, Optional.of(value), "`" + defaultText + "`", doc, false, false));
    }

    /**
     * A setting without a default value: {@link SettingValues#get} is null and {@link SettingValues#find} empty
     * when it is unset; {@code whenUnset} says what the component does then ({@code (off)}, {@code $POD_NAME}).
     */
    public <T> Setting<T> optional(String name, Parser<T> parser, String whenUnset, String doc) {
        return add(new Setting<>(name, parser, Optional.empty(), whenUnset, doc, false, false));
    }

    /** A setting the component cannot start without. */
    public <T> Setting<T> required(String name, Parser<T> parser, String doc) {
        return add(new Setting<>(name, parser, Optional.empty(), "required", doc, false, true));
    }

    /** An optional secret, from {@code NAME} or from the file {@code NAME_FILE} names; never shown. */
    public Setting<Secret> secret(String name, String whenUnset, String doc) {
        return add(new Setting<>(name, Parser.of(Secret::new), Optional.empty(), whenUnset, doc, true, false));
    }

    /**
     * Documents a family of variables passed through unparsed ({@code KAFKA_CLIENT_<PROP>}), read by the
     * component itself; they are never warned about.
     */
    public void passThrough(String variablePrefix, String placeholder, String doc) {
        passThrough.put(variablePrefix, new PassThrough(placeholder, doc));
    }

    /** Every setting, in declaration order. */
    public List<Setting<?>> all() {
        return List.copyOf(settings.values());
    }

    /** The setting named {@code name}, if registered. */
    public Optional<Setting<?>> find(String name) {
        return Optional.ofNullable(settings.get(name));
    }

    /** Reads {@code env} against this registry, logging one warning per unknown variable ({@link #unknownVariables}). */
    public SettingValues read(Map<String, String> env) {
        for (String warning : unknownVariables(env)) {
            LOG.warn("{}: {}", component, warning);
        }
        return new SettingValues(this, env);
    }

    /**
     * The variables of {@code env} with this registry's prefix that name no setting (typos), one message each:
     * {@code unknown variable POLLER_INTERVALL, ignored (did you mean POLLER_INTERVAL?)}.
     */
    public List<String> unknownVariables(Map<String, String> env) {
        if (prefix.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String variable : new TreeSet<>(env.keySet())) {
            if (!variable.startsWith(prefix) || known(variable)) {
                continue;
            }
            out.add("unknown variable " + variable + ", ignored"
                    + nearest(variable).map(n -> " (did you mean " + n + "?)").orElse(""));
        }
        return out;
    }

    /** The registry as a Markdown table: variable, default, meaning (docs/operations.md). */
    public String markdownTable() {
        StringBuilder sb = new StringBuilder("| variable | default | meaning |\n|---|---|---|\n");
        for (Setting<?> s : settings.values()) {
            String variable = "`" + s.name() + "`" + (s.secret() ? " or `" + s.fileVariable() + "`" : "");
            String doc = s.doc() + (s.secret() ? " Secret: never logged; `" + s.fileVariable()
                    + "` names a file holding it (a mounted Secret), never both." : "");
            sb.append("| ").append(variable).append(" | ").append(s.whenUnset()).append(" | ").append(cell(doc))
                    .append(" |\n");
        }
        passThrough.values().forEach(p -> sb.append("| `").append(p.placeholder()).append("` | — | ")
                .append(cell(p.doc())).append(" |\n"));
        return sb.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    private boolean known(String variable) {
        if (settings.containsKey(variable)) {
            return true;
        }
        if (variable.endsWith(Setting.FILE_SUFFIX)) {
            Setting<?> s = settings.get(variable.substring(0, variable.length() - Setting.FILE_SUFFIX.length()));
            if (s != null && s.secret()) {
                return true;
            }
        }
        return passThrough.keySet().stream().anyMatch(variable::startsWith);
    }

    /** The registered name closest to {@code variable}, if within a few edits (a typo, not another setting). */
    Optional<String> nearest(String variable) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        List<String> names = new ArrayList<>(settings.keySet());
        settings.values().stream().filter(Setting::secret).forEach(s -> names.add(s.fileVariable()));
        for (String name : names) {
            int d = distance(variable, name);
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, (variable.length() - prefix.length()) / 3);
        return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private <T> Setting<T> add(Setting<T> s) {
        if (!NAME.matcher(s.name()).matches() || !s.name().startsWith(prefix)) {
            throw new IllegalArgumentException(s.name() + ": a setting's name is upper case, digits and '_', starting "
                    + "with '" + prefix + "'");
        }
        if (settings.containsKey(s.name())) {
            throw new IllegalArgumentException(s.name() + ": declared twice");
        }
        if (!s.secret() && Redaction.isSecretName(s.name())) {
            throw new IllegalArgumentException(s.name() + ": the name looks secret, declare it with secret(…)");
        }
        settings.put(s.name(), s);
        return s;
    }

    /** Unmodifiable view for {@link SettingValues}. */
    Map<String, Setting<?>> byName() {
        return Collections.unmodifiableMap(settings);
    }
}
