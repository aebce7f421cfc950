package io.haltsupervisor.decider.core;

import io.haltsupervisor.decider.DeciderConfig;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.haltsupervisor.schemas.ImageMappingChanged;

/**
 * A record of the decider's control topic ({@link DeciderConfig#controlTopic()}), broadcast to every
 * partition so that every node task sees the same image mappings and fleet breaker state, in the
 * order of its own input. Private to the decider.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ControlEvent.MappingChanged.class, name = "mapping"),
    @JsonSubTypes.Type(value = ControlEvent.MappingRemoved.class, name = "mapping-removed"),
    @JsonSubTypes.Type(value = ControlEvent.FleetChanged.class, name = "fleet")
})
public sealed interface ControlEvent {

    /** A plan's mapping was created or changed. */
    record MappingChanged(ImageMappingChanged mapping) implements ControlEvent {
    }

    /** A plan's mapping was removed (tombstone on the mapping topic). */
    record MappingRemoved(String plan) implements ControlEvent {
    }

    /** The fleet breaker opened ({@code hold}) or was released. */
    record FleetChanged(boolean hold, String incidentId) implements ControlEvent {
    }
}
