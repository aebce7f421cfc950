package io.haltsupervisor.actuator;

import io.haltsupervisor.schemas.Durations;
import io.haltsupervisor.actuator.plan.PagerSink;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The actuator's settings, from {@code ACTUATOR_*} environment variables ({@link #fromEnv(Map)}); see the
 * module's {@code DESIGN.md} for the table. Secrets (PagerDuty routing key, tokens) come from a variable or
 * from a mounted Secret file ({@code …_FILE}), never both, and {@link #toString()} redacts them.
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
 */
public record ActuatorConfig(String groupId, String instance, String transactionalId, boolean dryRun,
        ActuatorPolicy policy, int rateLimitPerMinute, int rateLimitBurst, Duration rateLimitMaxWait,
        String containerName, RetryPolicy retry, Duration httpTimeout, Optional<PagerDutySettings> pagerDuty,
        Optional<AlertmanagerSettings> alertmanager, Optional<WebhookSettings> webhook) {

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
    /** Suffix of the variable naming a file that holds a secret. */
    public static final String FILE_SUFFIX = "_FILE";

    public static final String DEFAULT_GROUP_ID = "halt-supervisor-actuator";
    public static final String DEFAULT_PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public ActuatorConfig {
        pagerDuty = pagerDuty == null ? Optional.empty() : pagerDuty;
        alertmanager = alertmanager == null ? Optional.empty() : alertmanager;
        webhook = webhook == null ? Optional.empty() : webhook;
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
     * Reads the settings from the environment, with defaults; a bad value is an
     * {@link IllegalArgumentException} naming the variable and what was expected.
     */
    public static ActuatorConfig fromEnv(Map<String, String> env) {
        Env e = new Env(env);
        String instance = e.string(INSTANCE).orElseGet(() -> e.string("POD_NAME")
                .orElseGet(() -> e.string("HOSTNAME").orElse("halt-supervisor-actuator")));
        String groupId = e.string(GROUP_ID).orElse(DEFAULT_GROUP_ID);
        String transactionalId = e.string(TRANSACTIONAL_ID).orElse(groupId + "-" + instance);
        boolean dryRun = e.bool(DRY_RUN, false);

        Set<String> namespaces = new LinkedHashSet<>();
        for (String ns : e.list(NAMESPACES, ",")) {
            if (!DNS_LABEL.matcher(ns).matches()) {
                throw new IllegalArgumentException(NAMESPACES + ": expected comma-separated namespace names, got '"
                        + ns + "'");
            }
            namespaces.add(ns);
        }
        List<Pattern> allow = new ArrayList<>();
        for (String regex : e.list(IMAGE_ALLOW, "\\s+")) {
            try {
                allow.add(Pattern.compile(regex));
            } catch (PatternSyntaxException ex) {
                throw new IllegalArgumentException(IMAGE_ALLOW + ": expected whitespace-separated regular expressions,"
                        + " '" + regex + "' is not one: " + ex.getDescription(), ex);
            }
        }
        Duration maxAge = e.duration(MAX_DECISION_AGE, Duration.ofHours(24));
        ActuatorPolicy policy = new ActuatorPolicy(namespaces, allow, maxAge);

        int perMinute = e.integer(RATE_LIMIT_PER_MINUTE, 30, 0);
        int burst = e.integer(RATE_LIMIT_BURST, 10, 1);
        Duration maxWait = e.duration(RATE_LIMIT_MAX_WAIT, Duration.ofSeconds(30));
        String container = e.string(CONTAINER_NAME).orElse("seid");
        if (!DNS_LABEL.matcher(container).matches()) {
            throw new IllegalArgumentException(CONTAINER_NAME + ": expected a container name (DNS label), got '"
                    + container + "'");
        }
        int attempts = e.integer(RETRY_MAX_ATTEMPTS, 5, 1);
        Duration initial = e.duration(RETRY_INITIAL_BACKOFF, Duration.ofMillis(500));
        Duration max = e.duration(RETRY_MAX_BACKOFF, Duration.ofSeconds(10));
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(RETRY_MAX_BACKOFF + ": expected at least " + RETRY_INITIAL_BACKOFF
                    + " (" + initial + "), got " + max);
        }
        RetryPolicy retry = new RetryPolicy(attempts, initial, max);
        Duration httpTimeout = e.duration(HTTP_TIMEOUT, Duration.ofSeconds(10));
        if (httpTimeout.isZero()) {
            throw new IllegalArgumentException(HTTP_TIMEOUT + ": expected a positive duration, got 0");
        }

        Optional<PagerDutySettings> pagerDuty = e.secret(PAGERDUTY_ROUTING_KEY).map(key -> new PagerDutySettings(
                e.url(PAGERDUTY_URL).orElse(URI.create(DEFAULT_PAGERDUTY_URL)), key));
        if (pagerDuty.isEmpty() && e.string(PAGERDUTY_URL).isPresent()) {
            throw new IllegalArgumentException(PAGERDUTY_URL + " is set but " + PAGERDUTY_ROUTING_KEY + " (or "
                    + PAGERDUTY_ROUTING_KEY + FILE_SUFFIX + ") is not: expected both");
        }

        Optional<AlertmanagerSettings> alertmanager = Optional.empty();
        List<String> amUrls = e.list(ALERTMANAGER_URLS, ",");
        if (!amUrls.isEmpty()) {
            List<URI> urls = new ArrayList<>();
            for (String u : amUrls) {
                urls.add(parseUrl(ALERTMANAGER_URLS, u));
            }
            Duration resend = e.duration(ALERTMANAGER_RESEND_INTERVAL, Duration.ofMinutes(1));
            Duration ttl = e.duration(ALERTMANAGER_ALERT_TTL, Duration.ofHours(1));
            if (resend.isZero() || ttl.compareTo(resend.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException(ALERTMANAGER_ALERT_TTL + ": expected at least twice "
                        + ALERTMANAGER_RESEND_INTERVAL + " (" + resend + ") and a positive interval, got " + ttl);
            }
            alertmanager = Optional.of(new AlertmanagerSettings(urls, e.secret(ALERTMANAGER_TOKEN), resend, ttl));
        }

        Optional<WebhookSettings> webhook = e.url(WEBHOOK_URL).map(u -> new WebhookSettings(u, e.secret(WEBHOOK_TOKEN)));

        return new ActuatorConfig(groupId, instance, transactionalId, dryRun, policy, perMinute, burst, maxWait,
                container, retry, httpTimeout, pagerDuty, alertmanager, webhook);
    }

    static Duration parseDuration(String variable, String text) {
        return Durations.parse(variable, text);
    }

    private static URI parseUrl(String variable, String text) {
        try {
            URI u = URI.create(text.trim());
            if (u.getHost() != null && ("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                return u;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(variable + ": expected an http(s) URL, got '" + text + "'");
    }

    /** Typed access to the environment, every error naming its variable. */
    private record Env(Map<String, String> env) {
        Optional<String> string(String name) {
            String v = env.get(name);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
        }

        boolean bool(String name, boolean dflt) {
            return string(name).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new IllegalArgumentException(name + ": expected true or false, got '" + v + "'");
            }).orElse(dflt);
        }

        int integer(String name, int dflt, int min) {
            return string(name).map(v -> {
                try {
                    int i = Integer.parseInt(v);
                    if (i >= min) {
                        return i;
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
                throw new IllegalArgumentException(name + ": expected an integer >= " + min + ", got '" + v + "'");
            }).orElse(dflt);
        }

        Duration duration(String name, Duration dflt) {
            return string(name).map(v -> parseDuration(name, v)).orElse(dflt);
        }

        List<String> list(String name, String separator) {
            return string(name).map(v -> java.util.Arrays.stream(v.split(separator)).map(String::trim)
                    .filter(s -> !s.isEmpty()).toList()).orElse(List.of());
        }

        Optional<URI> url(String name) {
            return string(name).map(v -> parseUrl(name, v));
        }

        /** {@code NAME} or {@code NAME_FILE} (a mounted Secret), never both. */
        Optional<Secret> secret(String name) {
            Optional<String> direct = string(name);
            Optional<String> file = string(name + FILE_SUFFIX);
            if (direct.isPresent() && file.isPresent()) {
                throw new IllegalArgumentException(name + " and " + name + FILE_SUFFIX + " are both set: expected one");
            }
            if (file.isPresent()) {
                String content;
                try {
                    content = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).strip();
                } catch (IOException | RuntimeException ex) {
                    throw new IllegalArgumentException(name + FILE_SUFFIX + ": expected a readable file holding the"
                            + " secret, cannot read '" + file.get() + "' (" + ex.getClass().getSimpleName() + ")", ex);
                }
                if (content.isEmpty()) {
                    throw new IllegalArgumentException(name + FILE_SUFFIX + ": the file '" + file.get() + "' is empty");
                }
                return Optional.of(new Secret(content));
            }
            return direct.map(Secret::new);
        }
    }

    /** A URL without user info or query, which may carry credentials. */
    static String shown(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                + (u.getRawPath() == null ? "" : u.getRawPath())
                + (u.getRawUserInfo() != null || u.getRawQuery() != null ? " [credentials/query redacted]" : "");
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
                + "}";
    }
}
