package io.haltsupervisor.actuator.page;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.actuator.ActuatorConfig.AlertmanagerSettings;
import io.haltsupervisor.schemas.config.Secret;
import io.haltsupervisor.actuator.StepOutcome;
import io.haltsupervisor.actuator.StepOutcome.Retriable;
import io.haltsupervisor.actuator.plan.Page;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.Topics;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * Alertmanager API v2 ({@code POST /api/v2/alerts}, {@code GET /api/v2/alerts}).
 *
 * <p>An alert's identity is its label set: {@code alertname}, {@code node}, {@code namespace}, {@code reason},
 * {@code plan}, {@code severity}, plus {@code incident} (the incident id), {@code page} (halt, escalation,
 * action-failed, fleet-hold) and {@code managed_by=halt-supervisor}. A trigger posts the alert with
 * {@code endsAt = now + ttl}; a resolve posts the incident's active alerts again with {@code endsAt = now}.
 * Since Alertmanager resolves an alert that is not re-sent before its {@code endsAt}, the actuator re-sends
 * its active alerts every resend interval ({@link #resend}). The set of active alerts is not kept in the
 * actuator's memory: it is read back from Alertmanager (filter {@code managed_by="halt-supervisor"}), so it
 * survives restarts; the action-results topic says which incidents are resolved, so an alert revived by a
 * race is resolved again instead of kept alive. Every instance of an HA Alertmanager cluster is posted to;
 * a post succeeds when at least one accepts it.
 */
public final class AlertmanagerClient {
    public static final String MANAGED_BY = "halt-supervisor";
    static final String ALERTS_PATH = "api/v2/alerts";

    private final AlertmanagerSettings settings;
    private final HttpSender http;
    private final Clock clock;

    AlertmanagerClient(AlertmanagerSettings settings, HttpSender http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
    }

    /** Fires {@code page}; an active alert of the same incident page with other labels is resolved. */
    StepOutcome trigger(Page page) throws InterruptedException {
        Instant now = clock.instant();
        Map<String, String> labels = labels(page);
        ArrayNode alerts = Json.MAPPER.createArrayNode();
        Fetched active = fetch(List.of("incident=" + quote(page.incidentId()), "page=" + quote(page.kind().token()),
                "managed_by=" + quote(MANAGED_BY)));
        if (active.failure != null) {
            return active.failure;
        }
        int superseded = 0;
        for (JsonNode alert : active.alerts) {
            if (!labels.equals(labelsOf(alert))) {
                alerts.add(withEndsAt(alert, now));
                superseded++;
            }
        }
        ObjectNode alert = alerts.addObject();
        alert.set("labels", Json.MAPPER.valueToTree(labels));
        alert.set("annotations", Json.MAPPER.valueToTree(annotations(page)));
        alert.put("startsAt", page.startsAt().toString());
        alert.put("endsAt", now.plus(settings.alertTtl()).toString());
        StepOutcome posted = post(alerts, "trigger " + page.dedupKey());
        if (posted instanceof StepOutcome.Done && superseded > 0) {
            return StepOutcome.applied(posted.detail() + " (resolved " + superseded
                    + " earlier alert(s) of the same incident page with other labels)");
        }
        return posted;
    }

    /** Resolves the active alerts of the incident pages {@code pages}. */
    StepOutcome resolve(List<Page> pages) throws InterruptedException {
        Instant now = clock.instant();
        ArrayNode alerts = Json.MAPPER.createArrayNode();
        for (Page page : pages) {
            Fetched active = fetch(List.of("incident=" + quote(page.incidentId()),
                    "page=" + quote(page.kind().token()), "managed_by=" + quote(MANAGED_BY)));
            if (active.failure != null) {
                return active.failure;
            }
            active.alerts.forEach(a -> alerts.add(withEndsAt(a, now)));
        }
        if (alerts.isEmpty()) {
            return StepOutcome.alreadyApplied("Alertmanager has no active alert for "
                    + pages.stream().map(Page::dedupKey).toList());
        }
        return post(alerts, "resolve " + pages.stream().map(Page::dedupKey).toList());
    }

    /** What one re-send pass did. */
    public record Resent(int refreshed, int resolved, int skipped) {
    }

    /**
     * Re-sends the supervisor's active alerts that belong to this actuator ({@code owned}: by record key, the
     * node id or {@link Topics#FLEET_KEY}): with a fresh {@code endsAt}, or with {@code endsAt = now} when the page
     * has ended ({@code ended}: incident id and page token, the alert's {@code incident} and {@code page} labels —
     * the incident resolved, or for a {@code /reverted} page the node released).
     */
    public Resent resend(Predicate<String> owned, BiPredicate<String, String> ended) throws InterruptedException {
        Fetched active = fetch(List.of("managed_by=" + quote(MANAGED_BY)));
        if (active.failure != null) {
            throw new IllegalStateException(active.failure.detail());
        }
        Instant now = clock.instant();
        ArrayNode alerts = Json.MAPPER.createArrayNode();
        int refreshed = 0;
        int resolved = 0;
        int skipped = 0;
        for (JsonNode alert : active.alerts) {
            Map<String, String> labels = labelsOf(alert);
            String key = labels.getOrDefault("node", Topics.FLEET_KEY);
            if (!owned.test(key)) {
                skipped++;
                continue;
            }
            String incident = labels.get("incident");
            if (incident != null && ended.test(incident, labels.getOrDefault("page", ""))) {
                alerts.add(withEndsAt(alert, now));
                resolved++;
            } else {
                alerts.add(withEndsAt(alert, now.plus(settings.alertTtl())));
                refreshed++;
            }
        }
        if (!alerts.isEmpty()) {
            StepOutcome posted = post(alerts, "re-send");
            if (!(posted instanceof StepOutcome.Done)) {
                throw new IllegalStateException(posted.detail());
            }
        }
        return new Resent(refreshed, resolved, skipped);
    }

    /** The alert's labels (its identity). */
    static Map<String, String> labels(Page page) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", page.kind().alertname());
        if (page.nodeId() != null) {
            labels.put("node", page.nodeId());
            labels.put("namespace", page.namespace());
        }
        labels.put("reason", page.reason());
        if (page.plan() != null) {
            labels.put("plan", page.plan());
        }
        labels.put("severity", page.severity().name());
        labels.put("incident", page.incidentId());
        labels.put("page", page.kind().token());
        labels.put("managed_by", MANAGED_BY);
        return labels;
    }

    private static Map<String, String> annotations(Page page) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", page.summary());
        annotations.put("dedup_key", page.dedupKey());
        page.details().forEach((k, v) -> annotations.putIfAbsent(k, v));
        return annotations;
    }

    private StepOutcome post(ArrayNode alerts, String what) throws InterruptedException {
        String body = alerts.toString();
        int accepted = 0;
        StepOutcome firstFailure = null;
        for (URI base : settings.urls()) {
            HttpSender.Answer a = http.post(endpoint(base, ALERTS_PATH), body, settings.bearerToken());
            if (a.ok()) {
                accepted++;
            } else if (firstFailure == null) {
                firstFailure = HttpSender.failure("Alertmanager " + base + " " + what, a, secrets());
            }
        }
        if (accepted == 0) {
            return firstFailure;
        }
        return StepOutcome.applied("Alertmanager " + what + ": " + alerts.size() + " alert(s) accepted by " + accepted
                + " of " + settings.urls().size() + " instance(s)");
    }

    private record Fetched(List<JsonNode> alerts, StepOutcome failure) {
    }

    /** Active alerts matching {@code matchers}, from the first instance that answers. */
    private Fetched fetch(List<String> matchers) throws InterruptedException {
        StringBuilder query = new StringBuilder("?active=true&silenced=true&inhibited=true&unprocessed=true");
        for (String m : matchers) {
            query.append("&filter=").append(URLEncoder.encode(m, StandardCharsets.UTF_8));
        }
        StepOutcome failure = null;
        for (URI base : settings.urls()) {
            HttpSender.Answer a = http.get(endpoint(base, ALERTS_PATH + query), settings.bearerToken());
            if (!a.ok()) {
                if (failure == null) {
                    failure = HttpSender.failure("Alertmanager " + base + " GET alerts", a, secrets());
                }
                continue;
            }
            try {
                JsonNode list = Json.MAPPER.readTree(a.body());
                List<JsonNode> alerts = new ArrayList<>();
                Instant now = clock.instant();
                list.forEach(alert -> {
                    JsonNode endsAt = alert.get("endsAt");
                    if (endsAt == null || endsAt.asText().isEmpty() || Instant.parse(endsAt.asText()).isAfter(now)) {
                        alerts.add(alert);
                    }
                });
                return new Fetched(alerts, null);
            } catch (JsonProcessingException | RuntimeException e) {
                failure = new Retriable("Alertmanager " + base + " GET alerts returned unreadable JSON: "
                        + e.getMessage());
            }
        }
        return new Fetched(List.of(), failure);
    }

    private static ObjectNode withEndsAt(JsonNode alert, Instant endsAt) {
        ObjectNode copy = Json.MAPPER.createObjectNode();
        copy.set("labels", alert.get("labels"));
        if (alert.has("annotations")) {
            copy.set("annotations", alert.get("annotations"));
        }
        if (alert.has("startsAt")) {
            copy.set("startsAt", alert.get("startsAt"));
        }
        if (alert.has("generatorURL") && !alert.get("generatorURL").asText().isEmpty()) {
            copy.set("generatorURL", alert.get("generatorURL"));
        }
        copy.put("endsAt", endsAt.toString());
        return copy;
    }

    private static Map<String, String> labelsOf(JsonNode alert) {
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode l = alert.get("labels");
        if (l != null) {
            l.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        }
        return labels;
    }

    /** A matcher value in double quotes, as Alertmanager's filter syntax wants. */
    static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private List<Secret> secrets() {
        return settings.bearerToken().map(List::of).orElse(List.of());
    }

    /** {@code base} joined with a relative API path, keeping any path prefix of {@code base}. */
    static URI endpoint(URI base, String relative) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b : b + "/") + relative);
    }
}
