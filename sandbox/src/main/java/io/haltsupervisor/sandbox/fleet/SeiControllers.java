package io.haltsupervisor.sandbox.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.schemas.SeiResources;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated sei-k8s-controller: one reconcile of a {@code SeiNode} or a {@code SeiNetwork}, reproducing what
 * the real controller does that halt-supervisor can observe. Taken from sei-protocol/sei-k8s-controller at commit
 * 2d670ad8; each behaviour names its upstream file. Not modelled: the init plan's tasks (a new SeiNode is
 * Running once its first pod exists), sidecars, peers, services, the genesis ceremony, workflows.
 *
 * <p>How both controllers write (as upstream does, and what our own writers must live with):
 * <ul>
 *   <li>status: one JSON merge patch of the whole {@code status} computed from the object read at the start of
 *       the reconcile, carrying that read's {@code metadata.resourceVersion} (controller-runtime's
 *       {@code MergeFromWithOptimisticLock}; {@code internal/controller/node/controller.go} and
 *       {@code internal/controller/seinetwork/status.go}). A list in it ({@code conditions}) replaces the stored
 *       list, so a condition another writer added survives only because it was in the read copy; a write by
 *       someone else between the read and the patch makes the patch fail with 409 and the reconcile is retried
 *       (here: at the next tick). Conditions of other types are kept ({@code apimeta.SetStatusCondition}).</li>
 *   <li>the SeiNetwork's children: a full update (PUT) of each child SeiNode whose labels, annotations,
 *       {@code spec.image}, sidecar, podLabels or overrides differ from what the network wants
 *       ({@code internal/controller/seinetwork/nodes.go} {@code ensureSeiNode}), and {@code spec.paused} synced
 *       to the network's ({@code syncPausedToChildren}).</li>
 * </ul>
 */
final class SeiControllers {
    static final String REVISION_LABEL = "controller-revision-hash";
    static final String NODE_LABEL = "sei.io/node";
    /** Tasks of a node-update plan ({@code internal/planner/doc.go}, "NodeUpdate plans"). */
    static final List<String> UPDATE_TASKS = List.of("apply-statefulset", "apply-service", "replace-pod",
            "observe-image", "mark-ready");

    private static final Logger LOG = LoggerFactory.getLogger(SeiControllers.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final KubernetesClient client;
    private final String namespace;
    private final Clock clock;
    /** Images whose update plans fail at replace-pod, with the error (a test's broken registry). */
    private final Map<String, String> failingImages = new ConcurrentHashMap<>();
    /** Status patches refused with 409 (someone else wrote first): counted, retried next reconcile. */
    private final AtomicInteger statusConflicts = new AtomicInteger();

    SeiControllers(KubernetesClient client, String namespace, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.clock = clock;
    }

    void failUpdatesTo(String image, String error) {
        failingImages.put(image, error);
    }

    void clearFailingUpdates() {
        failingImages.clear();
    }

    int statusConflicts() {
        return statusConflicts.get();
    }

    // ------------------------------------------------------------------ SeiNode

    /**
     * One reconcile of the SeiNode {@code name} ({@code internal/controller/node/controller.go} {@code Reconcile}):
     * Paused condition; the owned StatefulSet applied every time (template image = {@code spec.image}, replicas 0
     * when paused: {@code internal/noderesource/sync.go}); when paused nothing else; otherwise the image-drift
     * plan: built when {@code spec.image != status.currentImage} with {@code NodeUpdateInProgress=True
     * UpdateStarted} ({@code internal/planner/planner.go}, {@code validator.go}), executed task by task —
     * {@code replace-pod} deletes the pods at the old StatefulSet revision without waiting for readiness
     * ({@code internal/task/replace_pod.go}), {@code observe-image} stamps {@code status.currentImage} once the
     * StatefulSet reports every replica updated ({@code internal/task/observe_image.go}) — and cleared with
     * {@code UpdateComplete} or {@code UpdateFailed} ({@code handleTerminalPlan}).
     *
     * @return the StatefulSet as it is now, or empty when there is no such SeiNode
     */
    Optional<StatefulSet> reconcileSeiNode(String name, StatefulSetFactory statefulSets) {
        GenericKubernetesResource node = seiNodes().withName(name).get();
        if (node == null) {
            return Optional.empty();
        }
        ObjectNode object = Serialization.jsonMapper().valueToTree(node);
        ObjectNode before = object.path("status").isObject() ? ((ObjectNode) object.get("status")).deepCopy()
                : JSON.objectNode();
        ObjectNode status = before.deepCopy();
        long generation = node.getMetadata().getGeneration() == null ? 1 : node.getMetadata().getGeneration();
        JsonNode spec = object.path("spec");
        String image = spec.path("image").asText(null);
        boolean paused = spec.path("paused").asBoolean(false);
        setCondition(status, SeiResources.CONDITION_PAUSED, paused ? "True" : "False", paused ? "Paused" : "NotPaused",
                paused ? "spec.paused is true; reconciliation is frozen" : "spec.paused is unset or false",
                generation);

        StatefulSet sts = statefulSets.apply(node, image, paused ? 0 : 1);
        ObjectNode stsRef = JSON.objectNode().put("name", sts.getMetadata().getName())
                .put("uid", sts.getMetadata().getUid());
        status.set("statefulSet", stsRef);
        if (paused) {
            flushStatus(SeiResources.SEINODE_PLURAL, name, node.getMetadata().getResourceVersion(), before, status);
            return Optional.of(sts);
        }
        String current = status.path("currentImage").asText("");
        JsonNode plan = status.get("plan");
        if (plan == null || plan.isNull()) {
            if (current.isEmpty()) {
                // the init plan, reduced to its outcome: running once the first pod exists, on that pod's image (a
                // spec.image changed meanwhile is then drift, rolled by the next reconcile's update plan)
                Optional<String> running = statefulSets.podImage(sts);
                if (running.isPresent()) {
                    status.put("currentImage", running.get());
                    setPhase(status, "Running");
                }
            } else if (image != null && !image.equals(current)) {
                setCondition(status, SeiResources.CONDITION_NODE_UPDATE_IN_PROGRESS, "True",
                        SeiResources.REASON_UPDATE_STARTED, "image drift detected: spec=" + image + " current="
                                + current, generation);
                status.set("plan", newPlan());
                LOG.info("simulated SeiNode controller: {} image drift {} -> {}: update plan started", name, current,
                        image);
                // upstream requeues at once so the plan is persisted before it runs: it runs next reconcile
            }
        } else {
            String phase = plan.path("phase").asText();
            if ("Active".equals(phase)) {
                executePlan((ObjectNode) plan, status, image, sts, statefulSets);
            } else {
                String id = plan.path("id").asText();
                JsonNode update = findCondition(status, SeiResources.CONDITION_NODE_UPDATE_IN_PROGRESS);
                if (update != null && "True".equals(update.path("status").asText())) {
                    if ("Complete".equals(phase)) {
                        setCondition(status, SeiResources.CONDITION_NODE_UPDATE_IN_PROGRESS, "False",
                                SeiResources.REASON_UPDATE_COMPLETE, "plan " + id + " completed", generation);
                    } else {
                        setCondition(status, SeiResources.CONDITION_NODE_UPDATE_IN_PROGRESS, "False",
                                SeiResources.REASON_UPDATE_FAILED, "plan " + id + " failed: " + failureOf(plan),
                                generation);
                    }
                }
                status.remove("plan");
            }
        }
        flushStatus(SeiResources.SEINODE_PLURAL, name, node.getMetadata().getResourceVersion(), before, status);
        return Optional.of(sts);
    }

    private static ObjectNode newPlan() {
        ObjectNode plan = JSON.objectNode().put("id", UUID.randomUUID().toString()).put("phase", "Active")
                .put("targetPhase", "Running");
        ArrayNode tasks = plan.putArray("tasks");
        for (String t : UPDATE_TASKS) {
            tasks.addObject().put("type", t).put("id", UUID.randomUUID().toString()).put("status", "Pending");
        }
        return plan;
    }

    /** Runs the plan's tasks in order until one has to wait ({@code internal/planner/executor.go}). */
    private void executePlan(ObjectNode plan, ObjectNode status, String image, StatefulSet sts,
            StatefulSetFactory statefulSets) {
        ArrayNode tasks = (ArrayNode) plan.get("tasks");
        for (int i = 0; i < tasks.size(); i++) {
            ObjectNode task = (ObjectNode) tasks.get(i);
            if ("Complete".equals(task.path("status").asText())) {
                continue;
            }
            String type = task.path("type").asText();
            boolean done;
            switch (type) {
                case "replace-pod" -> {
                    String error = image == null ? null : failingImages.get(image);
                    if (error != null) {
                        task.put("status", "Failed").put("error", error);
                        plan.put("phase", "Failed").put("failedTaskIndex", i);
                        plan.set("failedTaskDetail", JSON.objectNode().put("type", type)
                                .put("id", task.path("id").asText()).put("error", error).put("retryCount", 0)
                                .put("maxRetries", 0));
                        return;
                    }
                    done = statefulSets.replaceOldRevisionPods(sts);
                }
                case "observe-image" -> {
                    // Only observes, as upstream does (internal/task/observe_image.go at 2d670ad8): done once the
                    // StatefulSet reports every replica at its update revision, then stamps status.currentImage with
                    // the spec.image of now. It deletes no pod. A spec.image changed while the plan waits here (a
                    // rollback of a too-new image whose pod never turns ready) is not re-planned either: ResolvePlan
                    // returns early while a plan is Active (internal/planner/planner.go at 2d670ad8). The StatefulSet
                    // (OnDelete) gets the new template, the pod stays at the revision this plan rolled, and the plan
                    // waits until someone deletes that pod — the actuator does (KubeStepExecutor.deletePod, only
                    // when the controller's replace-pod of the active plan has already run).
                    done = statefulSets.allReplicasUpdated(sts);
                    if (done) {
                        status.put("currentImage", image);
                    }
                }
                default -> done = true; // apply-statefulset (done every reconcile), apply-service, mark-ready
            }
            if (!done) {
                task.put("status", "Running");
                return;
            }
            task.put("status", "Complete");
        }
        plan.put("phase", "Complete");
        setPhase(status, "Running");
    }

    private static String failureOf(JsonNode plan) {
        JsonNode detail = plan.path("failedTaskDetail");
        return detail.path("type").asText("task") + ": " + detail.path("error").asText("failed");
    }

    private void setPhase(ObjectNode status, String phase) {
        if (!phase.equals(status.path("phase").asText())) {
            status.put("phase", phase);
            status.put("phaseTransitionTime", now());
        }
    }

    // ------------------------------------------------------------------ SeiNetwork

    /**
     * One reconcile of the SeiNetwork {@code name} ({@code internal/controller/seinetwork/controller.go}): seeds
     * its Paused condition, syncs {@code spec.paused} to every child, then — unless paused — creates each child
     * {@code NAME-ORDINAL} with a controller ownerReference, or rewrites the child's labels, annotations,
     * {@code spec.image}, sidecar, podLabels and overrides when they differ ({@code nodes.go}); finally its status:
     * {@code nodes[]} with each child's phase and {@code currentImage}, ready and up-to-date counts, phase, and
     * the conditions NodesReady, RolloutInProgress and Paused ({@code status.go}).
     *
     * @return the names of its children
     */
    List<String> reconcileSeiNetwork(String name) {
        GenericKubernetesResource network = seiNetworks().withName(name).get();
        if (network == null) {
            return List.of();
        }
        ObjectNode object = Serialization.jsonMapper().valueToTree(network);
        ObjectNode before = object.path("status").isObject() ? ((ObjectNode) object.get("status")).deepCopy()
                : JSON.objectNode();
        ObjectNode status = before.deepCopy();
        long generation = network.getMetadata().getGeneration() == null ? 1 : network.getMetadata().getGeneration();
        JsonNode spec = object.path("spec");
        boolean paused = spec.path("paused").asBoolean(false);
        int replicas = spec.path("replicas").asInt(1);
        setCondition(status, SeiResources.CONDITION_PAUSED, paused ? "True" : "False", paused ? "Paused" : "NotPaused",
                paused ? "spec.paused is true; plan-driven orchestration is frozen" : "spec.paused is unset or false",
                generation);
        for (GenericKubernetesResource child : children(network)) {
            Object childPaused = child.get("spec", "paused");
            if (Boolean.TRUE.equals(childPaused) != paused) {
                setSpec(child, "paused", paused);
                updateChild(child);
            }
        }
        if (!paused) {
            for (int ordinal = 0; ordinal < replicas; ordinal++) {
                ensureChild(network, ordinal);
            }
        }
        List<GenericKubernetesResource> children = children(network);
        String image = spec.path("image").asText();
        int ready = 0;
        int upToDate = 0;
        ArrayNode nodes = JSON.arrayNode();
        List<String> names = new ArrayList<>();
        for (GenericKubernetesResource child : children) {
            String phase = Objects.toString(child.get("status", "phase"), null);
            String current = Objects.toString(child.get("status", "currentImage"), null);
            if ("Running".equals(phase)) {
                ready++;
            }
            if (image.equals(current)) {
                upToDate++;
            }
            ObjectNode n = nodes.addObject().put("name", child.getMetadata().getName());
            if (phase != null) {
                n.put("phase", phase);
            }
            if (current != null) {
                n.put("currentImage", current);
            }
            names.add(child.getMetadata().getName());
        }
        status.put("observedGeneration", generation);
        status.put("replicas", replicas);
        status.put("readyReplicas", ready);
        status.put("upToDateReplicas", upToDate);
        status.set("nodes", nodes);
        status.put("phase", paused ? "Paused" : children.isEmpty() ? "Pending" : ready == replicas ? "Ready"
                : "Initializing");
        setCondition(status, "NodesReady", ready == replicas ? "True" : "False",
                ready == replicas ? "AllNodesReady" : "NodesInitializing", ready + "/" + replicas + " nodes ready",
                generation);
        boolean rolling = !children.isEmpty() && upToDate < replicas;
        setCondition(status, SeiResources.CONDITION_ROLLOUT_IN_PROGRESS, rolling ? "True" : "False",
                rolling ? "ImageRolling" : "AllUpToDate", upToDate + "/" + replicas + " replicas on spec.image",
                generation);
        flushStatus(SeiResources.SEINETWORK_PLURAL, name, network.getMetadata().getResourceVersion(), before,
                status);
        return names;
    }

    private void ensureChild(GenericKubernetesResource network, int ordinal) {
        String networkName = network.getMetadata().getName();
        String childName = networkName + "-" + ordinal;
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("sei.io/nodedeployment", networkName);
        labels.put("sei.io/nodedeployment-ordinal", Integer.toString(ordinal));
        labels.put(SeiResources.LABEL_SEINETWORK, networkName);
        labels.put(SeiResources.LABEL_SEINETWORK_ORDINAL, Integer.toString(ordinal));
        labels.put("sei.io/role", "validator");
        String image = (String) network.get("spec", "image");
        Object podLabels = network.get("spec", "podLabels");
        Map<String, String> wantedPodLabels = new LinkedHashMap<>();
        if (podLabels instanceof Map<?, ?> m) {
            m.forEach((k, v) -> wantedPodLabels.put(String.valueOf(k), String.valueOf(v)));
        }
        wantedPodLabels.put("sei.io/nodedeployment", networkName);
        wantedPodLabels.put(SeiResources.LABEL_SEINETWORK, networkName);
        Object overrides = network.get("spec", "configOverrides");
        GenericKubernetesResource existing = seiNodes().withName(childName).get();
        if (existing == null) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("chainId", (Object) network.get("spec", "genesis", "chainId"));
            spec.put("image", image);
            spec.put("podLabels", wantedPodLabels);
            if (overrides instanceof Map<?, ?>) {
                spec.put("overrides", overrides);
            }
            spec.put("paused", Boolean.TRUE.equals(network.get("spec", "paused")));
            Object chainId = network.get("spec", "genesis", "chainId");
            spec.put("validator", Map.of("genesisCeremony", Map.<String, Object>of("chainId", chainId,
                    "index", ordinal)));
            OwnerReference owner = new OwnerReferenceBuilder().withApiVersion(SeiResources.API_VERSION)
                    .withKind(SeiResources.SEINETWORK_KIND).withName(networkName)
                    .withUid(network.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
            GenericKubernetesResource child = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                    .withApiVersion(SeiResources.API_VERSION).withKind(SeiResources.SEINODE_KIND)
                    .withNewMetadata().withName(childName).withNamespace(namespace)
                    .withUid(UUID.randomUUID().toString()).withGeneration(1L).withLabels(labels)
                    .withOwnerReferences(owner).endMetadata()
                    .withAdditionalProperties(Map.of("spec", spec)).build();
            seiNodes().resource(child).create();
            LOG.info("simulated SeiNetwork controller: created SeiNode {}", childName);
            return;
        }
        boolean updated = false;
        if (!Objects.equals(orEmpty(existing.getMetadata().getLabels()), labels)) {
            existing.getMetadata().setLabels(labels);
            updated = true;
        }
        if (!orEmpty(existing.getMetadata().getAnnotations()).isEmpty()) {
            existing.getMetadata().setAnnotations(null); // seiNodeAnnotations: none
            updated = true;
        }
        if (!Objects.equals(existing.get("spec", "image"), image)) {
            setSpec(existing, "image", image);
            updated = true;
        }
        if (!Objects.equals(existing.get("spec", "podLabels"), wantedPodLabels)) {
            setSpec(existing, "podLabels", wantedPodLabels);
            updated = true;
        }
        Object wantedOverrides = overrides instanceof Map<?, ?> ? overrides : null;
        if (!Objects.equals(existing.get("spec", "overrides"), wantedOverrides)) {
            setSpec(existing, "overrides", wantedOverrides);
            updated = true;
        }
        if (updated) {
            updateChild(existing);
        }
    }

    private void updateChild(GenericKubernetesResource child) {
        long generation = child.getMetadata().getGeneration() == null ? 1 : child.getMetadata().getGeneration();
        child.getMetadata().setGeneration(generation + 1);
        try {
            seiNodes().resource(child).update();
            LOG.info("simulated SeiNetwork controller: rewrote SeiNode {} from its network (image {})",
                    child.getMetadata().getName(), child.get("spec", "image").toString());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            LOG.debug("simulated SeiNetwork controller: SeiNode {} changed meanwhile; next reconcile",
                    child.getMetadata().getName());
        }
    }

    @SuppressWarnings("unchecked")
    private static void setSpec(GenericKubernetesResource object, String field, Object value) {
        Object spec = object.getAdditionalProperties().get("spec");
        Map<String, Object> m = spec instanceof Map<?, ?> ? new LinkedHashMap<>((Map<String, Object>) spec)
                : new LinkedHashMap<>();
        if (value == null) {
            m.remove(field);
        } else {
            m.put(field, value);
        }
        object.getAdditionalProperties().put("spec", m);
    }

    private List<GenericKubernetesResource> children(GenericKubernetesResource network) {
        List<GenericKubernetesResource> out = new ArrayList<>();
        for (GenericKubernetesResource n : seiNodes().withLabel(SeiResources.LABEL_SEINETWORK,
                network.getMetadata().getName()).list().getItems()) {
            List<OwnerReference> refs = n.getMetadata().getOwnerReferences();
            if (refs != null && refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController())
                    && network.getMetadata().getUid().equals(r.getUid()))) {
                out.add(n);
            }
        }
        out.sort((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()));
        return out;
    }

    // ------------------------------------------------------------------ status writes

    /** The controller's single status patch per reconcile, only when the status changed. */
    private void flushStatus(String plural, String name, String resourceVersion, ObjectNode before,
            ObjectNode status) {
        if (before.toString().equals(status.toString())) { // text: 2 read back is an int, 2L written a long
            return;
        }
        ObjectNode patch = JSON.objectNode();
        patch.putObject("metadata").put("resourceVersion", resourceVersion);
        ObjectNode body = status.deepCopy();
        for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!status.has(field)) {
                body.putNull(field);
            }
        }
        patch.set("status", body);
        try {
            client.genericKubernetesResources(context(plural)).inNamespace(namespace).withName(name)
                    .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            statusConflicts.incrementAndGet();
            LOG.debug("simulated Sei controller: status of {} {} changed meanwhile (409); next reconcile", plural,
                    name);
        }
    }

    /** {@code apimeta.SetStatusCondition}: lastTransitionTime moves only when the status changes. */
    private void setCondition(ObjectNode status, String type, String value, String reason, String message,
            long generation) {
        ArrayNode conditions = status.path("conditions").isArray() ? (ArrayNode) status.get("conditions")
                : status.putArray("conditions");
        for (JsonNode c : conditions) {
            if (type.equals(c.path("type").asText())) {
                ObjectNode o = (ObjectNode) c;
                if (!value.equals(o.path("status").asText())) {
                    o.put("status", value);
                    o.put("lastTransitionTime", now());
                }
                o.put("reason", reason).put("message", message).put("observedGeneration", generation);
                return;
            }
        }
        conditions.addObject().put("type", type).put("status", value).put("observedGeneration", generation)
                .put("lastTransitionTime", now()).put("reason", reason).put("message", message);
    }

    private static JsonNode findCondition(ObjectNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return c;
            }
        }
        return null;
    }

    private String now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }

    private io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> seiNodesAll() {
        return client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT);
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> seiNodes() {
        return seiNodesAll().inNamespace(namespace);
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> seiNetworks() {
        return client.genericKubernetesResources(InMemoryKubernetes.SEINETWORK_CONTEXT).inNamespace(namespace);
    }

    private static io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext context(String plural) {
        return SeiResources.SEINETWORK_PLURAL.equals(plural) ? InMemoryKubernetes.SEINETWORK_CONTEXT
                : InMemoryKubernetes.SEINODE_CONTEXT;
    }

    /** What a SeiNode reconcile needs of the StatefulSet layer (the fleet's simulated StatefulSet controller). */
    interface StatefulSetFactory {
        /** Creates or updates the SeiNode's StatefulSet: template image and replicas. */
        StatefulSet apply(GenericKubernetesResource seiNode, String image, int replicas);

        /** The seid image of the StatefulSet's pod, when it has one. */
        Optional<String> podImage(StatefulSet sts);

        /** {@code replace-pod}: deletes pods at an old revision; true when the task is complete. */
        boolean replaceOldRevisionPods(StatefulSet sts);

        /** {@code observe-image}: every replica at the update revision. */
        boolean allReplicasUpdated(StatefulSet sts);
    }

    static boolean hasRevision(Pod pod, String revision) {
        return pod.getMetadata().getLabels() != null
                && revision.equals(pod.getMetadata().getLabels().get(REVISION_LABEL));
    }
}
