package io.haltsupervisor.actuator;

import io.haltsupervisor.schemas.config.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.actuator.plan.PagerSink;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActuatorConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaults() {
        ActuatorConfig c = ActuatorConfig.fromEnv(Map.of("HOSTNAME", "actuator-0"));
        assertThat(c.groupId()).isEqualTo("halt-supervisor-actuator");
        assertThat(c.instance()).isEqualTo("actuator-0");
        assertThat(c.transactionalId()).isEqualTo("halt-supervisor-actuator-actuator-0");
        assertThat(c.dryRun()).isFalse();
        assertThat(c.policy().namespaces()).isEmpty();
        assertThat(c.policy().imageAllowList()).isEmpty();
        assertThat(c.policy().maxDecisionAge()).isEqualTo(Duration.ofHours(24));
        assertThat(c.rateLimitPerMinute()).isEqualTo(30);
        assertThat(c.rateLimitBurst()).isEqualTo(10);
        assertThat(c.rateLimitMaxWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.containerName()).isEqualTo("seid");
        assertThat(c.retry()).isEqualTo(new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(10)));
        assertThat(c.httpTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.pagerSinks()).isEmpty();
        assertThat(ActuatorConfig.fromEnv(Map.of()).instance()).isEqualTo("halt-supervisor-actuator");
        assertThat(ActuatorConfig.fromEnv(Map.of("POD_NAME", "p", "HOSTNAME", "h")).instance()).isEqualTo("p");
    }

    @Test
    void everySetting() {
        Map<String, String> env = new HashMap<>();
        env.put("ACTUATOR_GROUP_ID", "g");
        env.put("ACTUATOR_INSTANCE", "i");
        env.put("ACTUATOR_TRANSACTIONAL_ID", "t");
        env.put("ACTUATOR_DRY_RUN", "true");
        env.put("ACTUATOR_NAMESPACES", "sei, sei-testnet");
        env.put("ACTUATOR_IMAGE_ALLOW", "ghcr\\.io/sei-protocol/seid:.*\n  registry\\.local(:\\d{1,5})?/seid@.*");
        env.put("ACTUATOR_MAX_DECISION_AGE", "0");
        env.put("ACTUATOR_RATE_LIMIT_PER_MINUTE", "0");
        env.put("ACTUATOR_RATE_LIMIT_BURST", "3");
        env.put("ACTUATOR_RATE_LIMIT_MAX_WAIT", "PT5S");
        env.put("ACTUATOR_CONTAINER_NAME", "node");
        env.put("ACTUATOR_RETRY_MAX_ATTEMPTS", "2");
        env.put("ACTUATOR_RETRY_INITIAL_BACKOFF", "10ms");
        env.put("ACTUATOR_RETRY_MAX_BACKOFF", "1s");
        env.put("ACTUATOR_HTTP_TIMEOUT", "2s");
        env.put("ACTUATOR_PAGERDUTY_ROUTING_KEY", "R0UT1NGKEY");
        env.put("ACTUATOR_PAGERDUTY_URL", "http://127.0.0.1:9/v2/enqueue");
        env.put("ACTUATOR_ALERTMANAGER_URLS", "http://am-0:9093,http://am-1:9093/prefix/");
        env.put("ACTUATOR_ALERTMANAGER_RESEND_INTERVAL", "30s");
        env.put("ACTUATOR_ALERTMANAGER_ALERT_TTL", "10m");
        env.put("ACTUATOR_WEBHOOK_URL", "https://hooks.example/x");
        env.put("ACTUATOR_WEBHOOK_TOKEN", "T0KEN");
        ActuatorConfig c = ActuatorConfig.fromEnv(env);
        assertThat(c.groupId()).isEqualTo("g");
        assertThat(c.instance()).isEqualTo("i");
        assertThat(c.transactionalId()).isEqualTo("t");
        assertThat(c.dryRun()).isTrue();
        assertThat(c.policy().namespaces()).containsExactlyInAnyOrder("sei", "sei-testnet");
        assertThat(c.policy().imageAllowList()).hasSize(2);
        assertThat(c.policy().imageAllowList().get(1).pattern()).isEqualTo("registry\\.local(:\\d{1,5})?/seid@.*");
        assertThat(c.policy().maxDecisionAge()).isZero();
        assertThat(c.rateLimitPerMinute()).isZero();
        assertThat(c.rateLimitBurst()).isEqualTo(3);
        assertThat(c.rateLimitMaxWait()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.containerName()).isEqualTo("node");
        assertThat(c.retry()).isEqualTo(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofSeconds(1)));
        assertThat(c.httpTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.pagerDuty().orElseThrow().url()).isEqualTo(URI.create("http://127.0.0.1:9/v2/enqueue"));
        assertThat(c.pagerDuty().orElseThrow().routingKey().reveal()).isEqualTo("R0UT1NGKEY");
        assertThat(c.alertmanager().orElseThrow().urls()).containsExactly(URI.create("http://am-0:9093"),
                URI.create("http://am-1:9093/prefix/"));
        assertThat(c.alertmanager().orElseThrow().resendInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.alertmanager().orElseThrow().alertTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.webhook().orElseThrow().bearerToken().orElseThrow().reveal()).isEqualTo("T0KEN");
        assertThat(c.pagerSinks()).containsExactlyInAnyOrder(PagerSink.PAGERDUTY, PagerSink.ALERTMANAGER,
                PagerSink.WEBHOOK);
    }

    @Test
    void secretsComeFromMountedFilesAndNeverShowInToString() throws IOException {
        Path key = Files.writeString(dir.resolve("routing-key"), "FILEKEY123\n");
        Path token = Files.writeString(dir.resolve("token"), "AMTOKEN456");
        ActuatorConfig c = ActuatorConfig.fromEnv(Map.of(
                "ACTUATOR_PAGERDUTY_ROUTING_KEY_FILE", key.toString(),
                "ACTUATOR_ALERTMANAGER_URLS", "http://user:pa55@am:9093",
                "ACTUATOR_ALERTMANAGER_TOKEN_FILE", token.toString(),
                "ACTUATOR_WEBHOOK_URL", "https://hooks.example/x?secret=QUERYSECRET",
                "ACTUATOR_WEBHOOK_TOKEN", "HOOKTOKEN789"));
        assertThat(c.pagerDuty().orElseThrow().routingKey().reveal()).isEqualTo("FILEKEY123");
        assertThat(c.pagerDuty().orElseThrow().url()).isEqualTo(URI.create(ActuatorConfig.DEFAULT_PAGERDUTY_URL));
        assertThat(c.alertmanager().orElseThrow().bearerToken().orElseThrow().reveal()).isEqualTo("AMTOKEN456");
        String shown = c.toString();
        assertThat(shown).doesNotContain("FILEKEY123", "AMTOKEN456", "HOOKTOKEN789", "pa55", "QUERYSECRET")
                .contains("[redacted]").contains("am:9093");
    }

    @Test
    void badValuesNameTheVariableAndWhatWasExpected() {
        assertBad(Map.of("ACTUATOR_DRY_RUN", "maybe"), "ACTUATOR_DRY_RUN", "true or false");
        assertBad(Map.of("ACTUATOR_NAMESPACES", "Sei_Main"), "ACTUATOR_NAMESPACES", "namespace names");
        assertBad(Map.of("ACTUATOR_IMAGE_ALLOW", "ghcr.io/(unclosed"), "ACTUATOR_IMAGE_ALLOW", "regular expressions");
        assertBad(Map.of("ACTUATOR_RATE_LIMIT_PER_MINUTE", "-1"), "ACTUATOR_RATE_LIMIT_PER_MINUTE", "integer >= 0");
        assertBad(Map.of("ACTUATOR_RATE_LIMIT_BURST", "0"), "ACTUATOR_RATE_LIMIT_BURST", "integer >= 1");
        assertBad(Map.of("ACTUATOR_RETRY_MAX_ATTEMPTS", "many"), "ACTUATOR_RETRY_MAX_ATTEMPTS", "integer >= 1");
        assertBad(Map.of("ACTUATOR_RETRY_INITIAL_BACKOFF", "soon"), "ACTUATOR_RETRY_INITIAL_BACKOFF", "duration");
        assertBad(Map.of("ACTUATOR_RETRY_INITIAL_BACKOFF", "5s", "ACTUATOR_RETRY_MAX_BACKOFF", "1s"),
                "ACTUATOR_RETRY_MAX_BACKOFF", "at least");
        assertBad(Map.of("ACTUATOR_HTTP_TIMEOUT", "0"), "ACTUATOR_HTTP_TIMEOUT", "positive");
        assertBad(Map.of("ACTUATOR_CONTAINER_NAME", "Seid!"), "ACTUATOR_CONTAINER_NAME", "Kubernetes name");
        assertBad(Map.of("ACTUATOR_WEBHOOK_URL", "ftp://x/y"), "ACTUATOR_WEBHOOK_URL", "http(s) URL");
        assertBad(Map.of("ACTUATOR_ALERTMANAGER_URLS", "am:9093"), "ACTUATOR_ALERTMANAGER_URLS", "http(s) URL");
        assertBad(Map.of("ACTUATOR_ALERTMANAGER_URLS", "http://am:9093", "ACTUATOR_ALERTMANAGER_RESEND_INTERVAL", "1m",
                "ACTUATOR_ALERTMANAGER_ALERT_TTL", "90s"), "ACTUATOR_ALERTMANAGER_ALERT_TTL", "twice");
        assertBad(Map.of("ACTUATOR_PAGERDUTY_URL", "http://pd/x"), "ACTUATOR_PAGERDUTY_URL", "ROUTING_KEY");
        assertBad(Map.of("ACTUATOR_PAGERDUTY_ROUTING_KEY", "a", "ACTUATOR_PAGERDUTY_ROUTING_KEY_FILE", "/x"),
                "ACTUATOR_PAGERDUTY_ROUTING_KEY and ACTUATOR_PAGERDUTY_ROUTING_KEY_FILE", "expected one");
        assertBad(Map.of("ACTUATOR_PAGERDUTY_ROUTING_KEY_FILE", dir.resolve("missing").toString()),
                "ACTUATOR_PAGERDUTY_ROUTING_KEY_FILE", "readable file");
    }

    @Test
    void emptySecretFileIsAnError() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertBad(Map.of("ACTUATOR_WEBHOOK_URL", "http://h/x", "ACTUATOR_WEBHOOK_TOKEN_FILE", empty.toString()),
                "ACTUATOR_WEBHOOK_TOKEN_FILE", "is empty");
    }

    @Test
    void durationsInEveryAcceptedForm() {
        for (var e : Map.of("500ms", Duration.ofMillis(500), "30s", Duration.ofSeconds(30), "5m",
                Duration.ofMinutes(5), "1h", Duration.ofHours(1), "2d", Duration.ofDays(2), "PT1M30S",
                Duration.ofSeconds(90), "0", Duration.ZERO).entrySet()) {
            assertThat(ActuatorConfig.parseDuration("X", e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThatThrownBy(() -> ActuatorConfig.parseDuration("X", "-PT1S")).hasMessageStartingWith("X:");
    }

    private static void assertBad(Map<String, String> env, String variable, String expected) {
        assertThatThrownBy(() -> ActuatorConfig.fromEnv(env)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(variable).hasMessageContaining(expected);
    }

    @Test
    void allowListIsSplitOnWhitespaceNotCommas() {
        ActuatorConfig c = ActuatorConfig.fromEnv(Map.of("ACTUATOR_IMAGE_ALLOW", "a{1,3} b"));
        assertThat(c.policy().imageAllowList()).extracting(java.util.regex.Pattern::pattern)
                .isEqualTo(List.of("a{1,3}", "b"));
    }

    @Test
    void reportsEveryBadSettingTogetherWithoutASecretValue() {
        assertThatThrownBy(() -> ActuatorConfig.fromEnv(Map.of("ACTUATOR_DRY_RUN", "maybe",
                "ACTUATOR_RATE_LIMIT_BURST", "0", "ACTUATOR_WEBHOOK_URL", "ftp://x/y",
                "ACTUATOR_WEBHOOK_TOKEN", "HOOKTOKEN789", "ACTUATOR_WEBHOOK_TOKEN_FILE", "/run/token",
                "ACTUATOR_ALERTMANAGER_URLS", "http://user:pa55@am:9093,am-1:9093")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigException.Problem::variable).containsExactlyInAnyOrder("ACTUATOR_DRY_RUN",
                                "ACTUATOR_RATE_LIMIT_BURST", "ACTUATOR_WEBHOOK_URL", "ACTUATOR_WEBHOOK_TOKEN",
                                "ACTUATOR_ALERTMANAGER_URLS"))
                .hasMessageNotContaining("HOOKTOKEN789").hasMessageNotContaining("pa55");
    }

    @Test
    void starMeansEveryNamespaceAsForThePollers() {
        assertThat(ActuatorConfig.fromEnv(Map.of("ACTUATOR_NAMESPACES", "*")).policy().namespaces()).isEmpty();
    }

    @Test
    void namesTheNearestSettingOfAnUnknownActuatorVariable() {
        assertThat(ActuatorConfig.SETTINGS.unknownVariables(Map.of("ACTUATOR_DRYRUN", "true",
                "ACTUATOR_WEBHOOK_TOKEN_FILE", "/t", "ACTUATOR_PAGERDUTY_ROUTINGKEY", "k"))).containsExactly(
                "unknown variable ACTUATOR_DRYRUN, ignored (did you mean ACTUATOR_DRY_RUN?)",
                "unknown variable ACTUATOR_PAGERDUTY_ROUTINGKEY, ignored (did you mean ACTUATOR_PAGERDUTY_ROUTING_KEY?)");
    }

    @Test
    void theDecisionsConsumerFailsOverInSecondsAndStaticMembershipUsesTheInstanceName() {
        ActuatorConfig defaults = ActuatorConfig.fromEnv(Map.of());
        assertThat(defaults.membership().sessionTimeout()).isEqualTo(java.time.Duration.ofSeconds(6));
        assertThat(defaults.membership().instanceId()).isEmpty();
        assertThat(defaults.membership().leaveGroupOnClose()).isTrue();
        ActuatorConfig fixed = ActuatorConfig.fromEnv(Map.of("ACTUATOR_STATIC_MEMBERSHIP", "true",
                "POD_NAME", "halt-supervisor-actuator-1", "ACTUATOR_SESSION_TIMEOUT", "20s"));
        assertThat(fixed.membership().instanceId()).contains("halt-supervisor-actuator-1");
        assertThat(fixed.membership().consumerProperties("")).containsEntry("session.timeout.ms", 20_000)
                .containsEntry("heartbeat.interval.ms", 5_000)
                .containsEntry("group.instance.id", "halt-supervisor-actuator-1");
        assertThatThrownBy(() -> ActuatorConfig.fromEnv(Map.of("ACTUATOR_HEARTBEAT_INTERVAL", "10s")))
                .hasMessageContaining("ACTUATOR_HEARTBEAT_INTERVAL");
    }
}
