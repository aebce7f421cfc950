package io.haltsupervisor.sandbox.seid;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.SampleEvents;
import org.junit.jupiter.api.Test;

class StatusDocumentTest {

    @Test
    void placesHaltIntentAtTheTopLevelBesideTheOtherSections() {
        ObjectNode status = StatusDocument.status("rpc-0", "pacific-1", "v5.9.0", 42, false, 0, false,
                SampleEvents.INTENT);
        assertThat(status.fieldNames()).toIterable()
                .containsExactly("node_info", "application_info", "sync_info", "validator_info", "halt_intent");
        assertThat(status.at("/halt_intent/reason").asInt()).isEqualTo(70);
        assertThat(status.at("/halt_intent/plan_name").asText()).isEqualTo("v6");
    }

    @Test
    void isDeterministicForTheSameState() {
        String a = Json.write(StatusDocument.status("rpc-0", "pacific-1", "v5.9.0", 42, false, 0, false, null));
        String b = Json.write(StatusDocument.status("rpc-0", "pacific-1", "v5.9.0", 42, false, 0, false, null));
        String c = Json.write(StatusDocument.status("rpc-0", "pacific-1", "v5.9.0", 43, false, 0, false, null));
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void replaceCreatesMissingParentsAndOverwritesValues() {
        ObjectNode status = StatusDocument.status("rpc-0", "pacific-1", "v5.9.0", 42, false, 0, false, null);
        StatusDocument.replace(status, "/sync_info/latest_block_height", "\"-5\"");
        StatusDocument.replace(status, "/a/b", "[1]");
        assertThat(status.at("/sync_info/latest_block_height").asText()).isEqualTo("-5");
        assertThat(status.at("/a/b/0").asInt()).isEqualTo(1);
    }
}
