package io.haltsupervisor.schemas;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * Value of {@code seid.node-observations.v1}, keyed by node id: what a node looks like when it is
 * not (or no longer) halting. Two kinds, told apart by {@code kind}: {@link NodeStatusObserved}
 * from the status poller and {@link PodStateObserved} from the pod watcher.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = NodeStatusObserved.class, name = "status"),
    @JsonSubTypes.Type(value = PodStateObserved.class, name = "pod")
})
public sealed interface NodeObservation permits NodeStatusObserved, PodStateObserved {
    int SCHEMA_VERSION = 1;

    int schemaVersion();

    String nodeId();

    Instant observedAt();
}
