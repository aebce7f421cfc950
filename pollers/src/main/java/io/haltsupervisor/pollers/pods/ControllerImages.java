package io.haltsupervisor.pollers.pods;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.haltsupervisor.schemas.SeiResources;
import java.util.List;
import java.util.Map;

/**
 * The image a SeiNode's controller reports the node runs: the SeiNode's {@code status.currentImage}, else — for a
 * child of a SeiNetwork that has not reported one — its entry in the network's {@code status.nodes[]}
 * (sei-k8s-controller {@code api/v1alpha1/seinode_types.go}, {@code seinetwork_types.go} at 2d670ad8). The
 * controller stamps it in its update plan's {@code observe-image} task, once the new pod runs the new image, so
 * while a plan runs it still names the image before the change. Read fresh on every call (a pod update of a
 * SeiNode is rare; a cached value would be the wrong one right after a rollout). Needs {@code get} on
 * {@code seinodes} and {@code seinetworks}; API failures propagate (the caller retries the pod).
 */
public final class ControllerImages {
    private static final CustomResourceDefinitionContext SEINODE = context(SeiResources.SEINODE_KIND,
            SeiResources.SEINODE_PLURAL);
    private static final CustomResourceDefinitionContext SEINETWORK = context(SeiResources.SEINETWORK_KIND,
            SeiResources.SEINETWORK_PLURAL);

    /** Looks the current image of a SeiNode up; null when none is reported (or the SeiNode is gone). */
    @FunctionalInterface
    public interface Lookup {
        String currentImage(String namespace, String seiNode);
    }

    private final KubernetesClient client;

    public ControllerImages(KubernetesClient client) {
        this.client = client;
    }

    /** {@link Lookup} on this client. */
    public String currentImage(String namespace, String seiNode) {
        GenericKubernetesResource node = client.genericKubernetesResources(SEINODE).inNamespace(namespace)
                .withName(seiNode).get();
        if (node == null) {
            return null;
        }
        String own = text(node.getAdditionalProperties().get("status"), "currentImage");
        if (own != null) {
            return own;
        }
        String network = networkOwner(node.getMetadata().getOwnerReferences());
        if (network == null) {
            return null;
        }
        GenericKubernetesResource owner = client.genericKubernetesResources(SEINETWORK).inNamespace(namespace)
                .withName(network).get();
        if (owner == null || !(owner.getAdditionalProperties().get("status") instanceof Map<?, ?> status)
                || !(status.get("nodes") instanceof List<?> nodes)) {
            return null;
        }
        for (Object entry : nodes) {
            if (entry instanceof Map<?, ?> m && seiNode.equals(m.get("name"))) {
                return text(m, "currentImage");
            }
        }
        return null;
    }

    private static String networkOwner(List<OwnerReference> refs) {
        if (refs == null) {
            return null;
        }
        for (OwnerReference ref : refs) {
            if (Boolean.TRUE.equals(ref.getController()) && SeiResources.SEINETWORK_KIND.equals(ref.getKind())
                    && ref.getApiVersion() != null && ref.getApiVersion().startsWith(SeiResources.GROUP + "/")) {
                return ref.getName();
            }
        }
        return null;
    }

    private static String text(Object map, String key) {
        if (map instanceof Map<?, ?> m && m.get(key) instanceof String s && !s.isBlank()) {
            return s;
        }
        return null;
    }

    private static CustomResourceDefinitionContext context(String kind, String plural) {
        return new CustomResourceDefinitionContext.Builder().withGroup(SeiResources.GROUP)
                .withVersion(SeiResources.VERSION).withKind(kind).withPlural(plural).withScope("Namespaced").build();
    }
}
