package io.haltsupervisor.sandbox.fleet;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import java.util.List;

/** A handle on one simulated {@code SeiNetwork} and its nodes, for scenarios and tests. */
public final class SimulatedNetwork {
    private final SimulatedFleet fleet;
    private final String name;
    private final List<SimulatedNode> nodes;

    SimulatedNetwork(SimulatedFleet fleet, String name, List<SimulatedNode> nodes) {
        this.fleet = fleet;
        this.name = name;
        this.nodes = List.copyOf(nodes);
    }

    public String name() {
        return name;
    }

    /** Its nodes, by ordinal: SeiNodes {@code NAME-0…}. */
    public List<SimulatedNode> nodes() {
        return nodes;
    }

    /** The SeiNetwork as stored now. */
    public GenericKubernetesResource object() {
        return fleet.client().genericKubernetesResources(InMemoryKubernetes.SEINETWORK_CONTEXT)
                .inNamespace(SimulatedFleet.NAMESPACE).withName(name).get();
    }

    /** {@code spec.image}. */
    public String image() {
        return object().get("spec", "image");
    }

    /** How many times the simulated controller reconciled the network so far. */
    public int reconciles() {
        return fleet.reconciles(name);
    }
}
