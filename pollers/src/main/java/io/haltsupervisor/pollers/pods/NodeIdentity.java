package io.haltsupervisor.pollers.pods;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;

/**
 * The node a pod belongs to: {@code namespace/name} where name is, following controller
 * {@code ownerReferences}:
 * <ol>
 *   <li>the {@code SeiNode} ({@code sei.io}) that owns the pod, or owns the pod's StatefulSet, or owns the
 *       Deployment of the pod's ReplicaSet;</li>
 *   <li>else the pod's StatefulSet, or the Deployment that owns the pod's ReplicaSet;</li>
 *   <li>else the pod itself (bare pods, Jobs, DaemonSets, a ReplicaSet without a Deployment).</li>
 * </ol>
 * That is also what the actuator changes (the SeiNode's image, else the workload's pod template), so the
 * node id names the thing acted on. A workload with several replicas is one node; its pods are polled
 * separately and each observation names its pod.
 */
public final class NodeIdentity {
    public static final String SEI_GROUP = "sei.io";
    public static final String SEINODE_KIND = "SeiNode";
    private static final String APPS = "apps/";

    /** Reads an owner object; empty when it does not exist. Failures (API down) propagate. */
    @FunctionalInterface
    public interface OwnerLookup {
        Optional<? extends HasMetadata> find(String namespace, String kind, String name);
    }

    private NodeIdentity() {
    }

    /** The node id of {@code pod}. */
    public static String resolve(Pod pod, OwnerLookup lookup) {
        return resolveNode(pod, lookup).id();
    }

    /** A pod's node: its id, and whether that id names a SeiNode (whose controller reports a current image). */
    public record Node(String id, boolean seiNode) {
        /** The SeiNode's name (the part after the namespace). */
        public String name() {
            return id.substring(id.indexOf('/') + 1);
        }

        public String namespace() {
            return id.substring(0, id.indexOf('/'));
        }
    }

    /** The node of {@code pod} ({@link #resolve}), saying whether it is a SeiNode. */
    public static Node resolveNode(Pod pod, OwnerLookup lookup) {
        String namespace = pod.getMetadata().getNamespace();
        String podName = pod.getMetadata().getName();
        Optional<OwnerReference> owner = controller(pod.getMetadata().getOwnerReferences());
        if (owner.isEmpty()) {
            return new Node(namespace + "/" + podName, false);
        }
        OwnerReference ref = owner.get();
        if (isSeiNode(ref)) {
            return new Node(namespace + "/" + ref.getName(), true);
        }
        if (isApps(ref, "StatefulSet")) {
            Optional<String> seiNode = seiNodeOwner(lookup.find(namespace, "StatefulSet", ref.getName()));
            return new Node(namespace + "/" + seiNode.orElse(ref.getName()), seiNode.isPresent());
        }
        if (isApps(ref, "ReplicaSet")) {
            Optional<? extends HasMetadata> replicaSet = lookup.find(namespace, "ReplicaSet", ref.getName());
            Optional<OwnerReference> deployment = replicaSet
                    .flatMap(rs -> controller(rs.getMetadata().getOwnerReferences()))
                    .filter(r -> isApps(r, "Deployment"));
            if (deployment.isEmpty()) {
                return new Node(namespace + "/" + podName, false);
            }
            String name = deployment.get().getName();
            Optional<String> seiNode = seiNodeOwner(lookup.find(namespace, "Deployment", name));
            return new Node(namespace + "/" + seiNode.orElse(name), seiNode.isPresent());
        }
        return new Node(namespace + "/" + podName, false);
    }

    private static Optional<String> seiNodeOwner(Optional<? extends HasMetadata> workload) {
        return workload.flatMap(w -> controller(w.getMetadata().getOwnerReferences()))
                .filter(NodeIdentity::isSeiNode)
                .map(OwnerReference::getName);
    }

    /** The controller reference; else the only reference; else none. */
    static Optional<OwnerReference> controller(List<OwnerReference> refs) {
        if (refs == null || refs.isEmpty()) {
            return Optional.empty();
        }
        for (OwnerReference r : refs) {
            if (Boolean.TRUE.equals(r.getController()) && r.getName() != null && r.getKind() != null) {
                return Optional.of(r);
            }
        }
        OwnerReference only = refs.get(0);
        return refs.size() == 1 && only.getName() != null && only.getKind() != null
                ? Optional.of(only) : Optional.empty();
    }

    static boolean isSeiNode(OwnerReference ref) {
        String apiVersion = ref.getApiVersion();
        return SEINODE_KIND.equals(ref.getKind()) && apiVersion != null && apiVersion.startsWith(SEI_GROUP + "/");
    }

    private static boolean isApps(OwnerReference ref, String kind) {
        String apiVersion = ref.getApiVersion();
        return kind.equals(ref.getKind()) && apiVersion != null && apiVersion.startsWith(APPS);
    }
}
