package io.haltsupervisor.actuator.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.haltsupervisor.actuator.plan.TargetKind;
import java.util.List;
import java.util.Map;

/**
 * The object a node id names, as read just now: a SeiNode, or the StatefulSet or Deployment of the node.
 * Read-only views over the fabric8 objects; writes go through {@link KubeStepExecutor}.
 */
public sealed interface Target {

    TargetKind kind();

    HasMetadata object();

    default String namespace() {
        return object().getMetadata().getNamespace();
    }

    default String name() {
        return object().getMetadata().getName();
    }

    default String resourceVersion() {
        return object().getMetadata().getResourceVersion();
    }

    default Long generation() {
        return object().getMetadata().getGeneration();
    }

    default Map<String, String> annotations() {
        Map<String, String> a = object().getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    /** {@code SeiNode sei/rpc-0}, as shown in action results. */
    default String display() {
        return kind().display() + " " + namespace() + "/" + name();
    }

    /** A reference for an event's {@code regarding} or {@code related}. */
    default ObjectReference reference() {
        return new ObjectReferenceBuilder().withApiVersion(object().getApiVersion()).withKind(object().getKind())
                .withNamespace(namespace()).withName(name()).withUid(object().getMetadata().getUid()).build();
    }

    /**
     * Where a change to the node's image lasts: the object whose image field is patched. Itself, except for a
     * SeiNode a SeiNetwork owns: its network (null when the owner named in the ownerReference is not found).
     */
    default Target imageHolder() {
        return this;
    }

    /** The node's controller owners we act through, innermost first ({@code SeiNetwork sei/net}), for messages. */
    default String ownerChain() {
        return display();
    }

    /**
     * A {@code SeiNode} ({@code sei.io/v1alpha1}): image in {@code spec.image}, quarantine in {@code spec.paused},
     * our condition in {@code status.conditions}. {@code networkName} is the SeiNetwork named by its controller
     * ownerReference (null for a standalone SeiNode) and {@code network} that SeiNetwork as read with it (null
     * when not found).
     */
    record SeiNodeTarget(GenericKubernetesResource object, String networkName, SeiNetworkTarget network)
            implements Target {

        /** A standalone SeiNode. */
        public SeiNodeTarget(GenericKubernetesResource object) {
            this(object, null, null);
        }

        @Override
        public TargetKind kind() {
            return networkName == null ? TargetKind.SEINODE : TargetKind.SEINETWORK_MEMBER;
        }

        @Override
        public Target imageHolder() {
            return networkName == null ? this : network;
        }

        @Override
        public String ownerChain() {
            return networkName == null ? display() : display() + " (owned by SeiNetwork " + namespace() + "/"
                    + networkName + ")";
        }

        /** {@code spec.image}, or null. */
        public String image() {
            return SeiObjects.text(object, "spec", "image");
        }

        /** {@code spec.paused}. */
        public boolean paused() {
            return SeiObjects.flag(object, "spec", "paused");
        }

        /** True when the object has a {@code spec} map. */
        public boolean hasSpec() {
            return object.getAdditionalProperties().get("spec") instanceof Map<?, ?>;
        }

        /** {@code status} as a map, or null when absent. */
        public Map<String, Object> status() {
            return SeiObjects.map(object, "status");
        }

        /** {@code status.currentImage}: the image the controller last saw rolled out, or null. */
        public String currentImage() {
            return SeiObjects.text(object, "status", "currentImage");
        }

        /** {@code status.conditions} as raw maps (other controllers' conditions kept as they are), or null. */
        public List<?> conditions() {
            Map<String, Object> status = status();
            return status != null && status.get("conditions") instanceof List<?> l ? l : null;
        }
    }

    /** A {@code SeiNetwork} ({@code sei.io/v1alpha1}) owning SeiNodes: one {@code spec.image} for all of them. */
    record SeiNetworkTarget(GenericKubernetesResource object) implements Target {
        @Override
        public TargetKind kind() {
            return TargetKind.SEINETWORK_MEMBER;
        }

        @Override
        public String display() {
            return "SeiNetwork " + namespace() + "/" + name();
        }

        /** {@code spec.image}, or null. */
        public String image() {
            return SeiObjects.text(object, "spec", "image");
        }

        /** {@code spec.replicas}, or 0 when absent. */
        public int replicas() {
            Object r = SeiObjects.value(object, "spec", "replicas");
            return r instanceof Number n ? n.intValue() : 0;
        }

        /** True when the object has a {@code spec} map. */
        public boolean hasSpec() {
            return object.getAdditionalProperties().get("spec") instanceof Map<?, ?>;
        }
    }

    /** A StatefulSet or Deployment: image of the {@code seid} container in the pod template, replicas. */
    record WorkloadTarget(TargetKind kind, HasMetadata object, PodTemplateSpec template, Integer replicas)
            implements Target {

        static WorkloadTarget of(StatefulSet s) {
            return new WorkloadTarget(TargetKind.STATEFULSET, s, s.getSpec() == null ? null : s.getSpec().getTemplate(),
                    s.getSpec() == null ? null : s.getSpec().getReplicas());
        }

        static WorkloadTarget of(Deployment d) {
            return new WorkloadTarget(TargetKind.DEPLOYMENT, d, d.getSpec() == null ? null : d.getSpec().getTemplate(),
                    d.getSpec() == null ? null : d.getSpec().getReplicas());
        }

        /** Index of the container called {@code name} in the pod template, or -1. */
        public int containerIndex(String name) {
            List<Container> containers = containers();
            for (int i = 0; i < containers.size(); i++) {
                if (name.equals(containers.get(i).getName())) {
                    return i;
                }
            }
            return -1;
        }

        public List<Container> containers() {
            if (template == null || template.getSpec() == null || template.getSpec().getContainers() == null) {
                return List.of();
            }
            return template.getSpec().getContainers();
        }

        /** The replica count, with Kubernetes' default of 1 when unset. */
        public int replicaCount() {
            return replicas == null ? 1 : replicas;
        }
    }
}
