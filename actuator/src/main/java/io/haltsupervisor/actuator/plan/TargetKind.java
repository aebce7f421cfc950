package io.haltsupervisor.actuator.plan;

/**
 * What a node id names in the cluster, detected per node before planning ({@code kube/KubeTargets}): a
 * standalone {@code SeiNode} (when the CRD is installed), a {@code SeiNode} a {@code SeiNetwork} owns, else the
 * StatefulSet or Deployment of that name. {@link #MISSING} when none was found (the cluster steps then fail with
 * that reason); {@link #FLEET} for fleet-wide decisions, which have no cluster target.
 */
public enum TargetKind {
    /** A SeiNode no SeiNetwork owns: its own {@code spec.image} and {@code spec.paused} last. */
    SEINODE("SeiNode"),
    /**
     * A SeiNode whose controller owner is a SeiNetwork, which rewrites the child's labels, annotations,
     * {@code spec.image} and {@code spec.paused} on every reconcile: image changes go to the SeiNetwork.
     */
    SEINETWORK_MEMBER("SeiNode"),
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
     * True when an image change replaces the pod without us: a Deployment's rollout, and a SeiNode's controller,
     * whose node-update plan deletes the pod at the old StatefulSet revision itself ({@code replace-pod} in
     * sei-k8s-controller {@code internal/task/replace_pod.go} at 2d670ad8) — deleting it too would be a second,
     * racing delete. False for plain StatefulSets, which Sei runs with {@code updateStrategy: OnDelete}: there
     * the actuator deletes the old pod itself.
     */
    public boolean rollsPodItself() {
        return this == DEPLOYMENT || this == SEINODE || this == SEINETWORK_MEMBER;
    }

    /** True for both kinds of SeiNode. */
    public boolean seiNode() {
        return this == SEINODE || this == SEINETWORK_MEMBER;
    }
}
