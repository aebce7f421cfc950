package io.haltsupervisor.actuator;

import io.haltsupervisor.schemas.GroupMembership;
import io.haltsupervisor.actuator.plan.PagerSink;
import io.haltsupervisor.schemas.Durations;
import io.haltsupervisor.schemas.config.ConfigException;
import io.haltsupervisor.schemas.config.Parsers;
import io.haltsupervisor.schemas.config.Redaction;
import io.haltsupervisor.schemas.config.Secret;
import io.haltsupervisor.schemas.config.Setting;
import io.haltsupervisor.schemas.config.SettingValues;
import io.haltsupervisor.schemas.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The actuator's settings, from {@code ACTUATOR_*} environment variables ({@link #fromEnv(Map)}). The variables,
 * their parsers, defaults and docs are the registry {@link #SETTINGS} ({@link Registry}; the table in
 * docs/operations.md, "Configuration reference", is generated from it). Secrets (PagerDuty routing key, tokens)
 * come from a variable or from a mounted Secret file ({@code …_FILE}), never both, and {@link #toString()} redacts
 * them.
 *
 * @param groupId            consumer group of the decisions consumer
 * @param instance           this replica's name: the events' {@code reportingInstance}
 * @param transactionalId    the results producer's transactional id (fences a previous incarnation)
 * @param dryRun             record {@code dry-run} for every step, change nothing, send no page
 * @param policy             namespace scope, image allow-list, stale-decision guard
 * @param rateLimitPerMinute disruptive cluster calls per minute (0 = unlimited)
 * @param rateLimitBurst     how many may be saved up
 * @param rateLimitMaxWait   longest wait for a token before refusing
 * @param containerName      the {@code seid} container in workload pod templates
 * @param retry              backoff for transient failures
 * @param httpTimeout        timeout of each pager HTTP request
 * @param pagerDuty          PagerDuty Events API v2, if configured
 * @param alertmanager       Alertmanager API v2, if configured
 * @param webhook            generic JSON webhook, if configured
 * @param rollout            how long and how often the {@code rollout} step reads a SeiNode's controller status
 * @param membership         the decisions consumer's group session, heartbeat, static membership (instance id
 *                           {@code ACTUATOR_INSTANCE_ID}, else {@code instance}), leave on close
 * @param concurrency        nodes acted on at once at most (each node's decisions always in order; a fleet
 *                           decision alone)
 */
public record ActuatorConfig(String groupId, String instance, String transactionalId, boolean dryRun,
        ActuatorPolicy policy, int rateLimitPerMinute, int rateLimitBurst, Duration rateLimitMaxWait,
        String containerName, RetryPolicy retry, Duration httpTimeout, Optional<PagerDutySettings> pagerDuty,
        Optional<AlertmanagerSettings> alertmanager, Optional<WebhookSettings> webhook, RolloutSettings rollout,
        GroupMembership membership, int concurrency) {

    public static final String GROUP_ID = "ACTUATOR_GROUP_ID";
    public static final String INSTANCE = "ACTUATOR_INSTANCE";
    public static final String TRANSACTIONAL_ID = "ACTUATOR_TRANSACTIONAL_ID";
    public static final String DRY_RUN = "ACTUATOR_DRY_RUN";
    public static final String NAMESPACES = "ACTUATOR_NAMESPACES";
    public static final String IMAGE_ALLOW = "ACTUATOR_IMAGE_ALLOW";
    public static final String MAX_DECISION_AGE = "ACTUATOR_MAX_DECISION_AGE";
    public static final String RATE_LIMIT_PER_MINUTE = "ACTUATOR_RATE_LIMIT_PER_MINUTE";
    public static final String RATE_LIMIT_BURST = "ACTUATOR_RATE_LIMIT_BURST";
    public static final String RATE_LIMIT_MAX_WAIT = "ACTUATOR_RATE_LIMIT_MAX_WAIT";
    public static final String CONTAINER_NAME = "ACTUATOR_CONTAINER_NAME";
    public static final String RETRY_MAX_ATTEMPTS = "ACTUATOR_RETRY_MAX_ATTEMPTS";
    public static final String RETRY_INITIAL_BACKOFF = "ACTUATOR_RETRY_INITIAL_BACKOFF";
    public static final String RETRY_MAX_BACKOFF = "ACTUATOR_RETRY_MAX_BACKOFF";
    public static final String HTTP_TIMEOUT = "ACTUATOR_HTTP_TIMEOUT";
    public static final String PAGERDUTY_ROUTING_KEY = "ACTUATOR_PAGERDUTY_ROUTING_KEY";
    public static final String PAGERDUTY_URL = "ACTUATOR_PAGERDUTY_URL";
    public static final String ALERTMANAGER_URLS = "ACTUATOR_ALERTMANAGER_URLS";
    public static final String ALERTMANAGER_TOKEN = "ACTUATOR_ALERTMANAGER_TOKEN";
    public static final String ALERTMANAGER_RESEND_INTERVAL = "ACTUATOR_ALERTMANAGER_RESEND_INTERVAL";
    public static final String ALERTMANAGER_ALERT_TTL = "ACTUATOR_ALERTMANAGER_ALERT_TTL";
    public static final String WEBHOOK_URL = "ACTUATOR_WEBHOOK_URL";
    public static final String WEBHOOK_TOKEN = "ACTUATOR_WEBHOOK_TOKEN";
    public static final String ROLLOUT_TIMEOUT = "ACTUATOR_ROLLOUT_TIMEOUT";
    public static final String ROLLOUT_POLL_INTERVAL = "ACTUATOR_ROLLOUT_POLL_INTERVAL";
    public static final String HOLD_WINDOW = "ACTUATOR_HOLD_WINDOW";
    public static final String HOLD_POLL_INTERVAL = "ACTUATOR_HOLD_POLL_INTERVAL";
    public static final String CONCURRENCY = "ACTUATOR_CONCURRENCY";
    /** Most nodes acted on at once that {@value #CONCURRENCY} accepts. */
    public static final int MAX_CONCURRENCY = 64;

    /**
     * The {@code rollout} step after an image change on a SeiNode: it reads the SeiNode's {@code status.currentImage}
     * and {@code NodeUpdateInProgress} condition every {@code pollInterval} until the controller reports the image
     * rolled out (or failed), and fails after {@code timeout} without either.
     */
    public record RolloutSettings(Duration timeout, Duration pollInterval, Duration holdWindow,
            Duration holdPollInterval) {
        /** The hold check's defaults: {@code ACTUATOR_HOLD_WINDOW} 3s, {@code ACTUATOR_HOLD_POLL_INTERVAL} 500ms. */
        public static final Duration DEFAULT_HOLD_WINDOW = Duration.ofSeconds(3);
        public static final Duration DEFAULT_HOLD_POLL_INTERVAL = Duration.ofMillis(500);
        public static final RolloutSettings DEFAULT = new RolloutSettings(Duration.ofMinutes(10), Duration.ofSeconds(2));

        /** With the hold check's defaults. */
        public RolloutSettings(Duration timeout, Duration pollInterval) {
            this(timeout, pollInterval, DEFAULT_HOLD_WINDOW, DEFAULT_HOLD_POLL_INTERVAL);
        }
    }

    /** The prefix of the {@link GroupMembership} settings: {@code ACTUATOR_SESSION_TIMEOUT} etc. */
    public static final String MEMBERSHIP_PREFIX = "ACTUATOR_";
    /** Suffix of the variable naming a file that holds a secret. */
    public static final String FILE_SUFFIX = Setting.FILE_SUFFIX;

    public static final String DEFAULT_GROUP_ID = "halt-supervisor-actuator";
    public static final String DEFAULT_PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue";

    /** The actuator's setting registry ({@link Registry}; see {@link Settings} for how to add one). */
    public static final Settings SETTINGS = Registry.SETTINGS;

    /**
     * The actuator's settings. In a nested class because the record's own constants ({@link #GROUP_ID}…) are the
     * variables' names, which callers and tests use as map keys.
     */
    public static final class Registry {
        public static final Settings SETTINGS = new Settings("actuator", "ACTUATOR_");
        public static final Setting<String> GROUP_ID = SETTINGS.define(ActuatorConfig.GROUP_ID, Parsers.text(),
                DEFAULT_GROUP_ID, "consumer group of the decisions consumer");
        public static final Setting<String> INSTANCE = SETTINGS.optional(ActuatorConfig.INSTANCE, Parsers.text(),
                "`$POD_NAME`, `$HOSTNAME`, `halt-supervisor-actuator`", "this replica's name: the events' "
                        + "`reportingInstance`, client ids");
        public static final Setting<String> TRANSACTIONAL_ID = SETTINGS.optional(ActuatorConfig.TRANSACTIONAL_ID,
                Parsers.text(), "`<group>-<instance>`", "the results producer's transactional id (fences a previous "
                        + "incarnation)");
        public static final Setting<Boolean> DRY_RUN = SETTINGS.define(ActuatorConfig.DRY_RUN, Parsers.bool(), "false",
                "record `dry-run` for every step, change nothing, send no page");
        public static final Setting<List<String>> NAMESPACES = SETTINGS.define(ActuatorConfig.NAMESPACES,
                Parsers.namespaces(), "*", "comma-separated namespaces the actuator may change; empty or `*` for all");
        public static final Setting<List<Pattern>> IMAGE_ALLOW = SETTINGS.optional(ActuatorConfig.IMAGE_ALLOW,
                Parsers.list(Parsers.whitespace(), "whitespace-separated regular expressions", Parsers.regex()),
                "(same repository)", "whitespace-separated regular expressions a new image must match in full; unset: "
                        + "the repository the node already runs");
        public static final Setting<Duration> MAX_DECISION_AGE = SETTINGS.define(ActuatorConfig.MAX_DECISION_AGE,
                Parsers.duration(), "24h", "disruptive steps of older decisions are refused; `0` = off");
        public static final Setting<Integer> RATE_LIMIT_PER_MINUTE = SETTINGS.define(
                ActuatorConfig.RATE_LIMIT_PER_MINUTE, Parsers.integer(0), "30",
                "disruptive cluster calls per minute; `0` = unlimited");
        public static final Setting<Integer> RATE_LIMIT_BURST = SETTINGS.define(ActuatorConfig.RATE_LIMIT_BURST,
                Parsers.integer(1), "10", "how many disruptive calls may be saved up");
        public static final Setting<Duration> RATE_LIMIT_MAX_WAIT = SETTINGS.define(ActuatorConfig.RATE_LIMIT_MAX_WAIT,
                Parsers.duration(), "30s", "longest wait for a token before refusing the call");
        public static final Setting<String> CONTAINER_NAME = SETTINGS.define(ActuatorConfig.CONTAINER_NAME,
                Parsers.dnsLabel(), "seid", "the `seid` container in workload pod templates");
        public static final Setting<Integer> RETRY_MAX_ATTEMPTS = SETTINGS.define(ActuatorConfig.RETRY_MAX_ATTEMPTS,
                Parsers.integer(1), "5", "attempts at a step failing transiently");
        public static final Setting<Duration> RETRY_INITIAL_BACKOFF = SETTINGS.define(
                ActuatorConfig.RETRY_INITIAL_BACKOFF, Parsers.duration(), "500ms", "first backoff (exponential, jittered)");
        public static final Setting<Duration> RETRY_MAX_BACKOFF = SETTINGS.define(ActuatorConfig.RETRY_MAX_BACKOFF,
                Parsers.duration(), "10s", "longest backoff; at least `ACTUATOR_RETRY_INITIAL_BACKOFF`");
        public static final Setting<Duration> HTTP_TIMEOUT = SETTINGS.define(ActuatorConfig.HTTP_TIMEOUT,
                Parsers.positiveDuration(), "10s", "timeout of each pager request and Kubernetes request");
        public static final GroupMembership.Definitions MEMBERSHIP = GroupMembership.define(SETTINGS,
                MEMBERSHIP_PREFIX);
        public static final Setting<Duration> ROLLOUT_TIMEOUT = SETTINGS.define(ActuatorConfig.ROLLOUT_TIMEOUT,
                Parsers.positiveDuration(), "10m", "how long the `rollout` step waits for a SeiNode's controller to"
                        + " report the image rolled out (`status.currentImage`) or failed (`UpdateFailed`)");
        public static final Setting<Duration> ROLLOUT_POLL_INTERVAL = SETTINGS.define(
                ActuatorConfig.ROLLOUT_POLL_INTERVAL, Parsers.positiveDuration(), "2s",
                "how often the `rollout` step reads the SeiNode's status");
        public static final Setting<Duration> HOLD_WINDOW = SETTINGS.define(ActuatorConfig.HOLD_WINDOW,
                Parsers.positiveDuration(), "3s", "how long an image change must hold before its last step (`hold` on"
                        + " a StatefulSet or Deployment, `rollout` on a SeiNode) records `applied`: another writer"
                        + " (Argo CD or Flux self-heal, a parent controller) setting it back within it is re-applied"
                        + " once, then recorded `reverted` and paged. Short, since meanwhile the node's next decision"
                        + " waits (other nodes act: a waiting lane does not count against `ACTUATOR_CONCURRENCY`);"
                        + " it catches a self-heal that reacts to a watch (seconds), not one that runs on a"
                        + " sync interval (see docs/operations.md, \"Running beside Argo CD or Flux\")");
        public static final Setting<Duration> HOLD_POLL_INTERVAL = SETTINGS.define(ActuatorConfig.HOLD_POLL_INTERVAL,
                Parsers.positiveDuration(), "500ms", "how often the hold check reads the target and its pod (two GETs a read)");
        public static final Setting<Integer> CONCURRENCY = SETTINGS.define(ActuatorConfig.CONCURRENCY,
                Parsers.integer(1, MAX_CONCURRENCY), "8", "nodes acted on at once at most (each node's decisions in"
                        + " order, a fleet decision alone); a decision that only waits — a hold check, a rollout poll,"
                        + " a backoff — does not count meanwhile, up to 4 × this many open at once; `1` acts on one"
                        + " node at a time");
        public static final Setting<Secret> PAGERDUTY_ROUTING_KEY = SETTINGS.secret(ActuatorConfig.PAGERDUTY_ROUTING_KEY,
                "(PagerDuty off)", "the PagerDuty Events API v2 integration's routing key; enables PagerDuty.");
        public static final Setting<URI> PAGERDUTY_URL = SETTINGS.define(ActuatorConfig.PAGERDUTY_URL,
                Parsers.httpUrl(), DEFAULT_PAGERDUTY_URL, "where PagerDuty events are posted (needs the routing key)");
        public static final Setting<List<URI>> ALERTMANAGER_URLS = SETTINGS.optional(ActuatorConfig.ALERTMANAGER_URLS,
                Parsers.list(Parsers.commas(), "comma-separated http(s) URLs", Parsers.httpUrl()), "(Alertmanager off)",
                "comma-separated base URLs of every instance of the Alertmanager cluster (API v2); enables Alertmanager");
        public static final Setting<Secret> ALERTMANAGER_TOKEN = SETTINGS.secret(ActuatorConfig.ALERTMANAGER_TOKEN,
                "(none)", "bearer token for Alertmanager.");
        public static final Setting<Duration> ALERTMANAGER_RESEND_INTERVAL = SETTINGS.define(
                ActuatorConfig.ALERTMANAGER_RESEND_INTERVAL, Parsers.positiveDuration(), "1m",
                "active alerts are re-sent this often");
        public static final Setting<Duration> ALERTMANAGER_ALERT_TTL = SETTINGS.define(
                ActuatorConfig.ALERTMANAGER_ALERT_TTL, Parsers.duration(), "1h",
                "each alert is sent with `endsAt` = now + this; at least twice the resend interval");
        public static final Setting<URI> WEBHOOK_URL = SETTINGS.optional(ActuatorConfig.WEBHOOK_URL, Parsers.httpUrl(),
                "(webhook off)", "a generic JSON webhook; enables it");
        public static final Setting<Secret> WEBHOOK_TOKEN = SETTINGS.secret(ActuatorConfig.WEBHOOK_TOKEN, "(none)",
                "bearer token for the webhook.");

        private Registry() {
        }
    }

    public ActuatorConfig {
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException(CONCURRENCY + ": expected an integer from 1 to " + MAX_CONCURRENCY
                    + ", got " + concurrency);
        }
        pagerDuty = pagerDuty == null ? Optional.empty() : pagerDuty;
        alertmanager = alertmanager == null ? Optional.empty() : alertmanager;
        webhook = webhook == null ? Optional.empty() : webhook;
        membership = membership == null ? GroupMembership.defaults() : membership;
    }

    /** PagerDuty Events API v2: where to post and the integration's routing key. */
    public record PagerDutySettings(URI url, Secret routingKey) {
    }

    /**
     * Alertmanager API v2: every instance of the (HA) cluster is posted to; active alerts are re-sent every
     * {@code resendInterval} with {@code endsAt = now + alertTtl}.
     */
    public record AlertmanagerSettings(List<URI> urls, Optional<Secret> bearerToken, Duration resendInterval,
            Duration alertTtl) {
        public AlertmanagerSettings {
            urls = List.copyOf(urls);
        }
    }

    /** A generic JSON webhook, with an optional bearer token. */
    public record WebhookSettings(URI url, Optional<Secret> bearerToken) {
    }

    /** The pager sinks configured; empty means pages cannot be delivered (a loud warning at start). */
    public Set<PagerSink> pagerSinks() {
        Set<PagerSink> sinks = EnumSet.noneOf(PagerSink.class);
        pagerDuty.ifPresent(p -> sinks.add(PagerSink.PAGERDUTY));
        alertmanager.ifPresent(a -> sinks.add(PagerSink.ALERTMANAGER));
        webhook.ifPresent(w -> sinks.add(PagerSink.WEBHOOK));
        return Collections.unmodifiableSet(sinks);
    }

    /**
     * Reads the settings from the environment, with defaults ({@link Registry}); warns about unknown
     * {@code ACTUATOR_*} variables.
     *
     * @throws ConfigException listing every bad setting, each naming the variable and what was expected
     */
    public static ActuatorConfig fromEnv(Map<String, String> env) {
        SettingValues v = SETTINGS.read(env);
        String instance = v.find(Registry.INSTANCE).orElseGet(() -> firstNonBlank(env.get("POD_NAME"),
                env.get("HOSTNAME"), "halt-supervisor-actuator"));
        String groupId = v.get(Registry.GROUP_ID);
        String transactionalId = v.find(Registry.TRANSACTIONAL_ID).orElse(groupId + "-" + instance);

        Duration initial = v.get(Registry.RETRY_INITIAL_BACKOFF);
        Duration max = v.get(Registry.RETRY_MAX_BACKOFF);
        if (max.compareTo(initial) < 0 && v.valid(Registry.RETRY_INITIAL_BACKOFF)) {
            v.refuse(Registry.RETRY_MAX_BACKOFF, "expected at least " + RETRY_INITIAL_BACKOFF + " (" + initial + ")");
        }

        Optional<Secret> routingKey = v.find(Registry.PAGERDUTY_ROUTING_KEY);
        if (routingKey.isEmpty() && v.isSet(Registry.PAGERDUTY_URL) && v.valid(Registry.PAGERDUTY_ROUTING_KEY)) {
            v.refuse(Registry.PAGERDUTY_URL, "expected " + PAGERDUTY_ROUTING_KEY + " (or " + PAGERDUTY_ROUTING_KEY
                    + FILE_SUFFIX + ") with it");
        }
        Optional<PagerDutySettings> pagerDuty = routingKey.map(key -> new PagerDutySettings(
                v.get(Registry.PAGERDUTY_URL), key));

        Optional<AlertmanagerSettings> alertmanager = Optional.empty();
        List<URI> amUrls = v.find(Registry.ALERTMANAGER_URLS).orElse(List.of());
        Duration resend = v.get(Registry.ALERTMANAGER_RESEND_INTERVAL);
        Duration ttl = v.get(Registry.ALERTMANAGER_ALERT_TTL);
        if (!amUrls.isEmpty()) {
            if (ttl.compareTo(resend.multipliedBy(2)) < 0 && v.valid(Registry.ALERTMANAGER_RESEND_INTERVAL)) {
                v.refuse(Registry.ALERTMANAGER_ALERT_TTL, "expected at least twice " + ALERTMANAGER_RESEND_INTERVAL
                        + " (" + resend + ")");
            }
            alertmanager = Optional.of(new AlertmanagerSettings(amUrls, v.find(Registry.ALERTMANAGER_TOKEN), resend,
                    ttl));
        }
        Optional<WebhookSettings> webhook = v.find(Registry.WEBHOOK_URL)
                .map(u -> new WebhookSettings(u, v.find(Registry.WEBHOOK_TOKEN)));

        GroupMembership membership = GroupMembership.read(v, Registry.MEMBERSHIP, env, instance.strip());
        v.throwIfInvalid();
        ActuatorPolicy policy = new ActuatorPolicy(new LinkedHashSet<>(v.get(Registry.NAMESPACES)),
                v.find(Registry.IMAGE_ALLOW).orElse(List.of()), v.get(Registry.MAX_DECISION_AGE));
        return new ActuatorConfig(groupId, instance.strip(), transactionalId, v.get(Registry.DRY_RUN), policy,
                v.get(Registry.RATE_LIMIT_PER_MINUTE), v.get(Registry.RATE_LIMIT_BURST),
                v.get(Registry.RATE_LIMIT_MAX_WAIT), v.get(Registry.CONTAINER_NAME),
                new RetryPolicy(v.get(Registry.RETRY_MAX_ATTEMPTS), initial, max), v.get(Registry.HTTP_TIMEOUT),
                pagerDuty, alertmanager, webhook,
                new RolloutSettings(v.get(Registry.ROLLOUT_TIMEOUT), v.get(Registry.ROLLOUT_POLL_INTERVAL),
                        v.get(Registry.HOLD_WINDOW), v.get(Registry.HOLD_POLL_INTERVAL)),
                membership, v.get(Registry.CONCURRENCY));
    }

    static Duration parseDuration(String variable, String text) {
        return Durations.parse(variable, text);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    /** A URL without user info or query, which may carry credentials. */
    static String shown(URI u) {
        return Redaction.url(u.toString());
    }

    @Override
    public String toString() {
        return "ActuatorConfig{groupId=" + groupId + ", instance=" + instance + ", transactionalId=" + transactionalId
                + ", dryRun=" + dryRun + ", namespaces=" + (policy.namespaces().isEmpty() ? "(all)" : policy.namespaces())
                + ", imageAllow=" + (policy.imageAllowList().isEmpty() ? "(same repository)"
                        : policy.imageAllowList())
                + ", maxDecisionAge=" + policy.maxDecisionAge() + ", rateLimit=" + rateLimitPerMinute + "/min burst "
                + rateLimitBurst + " maxWait " + rateLimitMaxWait + ", container=" + containerName + ", retry="
                + retry + ", httpTimeout=" + httpTimeout
                + ", pagerDuty=" + pagerDuty.map(p -> shown(p.url()) + " routingKey=" + p.routingKey()).orElse("(off)")
                + ", alertmanager=" + alertmanager.map(a -> a.urls().stream().map(ActuatorConfig::shown).toList() + " token=" + a.bearerToken().map(Secret::toString)
                        .orElse("(none)") + " resend " + a.resendInterval() + " ttl " + a.alertTtl()).orElse("(off)")
                + ", webhook=" + webhook.map(w -> shown(w.url()) + " token=" + w.bearerToken().map(Secret::toString)
                        .orElse("(none)")).orElse("(off)")
                + ", membership=" + membership + ", concurrency=" + concurrency
                + "}";
    }
}
