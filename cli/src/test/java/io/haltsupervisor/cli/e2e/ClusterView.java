package io.haltsupervisor.cli.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.haltsupervisor.sandbox.fleet.NodeSpec;
import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the cluster (the in-memory API) holds about the simulated nodes, as the scenarios assert it, and the
 * hands of the human operator who changes it (ships an image, restores one).
 *
 * <p>It also watches SeiNodes and StatefulSets from the start and keeps, per object, every distinct
 * {@code Upgrading} condition it carried ({@link #conditionHistory}): a condition the actuator set and a later
 * decision replaced (e.g. {@code UpgradeStarted}, then {@code Resolved}) is still visible to the test.
 */
final class ClusterView implements AutoCloseable {
    static final String NAMESPACE = SimulatedFleet.NAMESPACE;
    static final String CONDITION_ANNOTATION = "halt-supervisor.io/condition-upgrading";

    /** One state of the {@code Upgrading} condition. */
    record Condition(String status, String reason, String message) {
        @Override
        public String toString() {
            return status + "/" + reason;
        }
    }

    private final KubernetesClient client;
    private final Map<String, List<Condition>> history = new ConcurrentHashMap<>();
    private final List<Watch> watches = new ArrayList<>();
    private final Map<String, Integer> podDeletions = new ConcurrentHashMap<>();

    ClusterView(KubernetesClient client) {
        this.client = client;
        watches.add(client.pods().inNamespace(NAMESPACE).watch(new Watcher<Pod>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                if (action == Action.DELETED) {
                    podDeletions.merge(pod.getMetadata().getName(), 1, Integer::sum);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // the test is over, or the API went away: nothing more to record
            }
        }));
        watches.add(client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NAMESPACE)
                .watch(new Recorder<>("SeiNode", ClusterView::condition)));
        watches.add(client.apps().statefulSets().inNamespace(NAMESPACE)
                .watch(new Recorder<>("StatefulSet", ClusterView::condition)));
    }

    /** Records each change of an object's Upgrading condition. */
    private final class Recorder<T extends HasMetadata> implements Watcher<T> {
        private final String kind;
        private final java.util.function.Function<T, Condition> read;

        Recorder(String kind, java.util.function.Function<T, Condition> read) {
            this.kind = kind;
            this.read = read;
        }

        @Override
        public void eventReceived(Action action, T resource) {
            Condition c = read.apply(resource);
            if (c == null) {
                return;
            }
            List<Condition> seen = history.computeIfAbsent(kind + "/" + resource.getMetadata().getName(),
                    k -> new CopyOnWriteArrayList<>());
            synchronized (seen) {
                if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(c)) {
                    seen.add(c);
                }
            }
        }

        @Override
        public void onClose(WatcherException cause) {
            // the test is over, or the API went away: nothing more to record
        }
    }

    /** Every distinct Upgrading condition the object carried, in order ({@code kind}: SeiNode or StatefulSet). */
    List<Condition> conditionHistory(String kind, String name) {
        return List.copyOf(history.getOrDefault(kind + "/" + name, List.of()));
    }

    GenericKubernetesResource seiNode(String name) {
        return client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NAMESPACE)
                .withName(name).get();
    }

    String seiNodeImage(String name) {
        return seiNode(name).get("spec", "image");
    }

    boolean seiNodePaused(String name) {
        Object paused = seiNode(name).get("spec", "paused");
        return Boolean.TRUE.equals(paused) || "true".equals(String.valueOf(paused));
    }

    StatefulSet statefulSet(String name) {
        return client.apps().statefulSets().inNamespace(NAMESPACE).withName(name).get();
    }

    String templateImage(String name) {
        return statefulSet(name).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> SimulatedFleet.CONTAINER.equals(c.getName())).findFirst().orElseThrow().getImage();
    }

    int replicas(String name) {
        Integer r = statefulSet(name).getSpec().getReplicas();
        return r == null ? 1 : r;
    }

    /** The node's image where the actuator sets it: the SeiNode's {@code spec.image}, else the pod template's. */
    String nodeImage(String name, NodeSpec.Workload workload) {
        return workload == NodeSpec.Workload.SEINODE ? seiNodeImage(name) : templateImage(name);
    }

    /** The node's current Upgrading condition: SeiNode status, or the workload's annotation; null when none. */
    Condition condition(String name, NodeSpec.Workload workload) {
        return workload == NodeSpec.Workload.SEINODE ? condition(seiNode(name)) : condition(statefulSet(name));
    }

    List<Condition> conditionHistory(String name, NodeSpec.Workload workload) {
        return conditionHistory(workload == NodeSpec.Workload.SEINODE ? "SeiNode" : "StatefulSet", name);
    }

    static Condition condition(GenericKubernetesResource seiNode) {
        if (seiNode == null || !(seiNode.getAdditionalProperties().get("status") instanceof Map<?, ?> status)
                || !(status.get("conditions") instanceof List<?> conditions)) {
            return null;
        }
        for (Object c : conditions) {
            if (c instanceof Map<?, ?> m && "Upgrading".equals(m.get("type"))) {
                return new Condition(String.valueOf(m.get("status")), String.valueOf(m.get("reason")),
                        String.valueOf(m.get("message")));
            }
        }
        return null;
    }

    static Condition condition(StatefulSet sts) {
        Map<String, String> annotations = sts == null ? null : sts.getMetadata().getAnnotations();
        String raw = annotations == null ? null : annotations.get(CONDITION_ANNOTATION);
        if (raw == null) {
            return null;
        }
        try {
            Map<?, ?> m = Json.MAPPER.readValue(raw, Map.class);
            return new Condition(String.valueOf(m.get("status")), String.valueOf(m.get("reason")),
                    String.valueOf(m.get("message")));
        } catch (IOException e) {
            throw new UncheckedIOException("annotation " + CONDITION_ANNOTATION + " is not JSON: " + raw, e);
        }
    }

    /** How many times the pod {@code NAME-0} was deleted (by anyone) since the view started. */
    int podDeletions(String name) {
        return podDeletions.getOrDefault(name + "-0", 0);
    }

    GenericKubernetesResource seiNetwork(String name) {
        return client.genericKubernetesResources(InMemoryKubernetes.SEINETWORK_CONTEXT).inNamespace(NAMESPACE)
                .withName(name).get();
    }

    /** A SeiNode's {@code status} as a map (empty when it has none). */
    @SuppressWarnings("unchecked")
    Map<String, Object> seiNodeStatus(String name) {
        Object status = seiNode(name).getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** A Sei object's condition of {@code type} as {@code STATUS/REASON}, or null. */
    static String conditionOf(GenericKubernetesResource object, String type) {
        if (object == null || !(object.getAdditionalProperties().get("status") instanceof Map<?, ?> status)
                || !(status.get("conditions") instanceof List<?> conditions)) {
            return null;
        }
        for (Object c : conditions) {
            if (c instanceof Map<?, ?> m && type.equals(m.get("type"))) {
                return m.get("status") + "/" + m.get("reason");
            }
        }
        return null;
    }

    /** The node's pod ({@code NAME-0}), or null. */
    Pod pod(String name) {
        return client.pods().inNamespace(NAMESPACE).withName(name + "-0").get();
    }

    String podUid(String name) {
        Pod pod = pod(name);
        return pod == null ? null : pod.getMetadata().getUid();
    }

    /**
     * The events the supervisor ({@code reportingController: halt-supervisor}) recorded about the node: regarding
     * its SeiNode, StatefulSet or pod.
     */
    List<Event> events(String name) {
        return client.events().v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> "halt-supervisor".equals(e.getReportingController()))
                .filter(e -> e.getRegarding() != null && (name.equals(e.getRegarding().getName())
                        || (name + "-0").equals(e.getRegarding().getName())))
                .toList();
    }

    /** Each supervisor event about the node as {@code TYPE Action/Reason}, sorted. */
    List<String> eventSummaries(String name) {
        return events(name).stream().map(e -> e.getType() + " " + e.getAction() + "/" + e.getReason()).sorted()
                .toList();
    }

    // ------------------------------------------------------------------ the operator's hands

    /**
     * A human changes the node's image (a too-new binary, a botched rollback, a fix): the SeiNode's
     * {@code spec.image} — its controller rolls the pod itself — or the StatefulSet's pod template, and then deletes
     * the pod, as one must with an {@code OnDelete} StatefulSet.
     */
    void shipImage(SimulatedFleet fleet, String name, NodeSpec.Workload workload, String image) {
        if (workload == NodeSpec.Workload.SEINODE) {
            client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NAMESPACE)
                    .withName(name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"image\":\"" + image + "\"}}");
        } else {
            client.apps().statefulSets().inNamespace(NAMESPACE).withName(name).edit(sts -> {
                sts.getSpec().getTemplate().getSpec().getContainers().stream()
                        .filter(c -> SimulatedFleet.CONTAINER.equals(c.getName())).forEach(c -> c.setImage(image));
                return sts;
            });
        }
        if (workload != NodeSpec.Workload.SEINODE && pod(name) != null) {
            client.pods().inNamespace(NAMESPACE).withName(name + "-0").delete();
        }
    }

    /** Sets only the image (no pod deletion): for a paused / scaled-to-0 node whose pod is gone. */
    void setImage(String name, NodeSpec.Workload workload, String image) {
        if (workload == NodeSpec.Workload.SEINODE) {
            client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT).inNamespace(NAMESPACE)
                    .withName(name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"image\":\"" + image + "\"}}");
        } else {
            client.apps().statefulSets().inNamespace(NAMESPACE).withName(name).edit(sts -> {
                sts.getSpec().getTemplate().getSpec().getContainers().stream()
                        .filter(c -> SimulatedFleet.CONTAINER.equals(c.getName())).forEach(c -> c.setImage(image));
                return sts;
            });
        }
    }

    /** Adds or changes one plan's entry in the image-mapping ConfigMap (the source of truth). */
    void putMapping(String configMap, String plan, String value) {
        client.configMaps().inNamespace(NAMESPACE).withName(configMap).edit(cm -> {
            cm.getData().put(plan, value);
            return cm;
        });
    }

    @Override
    public void close() {
        watches.forEach(Watch::close);
    }

    @Override
    public String toString() {
        return "ClusterView" + Objects.toString(history);
    }
}
