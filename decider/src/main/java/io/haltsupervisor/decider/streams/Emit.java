package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.core.ControlEvent;
import io.haltsupervisor.decider.core.FleetEvent;

import io.haltsupervisor.schemas.Decision;

/** What the decider's processors forward, routed by kind to its sink. In-process only. */
public sealed interface Emit {

    /** To {@code seid.decisions.v1}. */
    record Decided(Decision decision) implements Emit {
    }

    /** To the fleet breaker (repartitioned to one partition). */
    record ToFleet(FleetEvent event) implements Emit {
    }

    /** To the control topic, broadcast to every partition. */
    record ToControl(ControlEvent event) implements Emit {
    }
}
