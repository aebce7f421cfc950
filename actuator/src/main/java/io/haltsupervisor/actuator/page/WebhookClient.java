package io.haltsupervisor.actuator.page;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.actuator.ActuatorConfig.WebhookSettings;
import io.haltsupervisor.actuator.StepOutcome;
import io.haltsupervisor.actuator.plan.Page;
import io.haltsupervisor.actuator.plan.PageAction;
import io.haltsupervisor.schemas.Json;
import java.util.List;
import java.util.Map;

/**
 * A generic JSON webhook: one POST per page and action, any 2xx is success; 408, 429, 5xx and timeouts are
 * retried. Delivery is at least once (a crash between sending and recording sends again): receivers
 * deduplicate on {@code dedupKey} + {@code action} + {@code decisionId}.
 *
 * <pre>{@code
 * {"action":"trigger","dedupKey":"sei/rpc-0#1","incidentId":"sei/rpc-0#1","page":"halt",
 *  "severity":"critical","summary":"…","node":"sei/rpc-0","namespace":"sei","reason":"ImageMappingMissing",
 *  "plan":"v6","startsAt":"…","details":{"decisionId":"…",…},"source":"halt-supervisor"}
 * }</pre>
 */
public final class WebhookClient {
    private final WebhookSettings settings;
    private final HttpSender http;

    WebhookClient(WebhookSettings settings, HttpSender http) {
        this.settings = settings;
        this.http = http;
    }

    StepOutcome send(PageAction action, List<Page> pages) throws InterruptedException {
        for (Page page : pages) {
            HttpSender.Answer a = http.post(settings.url(), body(action, page), settings.bearerToken());
            if (!a.ok()) {
                return HttpSender.failure("webhook " + action.token() + " " + page.dedupKey(), a,
                        settings.bearerToken().map(List::of).orElse(List.of()));
            }
        }
        return StepOutcome.applied("webhook " + action.token() + " accepted for "
                + pages.stream().map(Page::dedupKey).toList());
    }

    static String body(PageAction action, Page page) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("action", action.token());
        root.put("dedupKey", page.dedupKey());
        root.put("incidentId", page.incidentId());
        root.put("page", page.kind().token());
        root.put("severity", page.severity().name());
        root.put("summary", page.summary());
        if (page.nodeId() != null) {
            root.put("node", page.nodeId());
            root.put("namespace", page.namespace());
        }
        root.put("reason", page.reason());
        if (page.plan() != null) {
            root.put("plan", page.plan());
        }
        root.put("startsAt", page.startsAt().toString());
        ObjectNode details = root.putObject("details");
        page.details().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> details.put(e.getKey(), e.getValue()));
        root.put("source", "halt-supervisor");
        return root.toString();
    }
}
