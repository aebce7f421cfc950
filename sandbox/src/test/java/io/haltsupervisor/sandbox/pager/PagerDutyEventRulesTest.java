package io.haltsupervisor.sandbox.pager;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Events API v2 rules the PagerDuty stand-in applies to a body, without a server. */
class PagerDutyEventRulesTest {

    @Test
    void aCompleteTriggerAndAKeyedResolveAreAccepted() {
        assertThat(PagerDutyReceiver.problems("""
                {"routing_key":"rk","event_action":"trigger","dedup_key":"sei/rpc-0#1",
                 "payload":{"summary":"halted","source":"sei/rpc-0","severity":"critical"}}""")).isEmpty();
        assertThat(PagerDutyReceiver.problems("""
                {"routing_key":"rk","event_action":"resolve","dedup_key":"sei/rpc-0#1"}""")).isEmpty();
    }

    @Test
    void eachMissingOrInvalidFieldIsNamed() {
        assertThat(PagerDutyReceiver.problems("""
                {"event_action":"trigger","payload":{"summary":"","severity":"fatal"}}"""))
                .containsExactly("'routing_key' is missing or blank", "'payload.summary' is missing or blank",
                        "'payload.source' is missing or blank",
                        "'payload.severity' is invalid (expected critical, error, warning or info)");
        assertThat(PagerDutyReceiver.problems("{\"routing_key\":\"rk\",\"event_action\":\"acknowledge\"}"))
                .containsExactly("'dedup_key' is missing or blank (required to acknowledge)");
        assertThat(PagerDutyReceiver.problems("{\"routing_key\":\"rk\",\"event_action\":\"page\"}"))
                .singleElement().asString().startsWith("'event_action' is invalid");
        assertThat(PagerDutyReceiver.problems("not json")).containsExactly("Event object is not a JSON object");
    }
}
