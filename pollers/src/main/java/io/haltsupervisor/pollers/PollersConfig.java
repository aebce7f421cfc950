package io.haltsupervisor.pollers;

import io.haltsupervisor.schemas.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pollers' settings, from environment variables ({@link #fromEnv}); every variable is optional.
 *
 * <table>
 * <caption>Variables</caption>
 * <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code POLLER_NAMESPACES}</td><td>(all)</td><td>comma-separated namespaces to watch; empty or
 *     {@code *} for all</td></tr>
 * <tr><td>{@code POLLER_LABEL_SELECTOR}</td><td>{@code app.kubernetes.io/name=seid}</td><td>pods to watch
 *     and poll; empty for every pod with a {@code seid} container</td></tr>
 * <tr><td>{@code POLLER_INTERVAL}</td><td>{@code 5s}</td><td>time between two polls of a pod</td></tr>
 * <tr><td>{@code POLLER_CONNECT_TIMEOUT}</td><td>{@code 2s}</td><td>to connect to {@code /status}</td></tr>
 * <tr><td>{@code POLLER_READ_TIMEOUT}</td><td>{@code 3s}</td><td>for the response once connected</td></tr>
 * <tr><td>{@code POLLER_MAX_IN_FLIGHT}</td><td>{@code 256}</td><td>concurrent polls at most</td></tr>
 * <tr><td>{@code POLLER_MAX_RESPONSE_BYTES}</td><td>{@code 1048576}</td><td>response size cap</td></tr>
 * <tr><td>{@code POLLER_JITTER}</td><td>{@code 0.1}</td><td>fraction of the interval each poll moves at
 *     random (0–0.5)</td></tr>
 * <tr><td>{@code POLLER_HEARTBEAT}</td><td>{@code 60s}</td><td>node observation at least this often</td></tr>
 * <tr><td>{@code POLLER_HTTP_THREADS}</td><td>{@code 2}</td><td>HTTP client and parsing threads</td></tr>
 * <tr><td>{@code POLLER_REPLICAS}</td><td>{@code 1}</td><td>poller replicas sharing the fleet</td></tr>
 * <tr><td>{@code POLLER_ORDINAL}</td><td>from {@code POD_NAME}/{@code HOSTNAME}</td><td>this replica's
 *     index; by default the StatefulSet ordinal suffix of the pod name ({@code pollers-2} → 2), required
 *     when there are several replicas and the name has none</td></tr>
 * <tr><td>{@code POLLER_CONTAINER_NAME}</td><td>{@code seid}</td><td>the {@code seid} container</td></tr>
 * <tr><td>{@code POLLER_RPC_PORT_NAME}</td><td>{@code rpc}</td><td>name of the RPC container port</td></tr>
 * <tr><td>{@code POLLER_DEFAULT_RPC_PORT}</td><td>{@code 26657}</td><td>when no port has that name</td></tr>
 * <tr><td>{@code POLLER_ALLOW_STATUS_URL_ANNOTATION}</td><td>{@code false}</td><td>honour the pod annotation
 *     {@code halt-supervisor.io/status-url} (dev and test only)</td></tr>
 * <tr><td>{@code POLLER_MAPPING_LABEL}</td><td>{@code halt-supervisor.io/image-mappings=true}</td><td>label
 *     selector of the image-mapping ConfigMaps</td></tr>
 * <tr><td>{@code POLLER_MAPPING_SYNC}</td><td>{@code true}</td><td>run the mapping sync (on ordinal 0
 *     only)</td></tr>
 * <tr><td>{@code POLLER_INSTANCE}</td><td>{@code POD_NAME}, {@code HOSTNAME}</td><td>the events'
 *     {@code reportingInstance}</td></tr>
 * <tr><td>{@code POLLER_FAST_WINDOW_BLOCKS}</td><td>{@code 50}</td><td>a pod this many blocks or fewer below a
 *     mapped upgrade height is polled at {@code POLLER_FAST_INTERVAL} ({@link HeightWindow}); 0 turns height
 *     awareness off</td></tr>
 * <tr><td>{@code POLLER_FAST_INTERVAL}</td><td>{@code 500ms} (or {@code POLLER_INTERVAL} if shorter)</td><td>time
 *     between two polls of a pod near an upgrade height; at most {@code POLLER_INTERVAL}</td></tr>
 * <tr><td>{@code POLLER_FAST_CEILING}</td><td>{@code 5m}</td><td>longest a pod is polled fast for one
 *     height</td></tr>
 * <tr><td>{@code POLLER_FAST_MAX_TARGETS}</td><td>{@code 100}</td><td>pods polled fast at most on this replica;
 *     the rest near a height stay at {@code POLLER_INTERVAL}</td></tr>
 * </table>
 * Durations: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT5S}). No setting is a
 * secret.
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

    public static final String DEFAULT_LABEL_SELECTOR = "app.kubernetes.io/name=seid";
    public static final String DEFAULT_MAPPING_LABEL = "halt-supervisor.io/image-mappings=true";
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_LABEL = NAMESPACE;
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");
    private static final Pattern ORDINAL_SUFFIX = Pattern.compile(".*-(\\d{1,6})");

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
     * Reads and validates the settings.
     *
     * @throws IllegalArgumentException naming the variable and what was expected
     */
    public static PollersConfig fromEnv(Map<String, String> env) {
        List<String> namespaces = namespaces(env);
        String selector = text(env, "POLLER_LABEL_SELECTOR", DEFAULT_LABEL_SELECTOR, true);
        Duration interval = duration(env, "POLLER_INTERVAL", "5s", Duration.ofMillis(100), Duration.ofHours(1));
        Duration connect = duration(env, "POLLER_CONNECT_TIMEOUT", "2s", Duration.ofMillis(10), Duration.ofMinutes(5));
        Duration read = duration(env, "POLLER_READ_TIMEOUT", "3s", Duration.ofMillis(10), Duration.ofMinutes(5));
        int inFlight = integer(env, "POLLER_MAX_IN_FLIGHT", 256, 1, 100_000);
        int maxBytes = integer(env, "POLLER_MAX_RESPONSE_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024);
        double jitter = fraction(env, "POLLER_JITTER", 0.1, 0.5);
        Duration heartbeat = duration(env, "POLLER_HEARTBEAT", "60s", Duration.ofSeconds(1), Duration.ofDays(1));
        int httpThreads = integer(env, "POLLER_HTTP_THREADS", 2, 1, 64);
        int replicas = integer(env, "POLLER_REPLICAS", 1, 1, 1000);
        int ordinal = ordinal(env, replicas);
        String container = dnsLabel(env, "POLLER_CONTAINER_NAME", "seid", DNS_LABEL);
        String portName = dnsLabel(env, "POLLER_RPC_PORT_NAME", "rpc", PORT_NAME);
        int port = integer(env, "POLLER_DEFAULT_RPC_PORT", 26657, 1, 65535);
        boolean allowAnnotation = bool(env, "POLLER_ALLOW_STATUS_URL_ANNOTATION", false);
        String mappingLabel = text(env, "POLLER_MAPPING_LABEL", DEFAULT_MAPPING_LABEL, false);
        boolean mappingSync = bool(env, "POLLER_MAPPING_SYNC", true);
        String instance = firstNonBlank(env.get("POLLER_INSTANCE"), env.get("POD_NAME"), env.get("HOSTNAME"),
                "halt-supervisor-pollers");
        HeightWindow.Settings window = new HeightWindow.Settings(
                integer(env, "POLLER_FAST_WINDOW_BLOCKS", 50, 0, 1_000_000),
                duration(env, "POLLER_FAST_INTERVAL", interval.compareTo(Duration.ofMillis(500)) < 0
                        ? interval.toMillis() + "ms" : "500ms", Duration.ofMillis(50), Duration.ofMinutes(1)),
                duration(env, "POLLER_FAST_CEILING", "5m", Duration.ofSeconds(1), Duration.ofHours(6)),
                integer(env, "POLLER_FAST_MAX_TARGETS", 100, 1, 100_000));
        if (window.enabled() && window.fastInterval().compareTo(interval) > 0) {
            throw new IllegalArgumentException("POLLER_FAST_INTERVAL: expected at most POLLER_INTERVAL ("
                    + StatusFetcher.human(interval) + "), got '" + StatusFetcher.human(window.fastInterval()) + "'");
        }
        return new PollersConfig(namespaces, selector, interval, connect, read, inFlight, maxBytes, jitter, heartbeat,
                httpThreads, replicas, ordinal, container, portName, port, allowAnnotation, mappingLabel, mappingSync,
                instance.strip(), window);
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

    private static List<String> namespaces(Map<String, String> env) {
        String raw = env.getOrDefault("POLLER_NAMESPACES", "").strip();
        if (raw.isEmpty() || raw.equals("*")) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String part : raw.split(",")) {
            String ns = part.strip();
            if (!NAMESPACE.matcher(ns).matches()) {
                throw new IllegalArgumentException("POLLER_NAMESPACES: expected comma-separated namespace names "
                        + "(lowercase DNS labels) or '*', got '" + raw + "'");
            }
            if (!out.contains(ns)) {
                out.add(ns);
            }
        }
        return out;
    }

    private static String text(Map<String, String> env, String name, String fallback, boolean emptyAllowed) {
        String raw = env.get(name);
        if (raw == null) {
            return fallback;
        }
        String v = raw.strip();
        if (v.isEmpty() && !emptyAllowed) {
            throw new IllegalArgumentException(name + ": expected a label selector such as '" + fallback
                    + "', got an empty value");
        }
        if (v.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(name + ": expected a label selector, got control characters");
        }
        return v;
    }

    private static String dnsLabel(Map<String, String> env, String name, String fallback, Pattern pattern) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        String v = raw.strip();
        if (!pattern.matcher(v).matches()) {
            throw new IllegalArgumentException(name + ": expected a Kubernetes name (lowercase letters, digits, '-'),"
                    + " got '" + v + "'");
        }
        return v;
    }

    /**
     * Parses a duration as the settings do ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code PT5S}),
     * between 1 ms and 1 h; for command-line options.
     *
     * @throws IllegalArgumentException naming {@code setting} and what was expected
     */
    public static Duration parseDuration(String setting, String text) {
        return duration(Map.of(setting, text == null ? "" : text), setting, "", Duration.ofMillis(1),
                Duration.ofHours(1));
    }

    static Duration duration(Map<String, String> env, String name, String fallback, Duration min, Duration max) {
        String raw = env.get(name);
        String v = raw == null || raw.isBlank() ? fallback : raw.strip();
        Duration d = Durations.parse(name, v);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + ": expected a duration between " + StatusFetcher.human(min)
                    + " and " + StatusFetcher.human(max) + ", got '" + v + "'");
        }
        return d;
    }

    private static int integer(Map<String, String> env, String name, int fallback, int min, int max) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw.strip());
            if (v < min || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected an integer from " + min + " to " + max + ", got '"
                    + raw.strip() + "'");
        }
    }

    private static double fraction(Map<String, String> env, String name, double fallback, double max) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            double v = Double.parseDouble(raw.strip());
            if (!(v >= 0 && v <= max)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected a number from 0 to " + max + ", got '" + raw.strip()
                    + "'");
        }
    }

    private static boolean bool(Map<String, String> env, String name, boolean fallback) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + ": expected true or false, got '" + raw.strip() + "'");
        };
    }

    private static int ordinal(Map<String, String> env, int replicas) {
        String raw = env.get("POLLER_ORDINAL");
        if (raw != null && !raw.isBlank()) {
            int v = integer(env, "POLLER_ORDINAL", 0, 0, 999);
            if (v >= replicas) {
                throw new IllegalArgumentException("POLLER_ORDINAL: expected 0.." + (replicas - 1) + " for "
                        + "POLLER_REPLICAS=" + replicas + ", got " + v);
            }
            return v;
        }
        if (replicas == 1) {
            return 0;
        }
        for (String var : new String[] {"POD_NAME", "HOSTNAME"}) {
            String name = env.get(var);
            if (name != null) {
                Matcher m = ORDINAL_SUFFIX.matcher(name.strip());
                if (m.matches()) {
                    int v = Integer.parseInt(m.group(1));
                    if (v >= replicas) {
                        throw new IllegalArgumentException(var + ": the ordinal of '" + name.strip() + "' is " + v
                                + ", expected 0.." + (replicas - 1) + " for POLLER_REPLICAS=" + replicas);
                    }
                    return v;
                }
            }
        }
        throw new IllegalArgumentException("POLLER_ORDINAL: required with POLLER_REPLICAS=" + replicas
                + " when neither POD_NAME nor HOSTNAME ends in a StatefulSet ordinal (-N)");
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
