package io.haltsupervisor.actuator.plan;

/**
 * What a node id names in the cluster, detected per node before planning: a {@code SeiNode} (when the
 * CRD is installed), else the StatefulSet or Deployment of that name. {@link #MISSING} when none was
 * found (the cluster steps then fail with that reason); {@link #FLEET} for fleet-wide decisions, which
 * have no cluster target.
 */
public enum TargetKind {
    SEINODE("SeiNode"),
    STATEFULSET("StatefulSet"),
    DEPLOYMENT("Deployment"),
    MISSING("missing"),
    FLEET("fleet");

    private final String display;

    TargetKind(String display) {
        this.display = display;
    }

    /** The Kubernetes kind, as shown in action results ({@code SeiNode sei/rpc-0}). */
    public String display() {
        return display;
    }

    /**
     * True when a pod-template change replaces the pod by itself (a Deployment's rollout). False for
     * StatefulSets, which Sei runs with {@code updateStrategy: OnDelete}, and for SeiNodes, whose controller
     * carries {@code spec.image} into such a StatefulSet: there the actuator deletes the old pod itself, once
     * the template carries the new image.
     */
    public boolean rollsPodItself() {
        return this == DEPLOYMENT;
    }
}
