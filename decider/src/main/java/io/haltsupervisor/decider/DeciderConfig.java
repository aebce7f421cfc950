package io.haltsupervisor.decider;

import io.haltsupervisor.schemas.config.ConfigException;
import io.haltsupervisor.schemas.config.Parsers;
import io.haltsupervisor.schemas.config.Setting;
import io.haltsupervisor.schemas.config.SettingValues;
import io.haltsupervisor.schemas.config.Settings;
import io.haltsupervisor.schemas.GroupMembership;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The decider's settings, from {@code DECIDER_*} environment variables (see {@link #fromEnv(Map)}). The variables,
 * their parsers, defaults and docs are the registry {@link #SETTINGS} (the table in docs/operations.md,
 * "Configuration reference", is generated from it). No setting is a secret.
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
 * @param acceptableRecoveryLag Streams {@code acceptable.recovery.lag}: an instance whose copy of a task's stores
 *                           lags the changelog by at most this many records counts as caught up and may take the
 *                           task at once; more, and it gets a warm-up copy while a caught-up instance keeps the task
 *                           (docs/operations.md, "Failover")
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
        long acceptableRecoveryLag,
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
    public static final String ENV_ACCEPTABLE_RECOVERY_LAG = "DECIDER_ACCEPTABLE_RECOVERY_LAG";
    /** The prefix of the {@link GroupMembership} settings: {@code DECIDER_SESSION_TIMEOUT} etc. */
    public static final String ENV_PREFIX = "DECIDER_";

    public static final String DEFAULT_APPLICATION_ID = "halt-supervisor-decider";

    private static final Pattern APPLICATION_ID_PATTERN = Pattern.compile("[A-Za-z0-9._\\-]{1,200}");

    /** The decider's setting registry (see {@link Settings} for how to add one). */
    public static final Settings SETTINGS = new Settings("decider", "DECIDER_");
    public static final Setting<String> APPLICATION_ID = SETTINGS.define(ENV_APPLICATION_ID,
            Parsers.matching(APPLICATION_ID_PATTERN, "1–200 characters of letters, digits, '.', '_' or '-'"),
            DEFAULT_APPLICATION_ID, "Kafka Streams `application.id`: names the consumer group, the transactional ids, "
                    + "the control topic `<id>-control` and the changelog topics; changing it starts an empty decider");
    public static final Setting<Duration> GRACE_WINDOW = SETTINGS.define(ENV_GRACE_WINDOW, Parsers.positiveDuration(),
            "5m", "stay-alive grace window: a decided incident unresolved this long gets its pod terminated once; a "
                    + "second window later it is escalated");
    public static final Setting<Integer> BREAKER_THRESHOLD = SETTINGS.define(ENV_BREAKER_THRESHOLD,
            Parsers.integer(1), "3", "the fleet breaker trips when more than this many nodes halt with 71/72…");
    public static final Setting<Duration> BREAKER_WINDOW = SETTINGS.define(ENV_BREAKER_WINDOW,
            Parsers.positiveDuration(), "10m", "…within this window");
    public static final Setting<Duration> COMMIT_INTERVAL = SETTINGS.define(ENV_COMMIT_INTERVAL,
            Parsers.positiveDuration(), "100ms", "Kafka Streams `commit.interval.ms`");
    public static final Setting<Path> STATE_DIR = SETTINGS.optional(ENV_STATE_DIR, Parsers.path(),
            "`$TMPDIR/halt-supervisor-decider`", "Kafka Streams `state.dir`");
    public static final Setting<Integer> NUM_THREADS = SETTINGS.define(ENV_NUM_THREADS, Parsers.integer(1, 64), "1",
            "Kafka Streams `num.stream.threads`");
    public static final Setting<String> HTTP_ADVERTISED = SETTINGS.optional(ENV_HTTP_ADVERTISED, Parsers.hostPort(),
            "(none: a single instance)", "`host:port` other decider instances reach this one's HTTP queries at "
                    + "(`application.server`)");
    public static final Setting<Duration> PUNCTUATE_INTERVAL = SETTINGS.define(ENV_PUNCTUATE_INTERVAL,
            Parsers.positiveDuration(), "1s", "how often the wall clock checks for due grace-window timers");
    public static final Setting<Boolean> WALL_CLOCK_TIMERS = SETTINGS.define(ENV_WALL_CLOCK_TIMERS, Parsers.bool(),
            "true", "false to drive timers by record time only (exact replay)");
    public static final Setting<Duration> DEDUPE_RETENTION = SETTINGS.define(ENV_DEDUPE_RETENTION,
            Parsers.positiveDuration(), "1h", "how long a resolved incident's halt identities are remembered");
    public static final Setting<Integer> PARTITIONS = SETTINGS.define(ENV_PARTITIONS, Parsers.integer(0), "0",
            "partitions of the decider's input topics; `0` to discover them at start");
    public static final Setting<Duration> MIN_BLOCK_TIME = SETTINGS.define(ENV_MIN_BLOCK_TIME,
            Parsers.positiveDuration(), "250ms", "the chain's fastest block time: an exit-code-only 70 takes its plan "
                    + "from a mapping's height only if the node could have produced the blocks up to it at this pace");
    public static final Setting<Duration> HEIGHT_MARGIN = SETTINGS.define(ENV_HEIGHT_MARGIN, Parsers.duration(), "30s",
            "time added to that window (clock skew between pollers and kubelet, poll intervals)");
    public static final Setting<Integer> STANDBY_REPLICAS = SETTINGS.define(ENV_STANDBY_REPLICAS,
            Parsers.integer(0, 8), "1", "Streams num.standby.replicas: warm copies of each task's stores on another"
                    + " instance, so a failover restores nothing (docs: Failover)");
    public static final Setting<Integer> ACCEPTABLE_RECOVERY_LAG = SETTINGS.define(ENV_ACCEPTABLE_RECOVERY_LAG,
            Parsers.integer(0), "100", "Streams acceptable.recovery.lag: a replica whose stores lag a task's changelog"
                    + " by more records is warmed up before it takes the task, so a restarted replica with empty stores"
                    + " does not take a task from a warm standby (Kafka's default 10000; docs: Failover)");
    /** Session, heartbeat, static membership, instance id, leave on close ({@code DECIDER_SESSION_TIMEOUT} etc.). */
    public static final GroupMembership.Definitions MEMBERSHIP = GroupMembership.define(SETTINGS, ENV_PREFIX);

    public DeciderConfig {
        if (applicationId == null || !APPLICATION_ID_PATTERN.matcher(applicationId).matches()) {
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
        if (acceptableRecoveryLag < 0) {
            throw new IllegalArgumentException(
                    ENV_ACCEPTABLE_RECOVERY_LAG + ": expected an integer >= 0, got " + acceptableRecoveryLag);
        }
        membership = membership == null ? GroupMembership.defaults() : membership;
    }

    /** The defaults, with {@code applicationId}. */
    public static DeciderConfig defaults(String applicationId) {
        return fromEnv(Map.of(ENV_APPLICATION_ID, applicationId));
    }

    /**
     * Reads the settings from the environment (defaults and forms: {@link #SETTINGS}); warns about unknown
     * {@code DECIDER_*} variables.
     *
     * @throws ConfigException listing every bad setting, each naming the variable and what was expected
     */
    public static DeciderConfig fromEnv(Map<String, String> env) {
        SettingValues v = SETTINGS.read(env);
        GroupMembership membership = GroupMembership.read(v, MEMBERSHIP, env, null);
        v.throwIfInvalid();
        return new DeciderConfig(
                v.get(APPLICATION_ID),
                v.get(GRACE_WINDOW),
                v.get(BREAKER_THRESHOLD),
                v.get(BREAKER_WINDOW),
                v.get(COMMIT_INTERVAL),
                v.find(STATE_DIR).orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"),
                        "halt-supervisor-decider")),
                v.get(NUM_THREADS),
                v.find(HTTP_ADVERTISED),
                v.get(PUNCTUATE_INTERVAL),
                v.get(WALL_CLOCK_TIMERS),
                v.get(DEDUPE_RETENTION),
                v.get(PARTITIONS),
                v.get(MIN_BLOCK_TIME),
                v.get(HEIGHT_MARGIN),
                v.get(STANDBY_REPLICAS),
                v.get(ACCEPTABLE_RECOVERY_LAG),
                membership);
    }

    /** The decider's control topic: mappings and fleet breaker state, broadcast to every partition. */
    public String controlTopic() {
        return applicationId + "-control";
    }

    /** This config with another state directory. */
    public DeciderConfig withStateDir(Path dir) {
        return new DeciderConfig(applicationId, graceWindow, breakerThreshold, breakerWindow, commitInterval, dir,
                numThreads, advertisedEndpoint, punctuateInterval, wallClockTimers, dedupeRetention, partitions, minBlockTime, heightMargin, standbyReplicas, acceptableRecoveryLag, membership);
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
                + ", standbyReplicas=" + standbyReplicas + ", acceptableRecoveryLag=" + acceptableRecoveryLag
                + ", membership=" + membership + "}";
    }

    private static void positive(Duration d, String variable) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(variable + ": expected a positive duration, got " + d);
        }
    }

    private static void requireHostPort(String value) {
        try {
            Parsers.hostPort().parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ENV_HTTP_ADVERTISED + ": " + e.getMessage() + ", got '" + value + "'");
        }
    }

}
