package io.haltsupervisor.sandbox.fleet;

/**
 * How a simulated node starts.
 *
 * @param name                the SeiNode / StatefulSet name (pod {@code NAME-0})
 * @param workload            what owns the pod
 * @param image               the initial {@code seid} image
 * @param height              the initial block height
 * @param applied             how many chain upgrades the node's state has applied
 * @param stayAlive           stay-alive mode (the flag's name is not settled upstream: {@code --halt-stay-alive} or
 *                            {@code --halt-stays-running}; the sandbox writes the first): on a halt the process
 *                            keeps serving {@code /status}
 * @param haltIntentSupported false for an older {@code seid} without {@code halt_intent} (and without stay-alive)
 * @param cosmovisor          the container runs cosmovisor, which exits 1 whatever the child's code
 */
public record NodeSpec(String name, Workload workload, String image, long height, int applied, boolean stayAlive,
        boolean haltIntentSupported, boolean cosmovisor) {

    public NodeSpec {
        if (name == null || !name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || name.length() > 50) {
            throw new IllegalArgumentException("name: expected a DNS label of at most 50 characters, got '" + name + "'");
        }
        if (workload == null || image == null || image.isBlank()) {
            throw new IllegalArgumentException("workload and image are required");
        }
        if (height < 1 || applied < 0) {
            throw new IllegalArgumentException("height must be >= 1 and applied >= 0");
        }
    }

    /** A modern, stay-alive node owned by a SeiNode. */
    public static NodeSpec seiNode(String name, String image, long height, int applied) {
        return new NodeSpec(name, Workload.SEINODE, image, height, applied, true, true, false);
    }

    public NodeSpec withWorkload(Workload w) {
        return new NodeSpec(name, w, image, height, applied, stayAlive, haltIntentSupported, cosmovisor);
    }

    public NodeSpec withStayAlive(boolean s) {
        return new NodeSpec(name, workload, image, height, applied, s, haltIntentSupported, cosmovisor);
    }

    /** An older seid: no halt_intent, no stay-alive; only the exit code tells. */
    public NodeSpec olderSeid() {
        return new NodeSpec(name, workload, image, height, applied, false, false, cosmovisor);
    }

    public NodeSpec withCosmovisor() {
        return new NodeSpec(name, workload, image, height, applied, false, haltIntentSupported, true);
    }

    /** What owns a simulated node's pod. */
    public enum Workload {
        /** A SeiNode (sei.io/v1alpha1) owning a StatefulSet owning the pod. */
        SEINODE,
        /** A plain StatefulSet owning the pod. */
        STATEFULSET
    }
}
