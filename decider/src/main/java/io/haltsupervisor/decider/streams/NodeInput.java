package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.core.ControlEvent;

import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.NodeObservation;
import io.haltsupervisor.schemas.OperatorCommandIssued;

/**
 * One input of the node processor, whichever topic it came from. In-process only (never serialised);
 * the value may be null (a tombstone on a topic that has none), which the processor rejects.
 */
public sealed interface NodeInput {

    /** From {@code seid.halt-observations.v1}. */
    record Halt(HaltObserved value) implements NodeInput {
    }

    /** From {@code seid.node-observations.v1}. */
    record Observed(NodeObservation value) implements NodeInput {
    }

    /** From {@code seid.operator-commands.v1}. */
    record Command(OperatorCommandIssued value) implements NodeInput {
    }

    /** From the decider's control topic. */
    record Control(ControlEvent value) implements NodeInput {
    }
}
