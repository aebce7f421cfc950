package io.haltsupervisor.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.actuator.ActuatorConfig;
import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.pollers.PollersConfig;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.config.Setting;
import io.haltsupervisor.schemas.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration tables of docs/operations.md ("Configuration reference") are the setting registries rendered:
 * every registered setting is documented with its default, and every documented variable is registered. After
 * adding or changing a setting, run this test with {@code -Dconfig.write=true} to rewrite the section, and review
 * the diff.
 */
class ConfigurationDocTest {
    static final String BEGIN = "<!-- BEGIN configuration tables: generated from the setting registries by "
            + "ConfigurationDocTest (-Dconfig.write=true) -->";
    static final String END = "<!-- END configuration tables -->";
    private static final boolean WRITE = Boolean.getBoolean("config.write");
    private static final Pattern DOCUMENTED = Pattern.compile("^\\| `((?:KAFKA|POLLER|DECIDER|ACTUATOR)_[A-Z0-9_<>]+)`",
            Pattern.MULTILINE);

    /** Each registry under its heading, in the order the page shows them. */
    static Map<String, Settings> registries() {
        Map<String, Settings> out = new LinkedHashMap<>();
        out.put("Kafka connection (every component)", KafkaClientConfig.SETTINGS);
        out.put("Pollers (`supervisor poller`, `all`)", PollersConfig.SETTINGS);
        out.put("Decider (`supervisor decider`, `all`)", DeciderConfig.SETTINGS);
        out.put("Actuator (`supervisor actuator`, `all`)", ActuatorConfig.SETTINGS);
        return out;
    }

    /** The generated section, markers included. */
    static String section() {
        StringBuilder sb = new StringBuilder(BEGIN).append("\n");
        registries().forEach((heading, settings) -> sb.append("\n### ").append(heading).append("\n\n")
                .append(settings.markdownTable()));
        return sb.append("\n").append(END).toString();
    }

    @Test
    void operationsDocHasTheRegistriesAsItsConfigurationTables() throws IOException {
        Path doc = Manifests.root().resolve("docs/operations.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertThat(begin).as("%s has the generated configuration section (%s)", doc, BEGIN).isNotNegative();
        assertThat(end).isGreaterThan(begin);
        String expected = text.substring(0, begin) + section() + text.substring(end + END.length());
        if (WRITE && !text.equals(expected)) {
            Files.writeString(doc, expected, StandardCharsets.UTF_8);
            return;
        }
        assertThat(text).as("docs/operations.md differs from the setting registries' rendering; rerun "
                + "ConfigurationDocTest with -Dconfig.write=true and review the diff").isEqualTo(expected);
    }

    @Test
    void everySettingIsDocumentedWithItsDefaultAndEveryDocumentedVariableIsRegistered() throws IOException {
        String text = Files.readString(Manifests.root().resolve("docs/operations.md"), StandardCharsets.UTF_8);
        String tables = text.substring(text.indexOf(BEGIN), text.indexOf(END));
        Set<String> registered = new TreeSet<>();
        for (Settings settings : registries().values()) {
            for (Setting<?> s : settings.all()) {
                registered.add(s.name());
                String row = tables.lines().filter(l -> l.startsWith("| `" + s.name() + "`")).findFirst().orElse("");
                assertThat(row).as("the row of %s", s.name()).contains(" | " + s.whenUnset() + " | ");
                s.defaultValue().ifPresent(d -> assertThat(s.whenUnset()).as("%s's documented default", s.name())
                        .startsWith("`").endsWith("`"));
            }
        }
        registered.add(KafkaClientConfig.ENV_PREFIX + "<PROP>");
        Set<String> documented = new TreeSet<>();
        Matcher m = DOCUMENTED.matcher(tables);
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertThat(documented).isEqualTo(registered);
    }
}
