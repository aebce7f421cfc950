package io.haltsupervisor.actuator.page;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.actuator.ActuatorConfig.PagerDutySettings;
import io.haltsupervisor.actuator.StepOutcome;
import io.haltsupervisor.actuator.plan.Page;
import io.haltsupervisor.actuator.plan.PageAction;
import io.haltsupervisor.schemas.Json;
import java.util.List;
import java.util.Optional;

/**
 * PagerDuty Events API v2: {@code event_action} trigger / acknowledge / resolve, {@code dedup_key} = the
 * page's dedup key (the incident id, or incident id + {@code /escalation} / {@code /action-failed}), so a
 * repeated trigger updates the open alert instead of opening another. 202 is success; 429, 5xx and
 * timeouts are retried; any other answer (400: invalid event) is a permanent failure.
 */
public final class PagerDutyClient {
    /** PagerDuty's {@code client} field: who sent the event. */
    public static final String CLIENT = "halt-supervisor";

    private final PagerDutySettings settings;
    private final HttpSender http;

    PagerDutyClient(PagerDutySettings settings, HttpSender http) {
        this.settings = settings;
        this.http = http;
    }

    StepOutcome send(PageAction action, List<Page> pages) throws InterruptedException {
        for (Page page : pages) {
            HttpSender.Answer a = http.post(settings.url(), body(action, page, settings.routingKey().reveal()),
                    Optional.empty());
            if (!a.ok()) {
                return HttpSender.failure("PagerDuty " + action.token() + " " + page.dedupKey(), a,
                        List.of(settings.routingKey()));
            }
        }
        return StepOutcome.applied("PagerDuty " + action.token() + " accepted for dedup_key "
                + pages.stream().map(Page::dedupKey).toList());
    }

    /** The Events API v2 body (the routing key is only ever written here). */
    static String body(PageAction action, Page page, String routingKey) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("routing_key", routingKey);
        root.put("event_action", action.token());
        root.put("dedup_key", page.dedupKey());
        if (action == PageAction.TRIGGER) {
            root.put("client", CLIENT);
            ObjectNode payload = root.putObject("payload");
            payload.put("summary", page.summary());
            payload.put("source", page.nodeId() == null ? "fleet" : page.nodeId());
            payload.put("severity", page.severity().name());
            payload.put("timestamp", page.startsAt().toString());
            payload.put("component", "seid");
            if (page.namespace() != null) {
                payload.put("group", page.namespace());
            }
            payload.put("class", page.reason());
            ObjectNode details = payload.putObject("custom_details");
            page.details().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> details.put(e.getKey(), e.getValue()));
        }
        return root.toString();
    }
}
