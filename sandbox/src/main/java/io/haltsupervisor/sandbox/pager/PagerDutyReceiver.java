package io.haltsupervisor.sandbox.pager;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.schemas.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A loopback HTTP server standing in for PagerDuty's Events API v2 ({@code POST /v2/enqueue}). An event is
 * answered as PagerDuty does: {@code 202 {"status":"success","message":"Event processed","dedup_key":…}}, or
 * {@code 400 {"status":"invalid event","message":"Event object is invalid","errors":[…]}} when it breaks the
 * Events API's required-field rules (body a JSON object; {@code routing_key} present; {@code event_action}
 * one of trigger, acknowledge, resolve; a trigger's {@code payload.summary}, {@code payload.source} and
 * {@code payload.severity} (critical, error, warning, info) present; an acknowledge's or resolve's
 * {@code dedup_key} present). Other paths answer 404, other methods 405. Scripted answers
 * ({@link #answerNext}, e.g. 429 then the default 202) come first.
 *
 * <p>Not PagerDuty: the routing key's format is not checked (any non-blank key is accepted), nothing is
 * deduplicated, rate-limited or turned into an incident.
 *
 * <pre>{@code
 * try (PagerDutyReceiver pd = PagerDutyReceiver.start()) {
 *     pd.answerNext(429, "{\"status\":\"throttle event\"}");
 *     ... ACTUATOR_PAGERDUTY_URL = pd.url() ...
 *     await().until(() -> pd.events().size() == 1);
 * }
 * }</pre>
 */
public final class PagerDutyReceiver extends HttpReceiver {
    public static final String PATH = "/v2/enqueue";
    private static final Set<String> ACTIONS = Set.of("trigger", "acknowledge", "resolve");
    private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

    private PagerDutyReceiver(int port) {
        super("pagerduty-receiver", port, PATH);
    }

    /** Starts on a free loopback port. */
    public static PagerDutyReceiver start() {
        return new PagerDutyReceiver(0);
    }

    /** Starts on loopback {@code port} (dev mode, for a URL that does not change between runs). */
    public static PagerDutyReceiver start(int port) {
        return new PagerDutyReceiver(port);
    }

    @Override
    Optional<Answer> refusal(String method, String requestPath, Map<String, String> headers, String body) {
        if (!PATH.equals(requestPath)) {
            return Optional.of(Answer.of(404, "{\"status\":\"not found\"}"));
        }
        if (!"POST".equals(method)) {
            return Optional.of(Answer.of(405, "{\"status\":\"method not allowed\"}"));
        }
        List<String> errors = problems(body);
        if (errors.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Answer.of(400, "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\","
                + "\"errors\":" + Json.write(errors) + "}"));
    }

    @Override
    Answer defaultAnswer(String method, String requestPath, Map<String, String> headers, String body) {
        String dedupKey = text(parse(body), "dedup_key");
        if (dedupKey.isEmpty()) {
            dedupKey = UUID.randomUUID().toString().replace("-", "");
        }
        return Answer.of(202, "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":"
                + Json.write(dedupKey) + "}");
    }

    /** What the Events API v2 would reject {@code body} for; empty when it would accept it. */
    static List<String> problems(String body) {
        JsonNode event = parse(body);
        if (event == null || !event.isObject()) {
            return List.of("Event object is not a JSON object");
        }
        List<String> errors = new ArrayList<>();
        if (text(event, "routing_key").isBlank()) {
            errors.add("'routing_key' is missing or blank");
        }
        String action = text(event, "event_action");
        if (!ACTIONS.contains(action)) {
            errors.add("'event_action' is invalid (expected trigger, acknowledge or resolve): '" + action + "'");
        } else if (action.equals("trigger")) {
            JsonNode payload = event.path("payload");
            if (!payload.isObject()) {
                errors.add("'payload' is missing");
            } else {
                for (String field : List.of("summary", "source")) {
                    if (text(payload, field).isBlank()) {
                        errors.add("'payload." + field + "' is missing or blank");
                    }
                }
                if (!SEVERITIES.contains(text(payload, "severity"))) {
                    errors.add("'payload.severity' is invalid (expected critical, error, warning or info)");
                }
            }
        } else if (text(event, "dedup_key").isBlank()) {
            errors.add("'dedup_key' is missing or blank (required to " + action + ")");
        }
        return errors;
    }

    private static JsonNode parse(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        return node == null || !node.path(field).isTextual() ? "" : node.path(field).asText();
    }
}
