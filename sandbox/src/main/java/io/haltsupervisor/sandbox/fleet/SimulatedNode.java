package io.haltsupervisor.sandbox.fleet;

import io.haltsupervisor.sandbox.seid.SimulatedSeid;

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

    /** Moves the node's height (e.g. to just below an upgrade height). */
    public SimulatedNode height(long height) {
        seid().height(height);
        return this;
    }
}
