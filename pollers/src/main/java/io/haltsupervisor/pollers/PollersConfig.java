package io.haltsupervisor.pollers;

import io.haltsupervisor.pollers.status.HeightWindow;
import io.haltsupervisor.pollers.pods.PodTargets;
import io.haltsupervisor.pollers.status.StatusFetcher;
import io.haltsupervisor.pollers.status.StatusPoller;
import io.haltsupervisor.schemas.KubeNames;
import io.haltsupervisor.schemas.config.ConfigException;
import io.haltsupervisor.schemas.config.Parser;
import io.haltsupervisor.schemas.config.Parsers;
import io.haltsupervisor.schemas.config.Setting;
import io.haltsupervisor.schemas.config.SettingValues;
import io.haltsupervisor.schemas.config.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pollers' settings, from {@code POLLER_*} environment variables ({@link #fromEnv}); every variable is
 * optional. The variables, their parsers, defaults and docs are the registry {@link #SETTINGS} (the table in
 * docs/operations.md, "Configuration reference", is generated from it). No setting is a secret.
 */
public record PollersConfig(
        List<String> namespaces,
        String labelSelector,
        Duration interval,
        Duration connectTimeout,
        Duration readTimeout,
        int maxInFlight,
        int maxResponseBytes,
        double jitter,
        Duration heartbeat,
        int httpThreads,
        int replicas,
        int ordinal,
        String containerName,
        String rpcPortName,
        int defaultRpcPort,
        boolean allowStatusUrlAnnotation,
        String mappingLabelSelector,
        boolean mappingSync,
        String instance,
        HeightWindow.Settings heightWindow) {

    public static final String DEFAULT_LABEL_SELECTOR = KubeNames.APP_NAME_LABEL + "=seid";
    public static final String DEFAULT_MAPPING_LABEL = KubeNames.IMAGE_MAPPINGS_LABEL + "=true";
    private static final Pattern ORDINAL_SUFFIX = Pattern.compile(".*-(\\d{1,6})");

    /** The pollers' setting registry (see {@link Settings} for how to add one). */
    public static final Settings SETTINGS = new Settings("pollers", "POLLER_");
    public static final Setting<List<String>> NAMESPACES = SETTINGS.define("POLLER_NAMESPACES", Parsers.namespaces(),
            "*", "comma-separated namespaces to watch; empty or `*` for all");
    public static final Setting<String> LABEL_SELECTOR = SETTINGS.define("POLLER_LABEL_SELECTOR",
            Parsers.labelSelector(DEFAULT_LABEL_SELECTOR, true), DEFAULT_LABEL_SELECTOR,
            "pods to watch and poll; set and empty for every pod with a `seid` container");
    public static final Setting<Duration> INTERVAL = SETTINGS.define("POLLER_INTERVAL",
            Parsers.duration(Duration.ofMillis(100), Duration.ofHours(1)), "5s", "time between two polls of a pod");
    public static final Setting<Duration> CONNECT_TIMEOUT = SETTINGS.define("POLLER_CONNECT_TIMEOUT",
            Parsers.duration(Duration.ofMillis(10), Duration.ofMinutes(5)), "2s", "to connect to `/status`");
    public static final Setting<Duration> READ_TIMEOUT = SETTINGS.define("POLLER_READ_TIMEOUT",
            Parsers.duration(Duration.ofMillis(10), Duration.ofMinutes(5)), "3s", "for the response once connected");
    public static final Setting<Integer> MAX_IN_FLIGHT = SETTINGS.define("POLLER_MAX_IN_FLIGHT",
            Parsers.integer(1, 100_000), "256", "concurrent polls at most");
    public static final Setting<Integer> MAX_RESPONSE_BYTES = SETTINGS.define("POLLER_MAX_RESPONSE_BYTES",
            Parsers.integer(1024, 64 * 1024 * 1024), "1048576", "response size cap, bytes");
    public static final Setting<Double> JITTER = SETTINGS.define("POLLER_JITTER", Parsers.decimal(0, 0.5), "0.1",
            "fraction of the interval each poll moves at random (0–0.5)");
    public static final Setting<Duration> HEARTBEAT = SETTINGS.define("POLLER_HEARTBEAT",
            Parsers.duration(Duration.ofSeconds(1), Duration.ofDays(1)), "60s",
            "a node observation is published at least this often");
    public static final Setting<Integer> HTTP_THREADS = SETTINGS.define("POLLER_HTTP_THREADS", Parsers.integer(1, 64),
            "2", "HTTP client and parsing threads");
    public static final Setting<Integer> REPLICAS = SETTINGS.define("POLLER_REPLICAS", Parsers.integer(1, 1000), "1",
            "poller replicas sharing the fleet");
    public static final Setting<Integer> ORDINAL = SETTINGS.optional("POLLER_ORDINAL", Parsers.integer(0, 999),
            "from `POD_NAME`/`HOSTNAME`", "this replica's index; by default the StatefulSet ordinal suffix of the pod "
                    + "name (`pollers-2` → 2), required when there are several replicas and the name has none");
    public static final Setting<String> CONTAINER_NAME = SETTINGS.define("POLLER_CONTAINER_NAME", Parsers.dnsLabel(),
            "seid", "the `seid` container");
    public static final Setting<String> RPC_PORT_NAME = SETTINGS.define("POLLER_RPC_PORT_NAME", Parsers.portName(),
            "rpc", "name of the RPC container port");
    public static final Setting<Integer> DEFAULT_RPC_PORT = SETTINGS.define("POLLER_DEFAULT_RPC_PORT",
            Parsers.integer(1, 65535), "26657", "the RPC port when no container port has that name");
    public static final Setting<Boolean> ALLOW_STATUS_URL_ANNOTATION = SETTINGS.define(
            "POLLER_ALLOW_STATUS_URL_ANNOTATION", Parsers.bool(), "false",
            "honour the pod annotation `halt-supervisor.io/status-url` (dev and test only)");
    public static final Setting<String> MAPPING_LABEL = SETTINGS.define("POLLER_MAPPING_LABEL",
            Parsers.labelSelector(DEFAULT_MAPPING_LABEL, false), DEFAULT_MAPPING_LABEL,
            "label selector of the image-mapping ConfigMaps");
    public static final Setting<Boolean> MAPPING_SYNC = SETTINGS.define("POLLER_MAPPING_SYNC", Parsers.bool(), "true",
            "run the mapping sync (on ordinal 0 only)");
    public static final Setting<String> INSTANCE = SETTINGS.optional("POLLER_INSTANCE", Parsers.text(),
            "`$POD_NAME`, `$HOSTNAME`, `halt-supervisor-pollers`", "the events' `reportingInstance`");
    public static final Setting<Integer> FAST_WINDOW_BLOCKS = SETTINGS.define("POLLER_FAST_WINDOW_BLOCKS",
            Parsers.integer(0, 1_000_000), "50", "a pod this many blocks or fewer below a mapped upgrade height is"
                    + " polled at `POLLER_FAST_INTERVAL` (height-aware polling); 0 turns it off");
    public static final Setting<Duration> FAST_INTERVAL = SETTINGS.optional("POLLER_FAST_INTERVAL",
            Parsers.duration(Duration.ofMillis(50), Duration.ofMinutes(1)), "`500ms`, or `POLLER_INTERVAL` if shorter",
            "time between two polls of a pod near an upgrade height; at most `POLLER_INTERVAL`");
    public static final Setting<Duration> FAST_CEILING = SETTINGS.define("POLLER_FAST_CEILING",
            Parsers.duration(Duration.ofSeconds(1), Duration.ofHours(6)), "5m",
            "longest a pod is polled fast for one height");
    public static final Setting<Integer> FAST_MAX_TARGETS = SETTINGS.define("POLLER_FAST_MAX_TARGETS",
            Parsers.integer(1, 100_000), "100", "pods polled fast at most on this replica; the rest near a height stay"
                    + " at `POLLER_INTERVAL`");

    public PollersConfig {
        namespaces = List.copyOf(namespaces);
        java.util.Objects.requireNonNull(heightWindow, "heightWindow");
        new Shard(ordinal, replicas); // validates
    }

    /** The defaults, as {@code fromEnv(Map.of())}. */
    public static PollersConfig defaults() {
        return fromEnv(Map.of());
    }

    /**
     * Reads and validates the settings; warns about unknown {@code POLLER_*} variables.
     *
     * @throws ConfigException listing every bad setting, each naming the variable and what was expected
     */
    public static PollersConfig fromEnv(Map<String, String> env) {
        SettingValues v = SETTINGS.read(env);
        int replicas = v.get(REPLICAS);
        int ordinal = ordinal(v, env, replicas);
        String instance = v.find(INSTANCE).orElseGet(() -> firstNonBlank(env.get("POD_NAME"), env.get("HOSTNAME"),
                "halt-supervisor-pollers").strip());
        Duration interval = v.get(INTERVAL);
        Duration fast = v.find(FAST_INTERVAL).orElse(interval.compareTo(Duration.ofMillis(500)) < 0 ? interval
                : Duration.ofMillis(500));
        HeightWindow.Settings window = new HeightWindow.Settings(v.get(FAST_WINDOW_BLOCKS), fast, v.get(FAST_CEILING),
                v.get(FAST_MAX_TARGETS));
        if (window.enabled() && fast.compareTo(interval) > 0 && v.valid(INTERVAL, FAST_INTERVAL)) {
            v.refuse(FAST_INTERVAL, "expected at most POLLER_INTERVAL (" + StatusFetcher.human(interval) + ")");
        }
        v.throwIfInvalid();
        return new PollersConfig(v.get(NAMESPACES), v.get(LABEL_SELECTOR), v.get(INTERVAL),
                v.get(CONNECT_TIMEOUT), v.get(READ_TIMEOUT), v.get(MAX_IN_FLIGHT), v.get(MAX_RESPONSE_BYTES),
                v.get(JITTER), v.get(HEARTBEAT), v.get(HTTP_THREADS), replicas, ordinal,
                v.get(CONTAINER_NAME), v.get(RPC_PORT_NAME), v.get(DEFAULT_RPC_PORT), v.get(ALLOW_STATUS_URL_ANNOTATION),
                v.get(MAPPING_LABEL), v.get(MAPPING_SYNC), instance, window);
    }

    public Shard shard() {
        return new Shard(ordinal, replicas);
    }

    /** True when every namespace is watched. */
    public boolean allNamespaces() {
        return namespaces.isEmpty();
    }

    public StatusPoller.Settings pollerSettings() {
        return new StatusPoller.Settings(interval, jitter, heartbeat, maxInFlight, Duration.ofMinutes(1));
    }

    public PodTargets.Settings targetSettings() {
        return new PodTargets.Settings(containerName, rpcPortName, defaultRpcPort, allowStatusUrlAnnotation);
    }

    /**
     * Parses a duration as the settings do ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code PT5S}),
     * between 1 ms and 1 h; for command-line options.
     *
     * @throws IllegalArgumentException naming {@code setting} and what was expected
     */
    public static Duration parseDuration(String setting, String text) {
        String t = text == null ? "" : text.strip();
        try {
            return COMMAND_LINE_DURATION.parse(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage() + ", got '" + t + "'", e);
        }
    }

    private static final Parser<Duration> COMMAND_LINE_DURATION = Parsers.duration(Duration.ofMillis(1),
            Duration.ofHours(1));

    /** The ordinal: {@code POLLER_ORDINAL}, else the pod name's StatefulSet suffix; problems recorded in {@code v}. */
    private static int ordinal(SettingValues v, Map<String, String> env, int replicas) {
        if (v.isSet(ORDINAL)) {
            Integer given = v.get(ORDINAL);
            if (given == null) {
                return 0;
            }
            if (given >= replicas && v.valid(REPLICAS)) {
                v.problem(ORDINAL.name(), "expected 0.." + (replicas - 1) + " for " + REPLICAS.name() + "=" + replicas
                        + ", got " + given);
            }
            return given;
        }
        if (replicas == 1) {
            return 0;
        }
        for (String var : new String[] {"POD_NAME", "HOSTNAME"}) {
            String name = env.get(var);
            if (name != null) {
                Matcher m = ORDINAL_SUFFIX.matcher(name.strip());
                if (m.matches()) {
                    int n = Integer.parseInt(m.group(1));
                    if (n >= replicas) {
                        v.problem(var, "the ordinal of '" + name.strip() + "' is " + n + ", expected 0.."
                                + (replicas - 1) + " for " + REPLICAS.name() + "=" + replicas);
                    }
                    return n;
                }
            }
        }
        v.problem(ORDINAL.name(), "required with " + REPLICAS.name() + "=" + replicas
                + " when neither POD_NAME nor HOSTNAME ends in a StatefulSet ordinal (-N)");
        return 0;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
