package io.haltsupervisor.decider.core;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.haltsupervisor.schemas.OperatorCommandIssued;

/**
 * What node tasks tell the fleet breaker, on the {@code decider-fleet-events} repartition topic
 * (keyed by {@link io.haltsupervisor.schemas.Topics#FLEET_KEY}, one partition). Private to the decider.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = FleetEvent.Tripped.class, name = "trip"),
    @JsonSubTypes.Type(value = FleetEvent.ReleaseRequested.class, name = "release")
})
public sealed interface FleetEvent {

    /** A node opened a 71 or 72 incident at {@code atMs} (record time). */
    record Tripped(String nodeId, String incidentId, int reasonCode, long atMs) implements FleetEvent {
    }

    /** An operator issued {@code release --fleet}. */
    record ReleaseRequested(OperatorCommandIssued command, long atMs) implements FleetEvent {
    }
}
