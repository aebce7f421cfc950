package io.haltsupervisor.actuator.page;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.actuator.plan.Page;
import io.haltsupervisor.actuator.plan.PageAction;
import io.haltsupervisor.actuator.plan.PageKind;
import io.haltsupervisor.schemas.Decision.Severity;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.SampleEvents;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PageBodiesTest {
    private static final Page PAGE = new Page(PageKind.HALT, "sei/rpc-0#1", "sei/rpc-0#1", Severity.critical,
            "sei/rpc-0: no mapping", "sei/rpc-0", "ImageMappingMissing", "v6", SampleEvents.T0,
            Map.of("decisionId", "sei/rpc-0#1/await/0", "reasonCode", "70"));

    @Test
    void pagerDutyTriggerCarriesTheEventsApiV2Fields() throws Exception {
        JsonNode body = Json.MAPPER.readTree(PagerDutyClient.body(PageAction.TRIGGER, PAGE, "RK"));
        assertThat(body).isEqualTo(Json.MAPPER.readTree("""
                {"routing_key":"RK","event_action":"trigger","dedup_key":"sei/rpc-0#1","client":"halt-supervisor",
                 "payload":{"summary":"sei/rpc-0: no mapping","source":"sei/rpc-0","severity":"critical",
                   "timestamp":"2026-11-20T10:15:00.123456789Z","component":"seid","group":"sei",
                   "class":"ImageMappingMissing",
                   "custom_details":{"decisionId":"sei/rpc-0#1/await/0","reasonCode":"70"}}}"""));
    }

    @Test
    void pagerDutyResolveAndAcknowledgeCarryOnlyTheKey() throws Exception {
        assertThat(Json.MAPPER.readTree(PagerDutyClient.body(PageAction.RESOLVE, PAGE, "RK"))).isEqualTo(
                Json.MAPPER.readTree("{\"routing_key\":\"RK\",\"event_action\":\"resolve\",\"dedup_key\":\"sei/rpc-0#1\"}"));
        assertThat(Json.MAPPER.readTree(PagerDutyClient.body(PageAction.ACKNOWLEDGE, PAGE, "RK"))
                .get("event_action").asText()).isEqualTo("acknowledge");
    }

    @Test
    void alertmanagerLabelsIdentifyTheIncidentPage() {
        Map<String, String> labels = AlertmanagerClient.labels(PAGE);
        assertThat(labels.keySet()).containsExactly("alertname", "node", "namespace", "reason", "plan", "severity",
                "incident", "page", "managed_by");
        assertThat(labels).containsEntry("alertname", "SeidHalted").containsEntry("node", "sei/rpc-0")
                .containsEntry("namespace", "sei").containsEntry("reason", "ImageMappingMissing")
                .containsEntry("plan", "v6").containsEntry("severity", "critical")
                .containsEntry("incident", "sei/rpc-0#1").containsEntry("page", "halt")
                .containsEntry("managed_by", "halt-supervisor");
        Page fleet = new Page(PageKind.FLEET_HOLD, "_fleet#1", "_fleet#1", Severity.critical, "s", null,
                "FleetCircuitBreakerOpen", null, SampleEvents.T0, Map.of());
        assertThat(AlertmanagerClient.labels(fleet)).doesNotContainKeys("node", "namespace", "plan")
                .containsEntry("alertname", "SeidFleetHold");
    }

    @Test
    void alertmanagerFilterValuesAreQuotedAndPathsKeepPrefixes() {
        assertThat(AlertmanagerClient.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(AlertmanagerClient.endpoint(URI.create("http://am:9093"), "api/v2/alerts"))
                .isEqualTo(URI.create("http://am:9093/api/v2/alerts"));
        assertThat(AlertmanagerClient.endpoint(URI.create("http://h/am/"), "api/v2/alerts"))
                .isEqualTo(URI.create("http://h/am/api/v2/alerts"));
    }

    @Test
    void webhookBodyIsSelfContained() throws Exception {
        JsonNode body = Json.MAPPER.readTree(WebhookClient.body(PageAction.TRIGGER, PAGE));
        assertThat(body.get("action").asText()).isEqualTo("trigger");
        assertThat(body.get("dedupKey").asText()).isEqualTo("sei/rpc-0#1");
        assertThat(body.get("page").asText()).isEqualTo("halt");
        assertThat(body.get("namespace").asText()).isEqualTo("sei");
        assertThat(body.get("details").get("decisionId").asText()).isEqualTo("sei/rpc-0#1/await/0");
    }
}
