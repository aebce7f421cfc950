package io.haltsupervisor.pollers;

import io.haltsupervisor.pollers.status.HeightWindow;
import io.haltsupervisor.schemas.config.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PollersConfigTest {

    @Test
    void hasSafeDefaults() {
        PollersConfig c = PollersConfig.fromEnv(Map.of());
        assertThat(c.namespaces()).isEmpty();
        assertThat(c.allNamespaces()).isTrue();
        assertThat(c.labelSelector()).isEqualTo("app.kubernetes.io/name=seid");
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.maxInFlight()).isEqualTo(256);
        assertThat(c.maxResponseBytes()).isEqualTo(1024 * 1024);
        assertThat(c.jitter()).isEqualTo(0.1);
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.shard()).isEqualTo(Shard.SOLE);
        assertThat(c.containerName()).isEqualTo("seid");
        assertThat(c.rpcPortName()).isEqualTo("rpc");
        assertThat(c.defaultRpcPort()).isEqualTo(26657);
        assertThat(c.allowStatusUrlAnnotation()).as("the annotation is an SSRF lever: off by default").isFalse();
        assertThat(c.mappingLabelSelector()).isEqualTo("halt-supervisor.io/image-mappings=true");
        assertThat(c.mappingSync()).isTrue();
        assertThat(c.instance()).isEqualTo("halt-supervisor-pollers");
        assertThat(c.heightWindow()).isEqualTo(new HeightWindow.Settings(50, Duration.ofMillis(500),
                Duration.ofMinutes(5), 100));
    }

    @Test
    void readsTheHeightWindowSettings() {
        PollersConfig c = PollersConfig.fromEnv(Map.of("POLLER_FAST_WINDOW_BLOCKS", "20",
                "POLLER_FAST_INTERVAL", "250ms", "POLLER_FAST_CEILING", "90s", "POLLER_FAST_MAX_TARGETS", "8"));
        assertThat(c.heightWindow()).isEqualTo(new HeightWindow.Settings(20, Duration.ofMillis(250),
                Duration.ofSeconds(90), 8));
        assertThat(PollersConfig.fromEnv(Map.of("POLLER_FAST_WINDOW_BLOCKS", "0")).heightWindow().enabled()).isFalse();
        assertThat(PollersConfig.fromEnv(Map.of("POLLER_INTERVAL", "200ms")).heightWindow().fastInterval())
                .as("never slower than the normal interval").isEqualTo(Duration.ofMillis(200));
        assertThatThrownBy(() -> PollersConfig.fromEnv(Map.of("POLLER_INTERVAL", "1s", "POLLER_FAST_INTERVAL", "2s")))
                .hasMessage("POLLER_FAST_INTERVAL: expected at most POLLER_INTERVAL (1s), got '2s'");
        assertThatThrownBy(() -> PollersConfig.fromEnv(Map.of("POLLER_FAST_MAX_TARGETS", "0")))
                .hasMessage("POLLER_FAST_MAX_TARGETS: expected an integer from 1 to 100000, got '0'");
        assertThatThrownBy(() -> PollersConfig.fromEnv(Map.of("POLLER_FAST_WINDOW_BLOCKS", "-5")))
                .hasMessage("POLLER_FAST_WINDOW_BLOCKS: expected an integer from 0 to 1000000, got '-5'");
    }

    @Test
    void readsEverySetting() {
        PollersConfig c = PollersConfig.fromEnv(Map.ofEntries(
                Map.entry("POLLER_NAMESPACES", " sei, sei-test ,sei"),
                Map.entry("POLLER_LABEL_SELECTOR", "app=seid,tier in (rpc,validator)"),
                Map.entry("POLLER_INTERVAL", "500ms"),
                Map.entry("POLLER_CONNECT_TIMEOUT", "PT1S"),
                Map.entry("POLLER_READ_TIMEOUT", "2m"),
                Map.entry("POLLER_MAX_IN_FLIGHT", "32"),
                Map.entry("POLLER_MAX_RESPONSE_BYTES", "65536"),
                Map.entry("POLLER_JITTER", "0"),
                Map.entry("POLLER_HEARTBEAT", "1h"),
                Map.entry("POLLER_HTTP_THREADS", "4"),
                Map.entry("POLLER_REPLICAS", "3"),
                Map.entry("POLLER_ORDINAL", "2"),
                Map.entry("POLLER_CONTAINER_NAME", "node"),
                Map.entry("POLLER_RPC_PORT_NAME", "tm-rpc"),
                Map.entry("POLLER_DEFAULT_RPC_PORT", "36657"),
                Map.entry("POLLER_ALLOW_STATUS_URL_ANNOTATION", "TRUE"),
                Map.entry("POLLER_MAPPING_LABEL", "team=sei,kind=mappings"),
                Map.entry("POLLER_MAPPING_SYNC", "false"),
                Map.entry("POLLER_INSTANCE", "pollers-2")));
        assertThat(c.namespaces()).containsExactly("sei", "sei-test");
        assertThat(c.labelSelector()).isEqualTo("app=seid,tier in (rpc,validator)");
        assertThat(c.interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.readTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.maxInFlight()).isEqualTo(32);
        assertThat(c.maxResponseBytes()).isEqualTo(65536);
        assertThat(c.jitter()).isZero();
        assertThat(c.heartbeat()).isEqualTo(Duration.ofHours(1));
        assertThat(c.httpThreads()).isEqualTo(4);
        assertThat(c.shard()).isEqualTo(new Shard(2, 3));
        assertThat(c.containerName()).isEqualTo("node");
        assertThat(c.rpcPortName()).isEqualTo("tm-rpc");
        assertThat(c.defaultRpcPort()).isEqualTo(36657);
        assertThat(c.allowStatusUrlAnnotation()).isTrue();
        assertThat(c.mappingLabelSelector()).isEqualTo("team=sei,kind=mappings");
        assertThat(c.mappingSync()).isFalse();
        assertThat(c.instance()).isEqualTo("pollers-2");
    }

    @Test
    void anEmptySelectorMeansEveryPodAndStarMeansEveryNamespace() {
        PollersConfig c = PollersConfig.fromEnv(Map.of("POLLER_LABEL_SELECTOR", "", "POLLER_NAMESPACES", "*"));
        assertThat(c.labelSelector()).isEmpty();
        assertThat(c.allNamespaces()).isTrue();
    }

    @Test
    void takesTheOrdinalFromTheStatefulSetPodName() {
        assertThat(PollersConfig.fromEnv(Map.of("POLLER_REPLICAS", "4", "POD_NAME", "halt-supervisor-pollers-3"))
                .ordinal()).isEqualTo(3);
        assertThat(PollersConfig.fromEnv(Map.of("POLLER_REPLICAS", "4", "HOSTNAME", "pollers-1")).ordinal())
                .isEqualTo(1);
        assertThat(PollersConfig.fromEnv(Map.of("POD_NAME", "halt-supervisor-pollers-3")).ordinal())
                .as("one replica is always ordinal 0").isZero();
        assertThat(PollersConfig.fromEnv(Map.of("HOSTNAME", "pollers-7")).instance()).isEqualTo("pollers-7");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "POLLER_INTERVAL            | soon          | POLLER_INTERVAL: expected a duration like 500ms, 30s, 5m, 1h, 2d or PT5M, got 'soon'",
        "POLLER_INTERVAL            | 0s            | POLLER_INTERVAL: expected a duration between 100ms and 3600s, got '0s'",
        "POLLER_READ_TIMEOUT        | -1s           | POLLER_READ_TIMEOUT: expected a duration like 500ms, 30s, 5m, 1h, 2d or PT5M, got '-1s'",
        "POLLER_MAX_IN_FLIGHT       | 0             | POLLER_MAX_IN_FLIGHT: expected an integer from 1 to 100000, got '0'",
        "POLLER_MAX_IN_FLIGHT       | many          | POLLER_MAX_IN_FLIGHT: expected an integer from 1 to 100000, got 'many'",
        "POLLER_MAX_RESPONSE_BYTES  | 10            | POLLER_MAX_RESPONSE_BYTES: expected an integer from 1024 to 67108864, got '10'",
        "POLLER_JITTER              | 0.9           | POLLER_JITTER: expected a number from 0 to 0.5, got '0.9'",
        "POLLER_JITTER              | NaN           | POLLER_JITTER: expected a number from 0 to 0.5, got 'NaN'",
        "POLLER_NAMESPACES          | Sei,prod      | POLLER_NAMESPACES: expected comma-separated namespace names (lowercase DNS labels) or '*', got 'Sei,prod'",
        "POLLER_CONTAINER_NAME      | Seid_Main     | POLLER_CONTAINER_NAME: expected a Kubernetes name (lowercase letters, digits, '-'), got 'Seid_Main'",
        "POLLER_DEFAULT_RPC_PORT    | 70000         | POLLER_DEFAULT_RPC_PORT: expected an integer from 1 to 65535, got '70000'",
        "POLLER_ALLOW_STATUS_URL_ANNOTATION | maybe | POLLER_ALLOW_STATUS_URL_ANNOTATION: expected true or false (or yes/no, on/off, 1/0), got 'maybe'",
        "POLLER_MAPPING_LABEL       | '  '          | POLLER_MAPPING_LABEL: expected a label selector such as 'halt-supervisor.io/image-mappings=true', got an empty value",
    })
    void rejectsBadValuesNamingTheVariable(String name, String value, String message) {
        assertThatThrownBy(() -> PollersConfig.fromEnv(Map.of(name, value)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void rejectsAnOrdinalItCannotDetermineOrThatIsOutOfRange() {
        assertThatThrownBy(() -> PollersConfig.fromEnv(Map.of("POLLER_REPLICAS", "2", "HOSTNAME", "laptop")))
                .hasMessageStartingWith("POLLER_ORDINAL: required with POLLER_REPLICAS=2");
        assertThatThrownBy(() -> PollersConfig.fromEnv(Map.of("POLLER_REPLICAS", "2", "POLLER_ORDINAL", "2")))
                .hasMessage("POLLER_ORDINAL: expected 0..1 for POLLER_REPLICAS=2, got 2");
        assertThatThrownBy(() -> PollersConfig.fromEnv(Map.of("POLLER_REPLICAS", "2", "POD_NAME", "pollers-5")))
                .hasMessageStartingWith("POD_NAME: the ordinal of 'pollers-5' is 5");
    }

    @Test
    void parsesDurationsForCommandLineOptions() {
        assertThat(PollersConfig.parseDuration("--timeout", "750ms")).isEqualTo(Duration.ofMillis(750));
        assertThatThrownBy(() -> PollersConfig.parseDuration("--timeout", "fast"))
                .hasMessage("--timeout: expected a duration like 500ms, 30s, 5m, 1h, 2d or PT5M, got 'fast'");
        assertThatThrownBy(() -> PollersConfig.parseDuration("--timeout", ""))
                .hasMessage("--timeout: expected a duration like 500ms, 30s, 5m, 1h, 2d or PT5M, got ''");
    }

    @Test
    void toStringShowsTheSettings() {
        assertThat(PollersConfig.fromEnv(Map.of("POLLER_NAMESPACES", "sei")).toString())
                .contains("namespaces=[sei]").contains("interval=PT5S");
        assertThat(PollersConfig.defaults().pollerSettings().errorLogInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(PollersConfig.defaults().namespaces()).isEqualTo(List.of());
    }

    @Test
    void reportsEveryBadSettingTogether() {
        assertThatThrownBy(() -> PollersConfig.fromEnv(Map.of("POLLER_INTERVAL", "soon", "POLLER_JITTER", "2",
                "POLLER_REPLICAS", "2", "HOSTNAME", "laptop", "POLLER_MAPPING_SYNC", "sometimes")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigException.Problem::variable).containsExactlyInAnyOrder("POLLER_INTERVAL",
                                "POLLER_JITTER", "POLLER_ORDINAL", "POLLER_MAPPING_SYNC"))
                .hasMessageStartingWith("4 settings are invalid:");
    }

    @Test
    void booleansTakeEveryFormOfTheSharedRule() {
        for (String yes : new String[] {"true", "yes", "on", "1"}) {
            assertThat(PollersConfig.fromEnv(Map.of("POLLER_MAPPING_SYNC", "false",
                    "POLLER_ALLOW_STATUS_URL_ANNOTATION", yes)).allowStatusUrlAnnotation()).as(yes).isTrue();
        }
        for (String no : new String[] {"false", "no", "off", "0"}) {
            assertThat(PollersConfig.fromEnv(Map.of("POLLER_MAPPING_SYNC", no)).mappingSync()).as(no).isFalse();
        }
    }

    @Test
    void namesTheNearestSettingOfAnUnknownPollerVariable() {
        assertThat(PollersConfig.SETTINGS.unknownVariables(Map.of("POLLER_INTERVALS", "5s", "POLLER_NAMESPACE", "sei",
                "POLLER_INTERVAL", "5s", "DECIDER_GRACE_WINDOW", "5m"))).containsExactly(
                "unknown variable POLLER_INTERVALS, ignored (did you mean POLLER_INTERVAL?)",
                "unknown variable POLLER_NAMESPACE, ignored (did you mean POLLER_NAMESPACES?)");
    }
}
