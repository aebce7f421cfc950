package io.haltsupervisor.decider;

import io.haltsupervisor.schemas.Durations;
import io.haltsupervisor.schemas.GroupMembership;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The decider's settings, from {@code DECIDER_*} environment variables (see {@link #fromEnv(Map)}).
 *
 * @param applicationId      Kafka Streams {@code application.id}; also prefixes the decider's private topics
 * @param graceWindow        stay-alive grace window: a decided incident unresolved this long gets its pod
 *                           terminated once; a second window later it is escalated
 * @param breakerThreshold   the fleet breaker trips when <em>more than</em> this many nodes hit 71/72…
 * @param breakerWindow      …within this window
 * @param commitInterval     Streams {@code commit.interval.ms}
 * @param stateDir           Streams {@code state.dir}
 * @param numThreads         Streams {@code num.stream.threads}
 * @param advertisedEndpoint {@code host:port} other decider instances reach this one's HTTP queries at
 *                           ({@code application.server}); empty for a single instance
 * @param punctuateInterval  how often the wall clock checks for due grace-window timers
 * @param wallClockTimers    false to drive timers by record time only (exact replay, see package doc)
 * @param dedupeRetention    how long a resolved incident's halt identities are remembered
 * @param partitions         partitions of the decider's input topics; 0 to discover them at start
 * @param minBlockTime       the chain's fastest block time: an exit-code-only 70 takes its plan from a mapping's
 *                           height only if the node could have produced the blocks up to it at this pace
 * @param heightMargin       time added to that window (clock skew between pollers and kubelet, poll intervals)
 * @param standbyReplicas    Streams {@code num.standby.replicas}: warm copies of each task's stores on other
 *                           instances, so a failover resumes without restoring them (docs/operations.md, "Failover")
 * @param membership         consumer group session, heartbeat, static membership, leave on close ({@code DECIDER_*})
 */
public record DeciderConfig(
        String applicationId,
        Duration graceWindow,
        int breakerThreshold,
        Duration breakerWindow,
        Duration commitInterval,
        Path stateDir,
        int numThreads,
        Optional<String> advertisedEndpoint,
        Duration punctuateInterval,
        boolean wallClockTimers,
        Duration dedupeRetention,
        int partitions,
        Duration minBlockTime,
        Duration heightMargin,
        int standbyReplicas,
        GroupMembership membership) {

    public static final String ENV_APPLICATION_ID = "DECIDER_APPLICATION_ID";
    public static final String ENV_GRACE_WINDOW = "DECIDER_GRACE_WINDOW";
    public static final String ENV_BREAKER_THRESHOLD = "DECIDER_BREAKER_THRESHOLD";
    public static final String ENV_BREAKER_WINDOW = "DECIDER_BREAKER_WINDOW";
    public static final String ENV_COMMIT_INTERVAL = "DECIDER_COMMIT_INTERVAL";
    public static final String ENV_STATE_DIR = "DECIDER_STATE_DIR";
    public static final String ENV_NUM_THREADS = "DECIDER_NUM_THREADS";
    public static final String ENV_HTTP_ADVERTISED = "DECIDER_HTTP_ADVERTISED";
    public static final String ENV_PUNCTUATE_INTERVAL = "DECIDER_PUNCTUATE_INTERVAL";
    public static final String ENV_WALL_CLOCK_TIMERS = "DECIDER_WALL_CLOCK_TIMERS";
    public static final String ENV_DEDUPE_RETENTION = "DECIDER_DEDUPE_RETENTION";
    public static final String ENV_PARTITIONS = "DECIDER_PARTITIONS";
    public static final String ENV_MIN_BLOCK_TIME = "DECIDER_MIN_BLOCK_TIME";
    public static final String ENV_HEIGHT_MARGIN = "DECIDER_HEIGHT_MARGIN";
    public static final String ENV_STANDBY_REPLICAS = "DECIDER_STANDBY_REPLICAS";
    /** The prefix of the {@link GroupMembership} settings: {@code DECIDER_SESSION_TIMEOUT} etc. */
    public static final String ENV_PREFIX = "DECIDER_";

    public static final String DEFAULT_APPLICATION_ID = "halt-supervisor-decider";

    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:(\\d{1,5})");
    private static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9._\\-]{1,200}");

    public DeciderConfig {
        if (applicationId == null || !APPLICATION_ID.matcher(applicationId).matches()) {
            throw new IllegalArgumentException(ENV_APPLICATION_ID
                    + ": expected 1–200 characters of letters, digits, '.', '_' or '-', got '" + applicationId + "'");
        }
        positive(graceWindow, ENV_GRACE_WINDOW);
        if (breakerThreshold < 1) {
            throw new IllegalArgumentException(
                    ENV_BREAKER_THRESHOLD + ": expected an integer >= 1, got " + breakerThreshold);
        }
        positive(breakerWindow, ENV_BREAKER_WINDOW);
        positive(commitInterval, ENV_COMMIT_INTERVAL);
        if (stateDir == null) {
            throw new IllegalArgumentException(ENV_STATE_DIR + ": expected a directory path");
        }
        if (numThreads < 1 || numThreads > 64) {
            throw new IllegalArgumentException(ENV_NUM_THREADS + ": expected an integer 1–64, got " + numThreads);
        }
        advertisedEndpoint = advertisedEndpoint == null ? Optional.empty() : advertisedEndpoint;
        advertisedEndpoint.ifPresent(DeciderConfig::requireHostPort);
        positive(punctuateInterval, ENV_PUNCTUATE_INTERVAL);
        positive(dedupeRetention, ENV_DEDUPE_RETENTION);
        if (partitions < 0) {
            throw new IllegalArgumentException(
                    ENV_PARTITIONS + ": expected 0 (discover) or a positive integer, got " + partitions);
        }
        positive(minBlockTime, ENV_MIN_BLOCK_TIME);
        if (heightMargin == null || heightMargin.isNegative()) {
            throw new IllegalArgumentException(ENV_HEIGHT_MARGIN + ": expected a duration >= 0, got " + heightMargin);
        }
        if (standbyReplicas < 0 || standbyReplicas > 8) {
            throw new IllegalArgumentException(
                    ENV_STANDBY_REPLICAS + ": expected an integer 0–8, got " + standbyReplicas);
        }
        membership = membership == null ? GroupMembership.defaults() : membership;
    }

    /** The defaults, with {@code applicationId}. */
    public static DeciderConfig defaults(String applicationId) {
        return fromEnv(Map.of(ENV_APPLICATION_ID, applicationId));
    }

    /**
     * Reads the settings from the environment. Defaults: application id {@value #DEFAULT_APPLICATION_ID},
     * grace window 5m, breaker threshold 3 within 10m, commit interval 100ms, state dir
     * {@code $TMPDIR/halt-supervisor-decider}, 1 thread, no advertised endpoint, punctuation every 1s,
     * wall-clock timers on, dedupe retention 1h, partitions discovered, fastest block time 250ms, height margin 30s,
     * one standby replica, and the {@link GroupMembership} defaults (6s session, dynamic membership, leave on close).
     *
     * <p>Durations are {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d} or ISO-8601
     * ({@code PT5M}).
     *
     * @throws IllegalArgumentException naming the variable and what was expected
     */
    public static DeciderConfig fromEnv(Map<String, String> env) {
        return new DeciderConfig(
                string(env, ENV_APPLICATION_ID, DEFAULT_APPLICATION_ID),
                duration(env, ENV_GRACE_WINDOW, Duration.ofMinutes(5)),
                integer(env, ENV_BREAKER_THRESHOLD, 3),
                duration(env, ENV_BREAKER_WINDOW, Duration.ofMinutes(10)),
                duration(env, ENV_COMMIT_INTERVAL, Duration.ofMillis(100)),
                Path.of(string(env, ENV_STATE_DIR,
                        Path.of(System.getProperty("java.io.tmpdir"), "halt-supervisor-decider").toString())),
                integer(env, ENV_NUM_THREADS, 1),
                Optional.ofNullable(blankToNull(env.get(ENV_HTTP_ADVERTISED))).map(String::trim),
                duration(env, ENV_PUNCTUATE_INTERVAL, Duration.ofSeconds(1)),
                bool(env, ENV_WALL_CLOCK_TIMERS, true),
                duration(env, ENV_DEDUPE_RETENTION, Duration.ofHours(1)),
                integer(env, ENV_PARTITIONS, 0),
                duration(env, ENV_MIN_BLOCK_TIME, Duration.ofMillis(250)),
                duration(env, ENV_HEIGHT_MARGIN, Duration.ofSeconds(30)),
                integer(env, ENV_STANDBY_REPLICAS, 1),
                GroupMembership.fromEnv(env, ENV_PREFIX));
    }

    /** The decider's control topic: mappings and fleet breaker state, broadcast to every partition. */
    public String controlTopic() {
        return applicationId + "-control";
    }

    /** This config with another application id (e.g. a replay beside the live decider). */
    public DeciderConfig withApplicationId(String id) {
        return new DeciderConfig(id, graceWindow, breakerThreshold, breakerWindow, commitInterval, stateDir,
                numThreads, advertisedEndpoint, punctuateInterval, wallClockTimers, dedupeRetention, partitions, minBlockTime, heightMargin, standbyReplicas, membership);
    }

    /** This config with another state directory. */
    public DeciderConfig withStateDir(Path dir) {
        return new DeciderConfig(applicationId, graceWindow, breakerThreshold, breakerWindow, commitInterval, dir,
                numThreads, advertisedEndpoint, punctuateInterval, wallClockTimers, dedupeRetention, partitions, minBlockTime, heightMargin, standbyReplicas, membership);
    }

    /** This config with another advertised endpoint. */
    public DeciderConfig withAdvertisedEndpoint(String hostPort) {
        return new DeciderConfig(applicationId, graceWindow, breakerThreshold, breakerWindow, commitInterval,
                stateDir, numThreads, Optional.ofNullable(hostPort), punctuateInterval, wallClockTimers,
                dedupeRetention, partitions, minBlockTime, heightMargin, standbyReplicas, membership);
    }

    /** This config with another thread count. */
    public DeciderConfig withNumThreads(int threads) {
        return new DeciderConfig(applicationId, graceWindow, breakerThreshold, breakerWindow, commitInterval,
                stateDir, threads, advertisedEndpoint, punctuateInterval, wallClockTimers, dedupeRetention,
                partitions, minBlockTime, heightMargin, standbyReplicas, membership);
    }

    /** This config with another commit interval. */
    public DeciderConfig withCommitInterval(Duration interval) {
        return new DeciderConfig(applicationId, graceWindow, breakerThreshold, breakerWindow, interval, stateDir,
                numThreads, advertisedEndpoint, punctuateInterval, wallClockTimers, dedupeRetention, partitions, minBlockTime, heightMargin, standbyReplicas, membership);
    }

    @Override
    public String toString() {
        // Nothing here is secret; Kafka credentials live in KafkaClientConfig, which redacts them.
        return "DeciderConfig{applicationId=" + applicationId + ", graceWindow=" + graceWindow
                + ", breakerThreshold=" + breakerThreshold + ", breakerWindow=" + breakerWindow
                + ", commitInterval=" + commitInterval + ", stateDir=" + stateDir + ", numThreads=" + numThreads
                + ", advertisedEndpoint=" + advertisedEndpoint.orElse("none") + ", punctuateInterval="
                + punctuateInterval + ", wallClockTimers=" + wallClockTimers + ", dedupeRetention=" + dedupeRetention
                + ", partitions=" + (partitions == 0 ? "discover" : Integer.toString(partitions))
                + ", minBlockTime=" + minBlockTime + ", heightMargin=" + heightMargin
                + ", standbyReplicas=" + standbyReplicas + ", membership=" + membership + "}";
    }

    private static void positive(Duration d, String variable) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(variable + ": expected a positive duration, got " + d);
        }
    }

    private static void requireHostPort(String value) {
        Matcher m = HOST_PORT.matcher(value);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(1)) > 65535) {
            throw new IllegalArgumentException(
                    ENV_HTTP_ADVERTISED + ": expected host:port (port 1–65535), got '" + value + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String string(Map<String, String> env, String name, String fallback) {
        String v = blankToNull(env.get(name));
        return v == null ? fallback : v.trim();
    }

    private static int integer(Map<String, String> env, String name, int fallback) {
        String v = blankToNull(env.get(name));
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected an integer, got '" + v + "'", e);
        }
    }

    private static boolean bool(Map<String, String> env, String name, boolean fallback) {
        String v = blankToNull(env.get(name));
        if (v == null) {
            return fallback;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException(name + ": expected true or false, got '" + v + "'");
        };
    }

    static Duration duration(Map<String, String> env, String name, Duration fallback) {
        String v = blankToNull(env.get(name));
        if (v == null) {
            return fallback;
        }
        return parseDuration(name, v.trim());
    }

    static Duration parseDuration(String name, String text) {
        return Durations.parse(name, text);
    }
}
