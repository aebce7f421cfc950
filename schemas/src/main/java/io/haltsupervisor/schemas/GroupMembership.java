package io.haltsupervisor.schemas;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import io.haltsupervisor.schemas.config.Parsers;
import io.haltsupervisor.schemas.config.Setting;
import io.haltsupervisor.schemas.config.SettingValues;
import io.haltsupervisor.schemas.config.Settings;

/**
 * How a component takes part in its Kafka consumer group (the decider's Kafka Streams group, the actuator's
 * decisions consumer): how fast a dead member is noticed, and whether it has a stable identity. These settings
 * decide how long a component's partitions sit unprocessed when an instance dies or restarts; see
 * docs/operations.md, "Failover", for the measurements behind the defaults.
 *
 * <p>From the environment, with the component's prefix ({@code DECIDER_}, {@code ACTUATOR_}):
 * {@code <P>SESSION_TIMEOUT} (default {@value #DEFAULT_SESSION_TIMEOUT_MS} ms: the broker's
 * {@code group.min.session.timeout.ms} default, the shortest a stock broker accepts; Kafka's client default is
 * 45 s), {@code <P>HEARTBEAT_INTERVAL} (default a quarter of the session timeout), {@code <P>STATIC_MEMBERSHIP}
 * (default false: a {@code group.instance.id} from {@code <P>INSTANCE_ID}, else {@code POD_NAME}, else
 * {@code HOSTNAME}) and {@code <P>LEAVE_GROUP_ON_CLOSE} (default true: a stopping instance tells the coordinator
 * at once, so its partitions move without waiting for the session timeout).
 *
 * @param sessionTimeout    {@code session.timeout.ms}: a member silent this long is removed and its partitions move
 * @param heartbeatInterval {@code heartbeat.interval.ms}
 * @param instanceId        {@code group.instance.id} (static membership), or empty for dynamic membership
 * @param leaveGroupOnClose whether a clean shutdown leaves the group (and so hands the partitions over at once)
 */
public record GroupMembership(Duration sessionTimeout, Duration heartbeatInterval, Optional<String> instanceId,
        boolean leaveGroupOnClose) {

    public static final long DEFAULT_SESSION_TIMEOUT_MS = 6_000;
    public static final String SESSION_TIMEOUT = "SESSION_TIMEOUT";
    public static final String HEARTBEAT_INTERVAL = "HEARTBEAT_INTERVAL";
    public static final String STATIC_MEMBERSHIP = "STATIC_MEMBERSHIP";
    public static final String INSTANCE_ID = "INSTANCE_ID";
    public static final String LEAVE_GROUP_ON_CLOSE = "LEAVE_GROUP_ON_CLOSE";

    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9._\\-]{1,200}");

    public GroupMembership {
        if (sessionTimeout == null || sessionTimeout.toMillis() < 1_000) {
            throw new IllegalArgumentException("session timeout: expected a duration of at least 1s, got "
                    + sessionTimeout);
        }
        if (heartbeatInterval == null || heartbeatInterval.toMillis() < 100
                || heartbeatInterval.compareTo(sessionTimeout) >= 0) {
            throw new IllegalArgumentException("heartbeat interval: expected at least 100ms and less than the session"
                    + " timeout (" + sessionTimeout + "), got " + heartbeatInterval);
        }
        instanceId = instanceId == null ? Optional.empty() : instanceId;
    }

    /** The five membership settings in a component's registry ({@link #define}). */
    public record Definitions(Setting<Duration> sessionTimeout, Setting<Duration> heartbeatInterval,
            Setting<Boolean> staticMembership, Setting<String> instanceId, Setting<Boolean> leaveGroupOnClose) {
    }

    /** Registers {@code prefix + SESSION_TIMEOUT} and the others in {@code settings}, documented. */
    public static Definitions define(Settings settings, String prefix) {
        return new Definitions(
                settings.define(prefix + SESSION_TIMEOUT, Parsers.duration(Duration.ofSeconds(1), Duration.ofMinutes(30)),
                        "6s", "consumer group session: how long a replica that died holds its partitions (docs: Failover)"),
                settings.optional(prefix + HEARTBEAT_INTERVAL, Parsers.duration(Duration.ofMillis(100),
                        Duration.ofMinutes(10)), "a quarter of the session timeout",
                        "consumer group heartbeat; less than the session timeout"),
                settings.define(prefix + STATIC_MEMBERSHIP, Parsers.bool(), "false",
                        "static group membership (group.instance.id): a restart within the session keeps the partitions"),
                settings.optional(prefix + INSTANCE_ID, Parsers.matching(INSTANCE, "1–200 letters, digits, '.', '_' or '-'"),
                        "the component's instance name, else POD_NAME, else HOSTNAME",
                        "the static member's id"),
                settings.define(prefix + LEAVE_GROUP_ON_CLOSE, Parsers.bool(), "true",
                        "a clean shutdown leaves the group, handing its partitions over at once"));
    }

    /**
     * Reads the membership from values of a registry holding {@code d}; a bad or inconsistent value is recorded in
     * {@code v} (and the defaults stand in), so it is reported with every other bad setting.
     *
     * @param defaultInstanceId the static member's id unless {@code <P>INSTANCE_ID} is set; null for POD_NAME, then
     *                          HOSTNAME
     */
    public static GroupMembership read(SettingValues v, Definitions d, Map<String, String> env,
            String defaultInstanceId) {
        Duration session = v.get(d.sessionTimeout());
        Duration heartbeat = v.find(d.heartbeatInterval()).orElse(session.dividedBy(4));
        if (heartbeat.compareTo(session) >= 0 && v.valid(d.sessionTimeout(), d.heartbeatInterval())) {
            v.refuse(d.heartbeatInterval(), "expected less than " + d.sessionTimeout().name() + " (" + session + ")");
        }
        Optional<String> instance = Optional.empty();
        if (v.get(d.staticMembership())) {
            String id = v.find(d.instanceId()).orElse(defaultInstanceId != null ? defaultInstanceId
                    : first(env, "POD_NAME", "HOSTNAME"));
            if (id == null) {
                v.refuse(d.staticMembership(), "expected a stable instance id with it: " + d.instanceId().name()
                        + ", POD_NAME or HOSTNAME");
            } else if (!INSTANCE.matcher(id).matches()) {
                v.refuse(d.instanceId(), "expected 1–200 letters, digits, '.', '_' or '-' (got '" + id + "')");
            } else {
                instance = Optional.of(id);
            }
        }
        if (!v.valid(d.sessionTimeout(), d.heartbeatInterval(), d.staticMembership(), d.instanceId())) {
            return new GroupMembership(Duration.ofMillis(DEFAULT_SESSION_TIMEOUT_MS),
                    Duration.ofMillis(DEFAULT_SESSION_TIMEOUT_MS / 4), Optional.empty(), true);
        }
        return new GroupMembership(session, heartbeat, instance, v.get(d.leaveGroupOnClose()));
    }

    /** The defaults: 6 s session, 1.5 s heartbeat, dynamic membership, leave on close. */
    public static GroupMembership defaults() {
        return fromEnv(Map.of(), "");
    }

    /**
     * Reads {@code prefix + SESSION_TIMEOUT} etc. (see the class comment).
     *
     * @throws IllegalArgumentException naming the variable and what was expected
     */
    public static GroupMembership fromEnv(Map<String, String> env, String prefix) {
        return fromEnv(env, prefix, null);
    }

    /**
     * As {@link #fromEnv(Map, String)}, with {@code defaultInstanceId} (when not null) as the static member's id
     * unless {@code <P>INSTANCE_ID} is set, instead of {@code POD_NAME} / {@code HOSTNAME}.
     */
    public static GroupMembership fromEnv(Map<String, String> env, String prefix, String defaultInstanceId) {
        Settings settings = new Settings("group membership", prefix);
        Definitions d = define(settings, prefix);
        SettingValues v = settings.read(env);
        GroupMembership membership = read(v, d, env, defaultInstanceId);
        v.throwIfInvalid();
        return membership;
    }

    /**
     * The consumer settings: {@code session.timeout.ms}, {@code heartbeat.interval.ms} and, for static
     * membership, {@code group.instance.id} ({@code suffix} appended, e.g. for a second consumer of the same
     * instance).
     */
    public Map<String, Object> consumerProperties(String suffix) {
        Map<String, Object> p = new HashMap<>();
        p.put("session.timeout.ms", (int) sessionTimeout.toMillis());
        p.put("heartbeat.interval.ms", (int) heartbeatInterval.toMillis());
        instanceId.ifPresent(id -> p.put("group.instance.id", id + suffix));
        return p;
    }

    private static String first(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
