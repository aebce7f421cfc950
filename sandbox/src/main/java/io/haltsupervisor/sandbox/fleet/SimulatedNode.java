package io.haltsupervisor.sandbox.fleet;

import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.schemas.ShutdownReason;

/** A handle on one simulated node, for scenarios and tests. */
public final class SimulatedNode {
    private final SimulatedFleet fleet;
    private final String name;

    SimulatedNode(SimulatedFleet fleet, String name) {
        this.fleet = fleet;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** {@code sei/NAME}. */
    public String nodeId() {
        return SimulatedFleet.nodeId(name);
    }

    public String podName() {
        return name + "-0";
    }

    /** The simulated {@code seid} process's {@code /status}. */
    public SimulatedSeid seid() {
        return fleet.runtime(name).seid;
    }

    /** The image the running (or last) process runs. */
    public String runningImage() {
        synchronized (fleet) {
            return fleet.runtime(name).image;
        }
    }

    public boolean ready() {
        synchronized (fleet) {
            return fleet.runtime(name).ready;
        }
    }

    public int restartCount() {
        synchronized (fleet) {
            return fleet.runtime(name).restartCount;
        }
    }

    /** How many chain upgrades the node's state has applied. */
    public int applied() {
        synchronized (fleet) {
            return fleet.runtime(name).applied;
        }
    }

    /**
     * From the next tick on, the node's process halts with {@code code} whatever the chain says — for halts the
     * {@link ChainModel} never produces, such as a reserved code 73–89 — until {@link #clearForcedHalt()}. A
     * stay-alive node serves a {@code halt_intent} with that code and no plan; any other exits with the code
     * (1 under cosmovisor) and crash-loops.
     *
     * @throws IllegalArgumentException when {@code code} is not a graceful halt code 70–89
     */
    public SimulatedNode forceHalt(int code) {
        if (!ShutdownReason.isGraceful(code)) {
            throw new IllegalArgumentException("code: expected a graceful halt code 70–89, got " + code);
        }
        synchronized (fleet) {
            fleet.runtime(name).forcedHalt = code;
        }
        return this;
    }

    /** Lets the chain decide again from the next tick: a node halted only by {@link #forceHalt} runs again. */
    public SimulatedNode clearForcedHalt() {
        synchronized (fleet) {
            fleet.runtime(name).forcedHalt = null;
        }
        return this;
    }

    /** Moves the node's height (e.g. to just below an upgrade height). */
    public SimulatedNode height(long height) {
        seid().height(height);
        return this;
    }
}
