package io.haltsupervisor.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The registry: defaults, every error together, unknown-variable warnings, secrets never shown, the docs table. */
class SettingsTest {
    private final Settings settings = new Settings("test", "TEST_");
    private final Setting<Duration> interval = settings.define("TEST_INTERVAL",
            Parsers.duration(Duration.ofMillis(100), Duration.ofHours(1)), "5s", "time between two polls");
    private final Setting<Integer> threads = settings.define("TEST_THREADS", Parsers.integer(1, 64), "2", "threads");
    private final Setting<Boolean> dryRun = settings.define("TEST_DRY_RUN", Parsers.bool(), "false", "record only");
    private final Setting<String> selector = settings.define("TEST_SELECTOR", Parsers.labelSelector("app=x", true),
            "app=x", "pods; empty for all");
    private final Setting<String> endpoint = settings.optional("TEST_ENDPOINT", Parsers.hostPort(), "(none)",
            "where | others reach us");
    private final Setting<Secret> token = settings.secret("TEST_TOKEN", "(none)", "bearer token.");

    @TempDir
    Path dir;

    @Test
    void unsetOrBlankVariablesTakeTheDefaultAndSurroundingWhitespaceIsIgnored() {
        SettingValues v = settings.read(Map.of("TEST_THREADS", "  ", "TEST_INTERVAL", " 2m "));
        assertThat(v.get(interval)).isEqualTo(Duration.ofMinutes(2));
        assertThat(v.get(threads)).isEqualTo(2);
        assertThat(v.get(dryRun)).isFalse();
        assertThat(v.get(endpoint)).isNull();
        assertThat(v.find(endpoint)).isEmpty();
        assertThat(v.find(token)).isEmpty();
        assertThat(v.problems()).isEmpty();
    }

    @Test
    void aParserTakingBlankGetsTheSetButEmptyValue() {
        assertThat(settings.read(Map.of("TEST_SELECTOR", "")).get(selector)).isEmpty();
        assertThat(settings.read(Map.of()).get(selector)).isEqualTo("app=x");
    }

    @Test
    void everyBadSettingIsReportedTogetherNamingVariableValueAndWhatWasExpected() {
        SettingValues v = settings.read(Map.of("TEST_INTERVAL", "0s", "TEST_THREADS", "many", "TEST_DRY_RUN", "maybe",
                "TEST_ENDPOINT", "nowhere"));
        assertThat(v.get(interval)).as("the default stands in for a bad value").isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(v::throwIfInvalid).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).extracting(ConfigException.Problem::variable)
                    .containsExactly("TEST_INTERVAL", "TEST_THREADS", "TEST_DRY_RUN", "TEST_ENDPOINT");
            assertThat(e.getMessage()).isEqualTo("""
                    4 settings are invalid:
                      TEST_INTERVAL: expected a duration between 100ms and 3600s, got '0s'
                      TEST_THREADS: expected an integer from 1 to 64, got 'many'
                      TEST_DRY_RUN: expected true or false (or yes/no, on/off, 1/0), got 'maybe'
                      TEST_ENDPOINT: expected host:port (port 1–65535), got 'nowhere'""");
        }).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneBadSettingIsTheWholeMessage() {
        assertThatThrownBy(() -> settings.read(Map.of("TEST_THREADS", "0")).throwIfInvalid())
                .hasMessage("TEST_THREADS: expected an integer from 1 to 64, got '0'");
    }

    @Test
    void crossSettingRulesAreReportedOncePerVariableAndOnlyOnValidValues() {
        SettingValues v = settings.read(Map.of("TEST_THREADS", "65"));
        v.refuse(threads, "expected at most TEST_OTHER");
        v.refuse(interval, "expected less than 1m");
        assertThat(v.valid(threads)).isFalse();
        assertThat(v.valid(interval)).isFalse();
        assertThat(v.problems()).extracting(Object::toString).containsExactly(
                "TEST_THREADS: expected an integer from 1 to 64, got '65'",
                "TEST_INTERVAL: expected less than 1m");
    }

    @Test
    void aRequiredSettingThatIsMissingIsAProblem() {
        Settings s = new Settings("kafka", "");
        Setting<String> bootstrap = s.required("KAFKA_BOOTSTRAP_SERVERS", Parsers.hostPorts(), "the brokers");
        assertThatThrownBy(() -> s.read(Map.of("KAFKA_BOOTSTRAP_SERVERS", " ")).throwIfInvalid())
                .hasMessage("KAFKA_BOOTSTRAP_SERVERS: required but not set (the brokers)");
        assertThat(s.read(Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9092")).get(bootstrap)).isEqualTo("k:9092");
    }

    @Test
    void secretsComeFromTheVariableOrItsFileAndAreNeverShown() throws Exception {
        assertThat(settings.read(Map.of("TEST_TOKEN", " T0KEN ")).get(token).reveal()).isEqualTo("T0KEN");
        Path file = Files.writeString(dir.resolve("token"), "FILETOKEN\n");
        SettingValues fromFile = settings.read(Map.of("TEST_TOKEN_FILE", file.toString()));
        assertThat(fromFile.get(token).reveal()).isEqualTo("FILETOKEN");
        assertThat(fromFile.get(token).toString()).isEqualTo("[redacted]");
        assertThat(token.shown("T0KEN")).isEqualTo("[redacted]");

        assertThatThrownBy(() -> settings.read(Map.of("TEST_TOKEN", "T0KEN", "TEST_TOKEN_FILE", file.toString()))
                .throwIfInvalid())
                .hasMessage("TEST_TOKEN: TEST_TOKEN and TEST_TOKEN_FILE are both set, expected one")
                .hasMessageNotContaining("T0KEN").hasMessageNotContaining("FILETOKEN");
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> settings.read(Map.of("TEST_TOKEN_FILE", missing.toString())).throwIfInvalid())
                .hasMessageStartingWith("TEST_TOKEN_FILE: expected a readable file holding the secret, cannot read '"
                        + missing + "'");
        SettingValues refused = settings.read(Map.of("TEST_TOKEN", "T0KEN"));
        refused.refuse(token, "expected a token of 32 characters");
        assertThat(refused.problems()).extracting(Object::toString)
                .containsExactly("TEST_TOKEN: expected a token of 32 characters, got [redacted]");
    }

    @Test
    void aSettingNamedLikeACredentialMustBeDeclaredSecret() {
        assertThatThrownBy(() -> settings.define("TEST_API_TOKEN", Parsers.text(), "x", "a token"))
                .hasMessageContaining("TEST_API_TOKEN").hasMessageContaining("secret");
        assertThatThrownBy(() -> settings.optional("TEST_ROUTING_KEY", Parsers.text(), "-", "a key"))
                .hasMessageContaining("secret");
        assertThatThrownBy(() -> settings.define("OTHER_X", Parsers.text(), "x", "x")).hasMessageContaining("TEST_");
        assertThatThrownBy(() -> settings.define("TEST_THREADS", Parsers.text(), "x", "x"))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> settings.define("TEST_BAD_DEFAULT", Parsers.integer(1, 2), "3", "x"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("TEST_BAD_DEFAULT");
    }

    @Test
    void unknownVariablesWithThePrefixAreNamedWithTheNearestKnownOne() {
        assertThat(settings.unknownVariables(Map.of("TEST_INTERVALL", "5s", "TEST_THREAD", "1", "TEST_WHATEVER", "x",
                "TEST_TOKEN_FILE", "/f", "TEST_TOKEN", "t", "OTHER_INTERVALL", "5s", "TEST_INTERVAL", "1s")))
                .containsExactly(
                        "unknown variable TEST_INTERVALL, ignored (did you mean TEST_INTERVAL?)",
                        "unknown variable TEST_THREAD, ignored (did you mean TEST_THREADS?)",
                        "unknown variable TEST_WHATEVER, ignored");
        assertThat(new Settings("kafka", "").unknownVariables(Map.of("KAFKA_ANYTHING", "x"))).isEmpty();
    }

    @Test
    void readingLogsOneWarningPerUnknownVariable() {
        Logger logger = (Logger) LoggerFactory.getLogger(Settings.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            settings.read(Map.of("TEST_DRYRUN", "true", "TEST_THREADS", "3"));
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).hasSize(1);
        assertThat(appender.list.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(appender.list.get(0).getFormattedMessage())
                .isEqualTo("test: unknown variable TEST_DRYRUN, ignored (did you mean TEST_DRY_RUN?)");
    }

    @Test
    void theMarkdownTableListsEverySettingWithItsDefault() {
        settings.passThrough("TEST_CLIENT_", "TEST_CLIENT_<PROP>", "a client property");
        assertThat(settings.markdownTable()).isEqualTo("""
                | variable | default | meaning |
                |---|---|---|
                | `TEST_INTERVAL` | `5s` | time between two polls |
                | `TEST_THREADS` | `2` | threads |
                | `TEST_DRY_RUN` | `false` | record only |
                | `TEST_SELECTOR` | `app=x` | pods; empty for all |
                | `TEST_ENDPOINT` | (none) | where \\| others reach us |
                | `TEST_TOKEN` or `TEST_TOKEN_FILE` | (none) | bearer token. Secret: never logged; `TEST_TOKEN_FILE` \
                names a file holding it (a mounted Secret), never both. |
                | `TEST_CLIENT_<PROP>` | — | a client property |
                """);
        assertThat(settings.unknownVariables(Map.of("TEST_CLIENT_SASL_MECHANISM", "x"))).isEmpty();
        assertThat(settings.all()).hasSize(6);
        assertThat(settings.find("TEST_THREADS")).contains(threads);
    }

    @Test
    void redactionHidesUrlCredentialsAndNamesThatLookSecret() {
        assertThat(Redaction.url("https://hooks.example/x?secret=Q")).isEqualTo(
                "https://hooks.example/x [credentials/query redacted]");
        assertThat(Redaction.url("http://am:9093/")).isEqualTo("http://am:9093/");
        assertThat(Redaction.url("garbage?k=v")).isEqualTo("garbage [query redacted]");
        assertThat(List.of("sasl.jaas.config", "ssl.key.password", "ssl.keystore.key", "ACTUATOR_WEBHOOK_TOKEN",
                "ACTUATOR_PAGERDUTY_ROUTING_KEY", "basic.auth.user.info.credentials"))
                .allMatch(Redaction::isSecretName);
        assertThat(List.of("security.protocol", "sasl.mechanism", "ssl.keystore.location", "POLLER_INTERVAL"))
                .noneMatch(Redaction::isSecretName);
    }
}
