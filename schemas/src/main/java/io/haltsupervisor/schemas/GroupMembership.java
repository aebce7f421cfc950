package io.haltsupervisor.schemas;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

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
        Duration session = duration(env, prefix + SESSION_TIMEOUT, Duration.ofMillis(DEFAULT_SESSION_TIMEOUT_MS));
        if (session.toMillis() < 1_000) {
            throw new IllegalArgumentException(prefix + SESSION_TIMEOUT + ": expected a duration of at least 1s, got "
                    + session);
        }
        Duration heartbeat = duration(env, prefix + HEARTBEAT_INTERVAL, session.dividedBy(4));
        if (heartbeat.toMillis() < 100 || heartbeat.compareTo(session) >= 0) {
            throw new IllegalArgumentException(prefix + HEARTBEAT_INTERVAL + ": expected at least 100ms and less than "
                    + prefix + SESSION_TIMEOUT + " (" + session + "), got " + heartbeat);
        }
        Optional<String> instance = Optional.empty();
        if (bool(env, prefix + STATIC_MEMBERSHIP, false)) {
            String id = defaultInstanceId == null ? first(env, prefix + INSTANCE_ID, "POD_NAME", "HOSTNAME")
                    : first(env, prefix + INSTANCE_ID);
            id = id == null ? defaultInstanceId : id;
            if (id == null) {
                throw new IllegalArgumentException(prefix + STATIC_MEMBERSHIP + "=true needs a stable instance id: "
                        + "expected " + prefix + INSTANCE_ID + ", POD_NAME or HOSTNAME to be set");
            }
            if (!INSTANCE.matcher(id).matches()) {
                throw new IllegalArgumentException(prefix + INSTANCE_ID + ": expected 1–200 letters, digits, '.', '_'"
                        + " or '-', got '" + id + "'");
            }
            instance = Optional.of(id);
        }
        return new GroupMembership(session, heartbeat, instance, bool(env, prefix + LEAVE_GROUP_ON_CLOSE, true));
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

    private static Duration duration(Map<String, String> env, String name, Duration fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : Durations.parse(name, v);
    }

    private static boolean bool(Map<String, String> env, String name, boolean fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException(name + ": expected true or false, got '" + v + "'");
        };
    }
}
