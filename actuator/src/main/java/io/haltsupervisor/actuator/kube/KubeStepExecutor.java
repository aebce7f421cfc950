package io.haltsupervisor.actuator.kube;

import io.haltsupervisor.schemas.KubeNames;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.haltsupervisor.actuator.ActuatorConfig;
import io.haltsupervisor.actuator.ActuatorConfig.RolloutSettings;
import io.haltsupervisor.actuator.ActuatorPolicy;
import io.haltsupervisor.actuator.LaneWaits;
import io.haltsupervisor.actuator.StepOutcome;
import io.haltsupervisor.actuator.StepOutcome.Failed;
import io.haltsupervisor.actuator.StepOutcome.Refused;
import io.haltsupervisor.actuator.StepOutcome.Retriable;
import io.haltsupervisor.actuator.StepOutcome.Reverted;
import io.haltsupervisor.actuator.plan.Conditions;
import io.haltsupervisor.actuator.plan.Conditions.Condition;
import io.haltsupervisor.actuator.plan.Conditions.Upsert;
import io.haltsupervisor.actuator.plan.Events;
import io.haltsupervisor.actuator.plan.Step;
import io.haltsupervisor.actuator.plan.Step.ConfirmHold;
import io.haltsupervisor.actuator.plan.Step.ConfirmRollout;
import io.haltsupervisor.actuator.plan.Step.DeletePod;
import io.haltsupervisor.actuator.plan.Step.EmitEvent;
import io.haltsupervisor.actuator.plan.Step.Quarantine;
import io.haltsupervisor.actuator.plan.Step.ReleaseQuarantine;
import io.haltsupervisor.actuator.plan.Step.SetCondition;
import io.haltsupervisor.actuator.plan.Step.SetImage;
import io.haltsupervisor.actuator.plan.TargetKind;
import io.haltsupervisor.actuator.kube.Target.SeiNetworkTarget;
import io.haltsupervisor.actuator.kube.Target.SeiNodeTarget;
import io.haltsupervisor.schemas.SeiResources;
import io.haltsupervisor.actuator.kube.Target.WorkloadTarget;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Json;
import java.io.InterruptedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Carries out the cluster steps of a plan, one attempt at a time. Every step reads the current state first
 * and answers {@code already-applied} when there is nothing to do; every write carries a precondition (a
 * JSON Patch {@code test} op on the value read, or on {@code metadata.resourceVersion}; a UID precondition
 * on pod deletion), so a stale read never overwrites someone else's change. Transient API failures (409,
 * 429, 5xx, no response) come back as {@link Retriable}; the runner re-reads and tries again.
 */
public final class KubeStepExecutor {

    private static final DateTimeFormatter MICRO_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").withZone(ZoneOffset.UTC);
    private static final int HTTP_UNPROCESSABLE = 422;

    private final KubeTargets targets;
    private final KubernetesClient client;
    private final String containerName;
    private final ActuatorPolicy policy;
    private final DisruptionGate gate;
    private final Clock clock;
    private final String reportingInstance;
    private final Duration requestTimeout;
    private final RolloutSettings rollout;

    public KubeStepExecutor(KubeTargets targets, String containerName, ActuatorPolicy policy, DisruptionGate gate,
            Clock clock, String reportingInstance, Duration requestTimeout) {
        this(targets, containerName, policy, gate, clock, reportingInstance, requestTimeout, RolloutSettings.DEFAULT);
    }

    /** With {@code rollout}: how long and how often {@link ConfirmRollout} reads a SeiNode's controller status. */
    public KubeStepExecutor(KubeTargets targets, String containerName, ActuatorPolicy policy, DisruptionGate gate,
            Clock clock, String reportingInstance, Duration requestTimeout, RolloutSettings rollout) {
        this.rollout = rollout;
        this.targets = targets;
        this.client = targets.client();
        this.containerName = containerName;
        this.policy = policy;
        this.gate = gate;
        this.clock = clock;
        this.reportingInstance = reportingInstance;
        this.requestTimeout = requestTimeout;
    }

    /** One attempt at a cluster step of {@code decision}. */
    public StepOutcome execute(Decision decision, Step step) throws InterruptedException {
        try {
            if (step instanceof DeletePod p) {
                return deletePod(decision, p);
            }
            if (step instanceof ConfirmRollout r) {
                return confirmRollout(decision, r);
            }
            if (step instanceof ConfirmHold h) {
                return confirmHold(decision, h);
            }
            Optional<Target> found = targets.resolve(decision.nodeId());
            if (found.isEmpty()) {
                return new Failed(targets.notFound(decision.nodeId()));
            }
            Target target = found.get();
            if (step instanceof SetImage s) {
                return setImage(target, s);
            } else if (step instanceof Quarantine q) {
                return quarantine(target, q);
            } else if (step instanceof ReleaseQuarantine) {
                return release(target);
            } else if (step instanceof SetCondition c) {
                return setCondition(target, c);
            } else if (step instanceof EmitEvent e) {
                return emitEvent(decision, target, e);
            }
            throw new IllegalArgumentException("not a cluster step: " + step.name());
        } catch (KubernetesClientException e) {
            rethrowInterrupt(e);
            if (e.getCode() == HTTP_UNPROCESSABLE && (step instanceof Quarantine || step instanceof ReleaseQuarantine)) {
                // their only test op is on metadata.resourceVersion: someone (the SeiNode controller's status write)
                // wrote in between; the next attempt reads again and decides again
                return new Retriable(step.name() + ": the object changed between read and patch (JSON Patch test on"
                        + " metadata.resourceVersion failed); re-reading");
            }
            return classify(e);
        }
    }

    private StepOutcome setImage(Target node, SetImage s) throws InterruptedException {
        Target target = node.imageHolder();
        if (target == null) {
            return new Failed(node.ownerChain() + ": that SeiNetwork was not found, and the node's own spec.image would be"
                    + " rewritten by it; not patching the SeiNode");
        }
        String current;
        String imagePath;
        JsonPatchBuilder patch = new JsonPatchBuilder();
        if (target instanceof SeiNetworkTarget network) {
            if (!network.hasSpec()) {
                return new Failed(target.display() + " has no spec");
            }
            current = network.image();
            imagePath = SeiResources.NETWORK_SPEC_IMAGE;
        } else if (target instanceof SeiNodeTarget seiNode) {
            if (!seiNode.hasSpec()) {
                return new Failed(target.display() + " has no spec");
            }
            current = seiNode.image();
            imagePath = SeiResources.NODE_SPEC_IMAGE;
        } else {
            WorkloadTarget w = (WorkloadTarget) target;
            int index = w.containerIndex(containerName);
            if (index < 0) {
                return new Failed("no container named '" + containerName + "' in the pod template of "
                        + target.display() + " (ACTUATOR_CONTAINER_NAME)");
            }
            String containerPath = "/spec/template/spec/containers/" + index;
            patch.test(containerPath + "/name", containerName);
            current = w.containers().get(index).getImage();
            imagePath = containerPath + "/image";
        }
        String forWhom = target == node ? "" : " (the image of every node of the network; " + node.display()
                + " follows it)";
        if (s.targetImage().equals(current)) {
            return StepOutcome.alreadyApplied(target.display() + " already has image " + s.targetImage() + forWhom);
        }
        if (s.expectedImage() != null && !s.expectedImage().equals(current)) {
            return new Failed("image of " + target.display() + " changed meanwhile: expected " + s.expectedImage()
                    + ", found " + current + "; not overwriting it with " + s.targetImage());
        }
        Optional<String> refused = policy.refuseImage(current, s.targetImage());
        if (refused.isPresent()) {
            return new Refused(refused.get());
        }
        refused = gate.admit("set-image " + target.display());
        if (refused.isPresent()) {
            return new Refused(refused.get());
        }
        if (current == null) {
            patch.test("/metadata/resourceVersion", target.resourceVersion()).add(imagePath, s.targetImage());
        } else {
            patch.test(imagePath, current).replace(imagePath, s.targetImage());
        }
        try {
            jsonPatch(target, patch);
        } catch (KubernetesClientException e) {
            if (e.getCode() == HTTP_UNPROCESSABLE) {
                String what = "image of " + target.display() + " changed between read and patch (JSON Patch test on "
                        + current + " failed)";
                return s.expectedImage() == null ? new Failed(what + "; not overwriting it")
                        : new Retriable(what + "; re-reading");
            }
            throw e;
        }
        return StepOutcome.applied(target.display() + " image " + current + " -> " + s.targetImage() + forWhom);
    }

    private StepOutcome deletePod(Decision decision, DeletePod p) throws InterruptedException {
        String namespace = decision.nodeId().substring(0, decision.nodeId().indexOf('/'));
        Pod pod = client.pods().inNamespace(namespace).withName(p.podName()).get();
        String display = "pod " + namespace + "/" + p.podName();
        if (pod == null) {
            return StepOutcome.alreadyApplied(display + " is gone");
        }
        String uid = pod.getMetadata().getUid();
        if (p.podUid() != null && !p.podUid().equals(uid)) {
            return StepOutcome.alreadyApplied(display + " already replaced (uid " + p.podUid() + " gone, now " + uid + ")");
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return StepOutcome.alreadyApplied(display + " is already terminating");
        }
        if (p.unlessRunning() != null && pod.getSpec() != null && pod.getSpec().getContainers() != null) {
            for (Container c : pod.getSpec().getContainers()) {
                if (containerName.equals(c.getName()) && p.unlessRunning().equals(c.getImage())) {
                    return StepOutcome.alreadyApplied(display + " already runs " + p.unlessRunning());
                }
            }
        }
        if (p.controllerFirst()) {
            Optional<String> leftToController = leftToController(decision, display);
            if (leftToController.isPresent()) {
                return StepOutcome.alreadyApplied(leftToController.get());
            }
        }
        if (p.unlessRunning() != null) {
            Optional<String> waiting = templateNotYet(namespace, pod, p.unlessRunning());
            if (waiting.isPresent()) {
                return new Retriable(waiting.get());
            }
        }
        Optional<String> refused = gate.admit("delete-pod " + display);
        if (refused.isPresent()) {
            return new Refused(refused.get());
        }
        int code = deleteWithUidPrecondition(namespace, p.podName(), uid);
        if (code == 200 || code == 202) {
            return StepOutcome.applied("deleted " + display + " (uid " + uid + ")");
        }
        if (code == 404) {
            return StepOutcome.alreadyApplied(display + " is gone");
        }
        if (code == 409) {
            return new Retriable("UID precondition on " + display + " failed: the pod changed; re-reading");
        }
        return classifyCode(code, "deleting " + display);
    }

    /**
     * {@link ConfirmRollout}: reads the node's SeiNode every poll interval until its controller reports the image
     * rolled out ({@code status.currentImage} is it and {@code NodeUpdateInProgress} is not True) and the image has
     * held for the hold window since the step began: applied — a confirmation, whether or not it had to wait. Or the
     * controller reports {@code UpdateFailed} for the current spec (failed, with the controller's message), or the
     * rollout timeout passes (failed). When the object holding the image ({@link Target#imageHolder()}: the SeiNode,
     * or its SeiNetwork) no longer carries it, another writer set it back: re-applied once, then {@code reverted}
     * ({@link #revertedImage}). A failed read of the API is retried by the next poll within the timeout.
     */
    private StepOutcome confirmRollout(Decision decision, ConfirmRollout r) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + rollout.timeout().toNanos();
        long heldUntil = start + rollout.holdWindow().toNanos();
        String last = "not read yet";
        Reverted reapplied = null;
        while (true) {
            try {
                Optional<Target> found = targets.resolve(decision.nodeId());
                if (found.isEmpty() || !(found.get() instanceof SeiNodeTarget node)) {
                    return new Failed("no SeiNode " + decision.nodeId() + " to confirm the rollout of " + r.targetImage()
                            + " on");
                }
                Target holder = node.imageHolder();
                String held = holder instanceof SeiNetworkTarget n ? n.image()
                        : holder instanceof SeiNodeTarget n ? n.image() : null;
                if (holder != null && !r.targetImage().equals(held)) {
                    Reverted seen = revertedImage(node, holder, held, r.targetImage());
                    if (reapplied != null) {
                        return again(reapplied, seen);
                    }
                    Optional<String> refused = reapply(holder, held, r.targetImage());
                    if (refused.isPresent()) {
                        return new Reverted(seen.detail() + "; not re-applied: " + refused.get(), seen.revertedBy(),
                                seen.through());
                    }
                    reapplied = seen;
                    heldUntil = System.nanoTime() + rollout.holdWindow().toNanos();
                    last = "re-applied " + r.targetImage() + " once after: " + seen.detail();
                } else {
                    RolloutState state = rolloutState(node, r.targetImage());
                    if (state.outcome() instanceof StepOutcome.Done done && System.nanoTime() < heldUntil) {
                        last = done.detail() + "; watching that it holds";
                    } else if (state.outcome() != null) {
                        return reapplied == null || !(state.outcome() instanceof StepOutcome.Done done) ? state.outcome()
                                : StepOutcome.applied(done.detail() + "; held after one re-apply (" + reapplied.detail()
                                        + ")");
                    } else {
                        last = state.detail();
                    }
                }
            } catch (KubernetesClientException e) {
                rethrowInterrupt(e);
                last = "reading the SeiNode failed: " + e.getMessage();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new Failed("the SeiNode controller did not report " + r.targetImage() + " rolled out within "
                        + shown(rollout.timeout()) + " (" + ActuatorConfig.ROLLOUT_TIMEOUT + "): " + last);
            }
            LaneWaits.sleepNanos(Math.min(left, Math.min(rollout.pollInterval().toNanos(),
                    rollout.holdPollInterval().toNanos())));
        }
    }

    /**
     * {@link ConfirmHold} on a StatefulSet or Deployment: reads the workload and the replacement pod every hold poll
     * interval for the hold window. The template set back to another image, or a replacement pod up on another
     * image, is re-applied once (template patched back under a {@code test} op; the wrong pod deleted with a UID
     * precondition) and watched for a new window; seen again: {@code reverted}. Applied at the end of the window.
     */
    private StepOutcome confirmHold(Decision decision, ConfirmHold h) throws InterruptedException {
        String namespace = decision.nodeId().substring(0, decision.nodeId().indexOf('/'));
        long heldUntil = System.nanoTime() + rollout.holdWindow().toNanos();
        Reverted reapplied = null;
        boolean podReplacedAgain = false;
        String pod = "not read yet";
        String display = decision.nodeId();
        int failedReads = 0;
        while (true) {
            try {
                Optional<Target> found = targets.resolve(decision.nodeId());
                if (found.isEmpty() || !(found.get() instanceof WorkloadTarget w)) {
                    return new Failed("no StatefulSet or Deployment " + decision.nodeId() + " to confirm "
                            + h.targetImage() + " on");
                }
                int index = w.containerIndex(containerName);
                if (index < 0) {
                    return new Failed("no container named '" + containerName + "' in the pod template of "
                            + w.display() + " (ACTUATOR_CONTAINER_NAME)");
                }
                display = w.display();
                String image = w.containers().get(index).getImage();
                if (!h.targetImage().equals(image)) {
                    Reverted seen = revertedImage(w, w, image, h.targetImage());
                    if (reapplied != null) {
                        return again(reapplied, seen);
                    }
                    Optional<String> refused = reapply(w, image, h.targetImage());
                    if (refused.isPresent()) {
                        return new Reverted(seen.detail() + "; not re-applied: " + refused.get(), seen.revertedBy(),
                                seen.through());
                    }
                    reapplied = seen;
                    heldUntil = System.nanoTime() + rollout.holdWindow().toNanos();
                    continue;
                }
                PodSeen seen = replacementPod(namespace, w, h);
                pod = seen.detail();
                if (seen.otherImage() != null) {
                    // the replacement came up on the template as another writer had set it: the change did not hold
                    Reverted wrong = new Reverted(seen.detail() + ", created while the pod template of " + w.display()
                            + " did not carry " + h.targetImage() + (reapplied == null ? "" : " (" + reapplied.detail()
                            + ")"), reapplied == null ? null : reapplied.revertedBy(), w.ownerChain());
                    if (podReplacedAgain) {
                        return wrong;
                    }
                    Optional<String> refused = gate.admit("delete-pod " + namespace + "/" + h.podName());
                    if (refused.isPresent()) {
                        return new Reverted(wrong.detail() + "; not re-applied: " + refused.get(), wrong.revertedBy(),
                                wrong.through());
                    }
                    int code = deleteWithUidPrecondition(namespace, h.podName(), seen.otherUid());
                    if (code != 200 && code != 202 && code != 404 && code != 409) {
                        return classifyCode(code, "deleting pod " + namespace + "/" + h.podName()
                                + " that runs " + seen.otherImage());
                    }
                    podReplacedAgain = true;
                    heldUntil = System.nanoTime() + rollout.holdWindow().toNanos();
                    continue;
                }
                failedReads = 0;
            } catch (KubernetesClientException e) {
                rethrowInterrupt(e);
                if (++failedReads > 3) {
                    return classify(e);
                }
            }
            long left = heldUntil - System.nanoTime();
            if (left <= 0) {
                return StepOutcome.applied("the pod template of " + display + " kept " + h.targetImage()
                        + " for " + shown(rollout.holdWindow()) + " (" + ActuatorConfig.HOLD_WINDOW + "); " + pod
                        + (reapplied == null ? "" : "; held after one re-apply (" + reapplied.detail() + ")")
                        + (podReplacedAgain ? "; a replacement pod on the wrong image was deleted once" : ""));
            }
            LaneWaits.sleepNanos(Math.min(left, rollout.holdPollInterval().toNanos()));
        }
    }

    /** What the hold check saw of the pod that replaced the old one. {@code otherImage}: it runs that, not the target. */
    private record PodSeen(String detail, String otherImage, String otherUid) {
    }

    private PodSeen replacementPod(String namespace, WorkloadTarget w, ConfirmHold h) {
        if (w.kind() == TargetKind.DEPLOYMENT) {
            // its rollout replaces the pods through a new ReplicaSet; listing them would need RBAC the actuator
            // does not have (deploy/base/actuator-rbac.yaml: pods get, delete)
            return new PodSeen("the Deployment's rollout replaces its pods (not checked)", null, null);
        }
        if (h.podName() == null) {
            return new PodSeen("no pod named in the decision to check", null, null);
        }
        String display = "pod " + namespace + "/" + h.podName();
        Pod p = client.pods().inNamespace(namespace).withName(h.podName()).get();
        if (p == null) {
            return new PodSeen(display + " not recreated yet", null, null);
        }
        String uid = p.getMetadata().getUid();
        String image = imageOf(p);
        if (h.targetImage().equals(image)) {
            return new PodSeen(display + " (uid " + uid + ") runs " + h.targetImage(), null, null);
        }
        if (uid.equals(h.podUid()) || p.getMetadata().getDeletionTimestamp() != null) {
            return new PodSeen(display + " (uid " + uid + ") not replaced yet", null, null);
        }
        return new PodSeen(display + " (uid " + uid + ") came up on " + image + ", not " + h.targetImage(), image, uid);
    }

    private String imageOf(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return null;
        }
        for (Container c : pod.getSpec().getContainers()) {
            if (containerName.equals(c.getName())) {
                return c.getImage();
            }
        }
        return null;
    }

    /**
     * The image field of {@code holder} (the node's own object, or its SeiNetwork) now reads {@code found}, not
     * {@code target}: who wrote it ({@code metadata.managedFields}), and for a network's child, who rewrote the
     * child from it.
     */
    private Reverted revertedImage(Target node, Target holder, String found, String target) {
        boolean workload = holder instanceof WorkloadTarget;
        String field = workload ? "the " + containerName + " image of the pod template" : "spec.image";
        List<String> path = workload ? ManagedFields.templateImage(containerName) : ManagedFields.SPEC_IMAGE;
        Optional<ManagedFields.Owner> owner = ManagedFields.ownerOf(holder.object(), path)
                .filter(o -> !ManagedFields.MANAGER.equals(o.manager()));
        StringBuilder detail = new StringBuilder(field + " of " + holder.display() + " was set back from " + target
                + " to " + (found == null ? "(none)" : found) + " by ");
        detail.append(owner.map(ManagedFields.Owner::shown).orElse("a writer metadata.managedFields does not name"));
        String source = GitOpsLabels.describe(holder.object());
        if (source != null) {
            detail.append(", which manages it as ").append(source);
        }
        if (holder != node && node instanceof SeiNodeTarget child) {
            Optional<ManagedFields.Owner> childOwner = ManagedFields.ownerOf(child.object(), ManagedFields.SPEC_IMAGE);
            detail.append("; ").append(child.display()).append(" follows it (spec.image ")
                    .append(child.image() == null ? "(none)" : child.image())
                    .append(childOwner.map(o -> ", written by " + o.shown()).orElse("")).append(")");
        }
        return new Reverted(detail.toString(), owner.map(ManagedFields.Owner::manager).orElse(null), node.ownerChain());
    }

    /** The second time: the final outcome, naming both. */
    private static Reverted again(Reverted first, Reverted second) {
        return new Reverted(second.detail() + "; re-applied once after the first time (" + first.detail()
                + "), not again", second.revertedBy() != null ? second.revertedBy() : first.revertedBy(),
                second.through());
    }

    /**
     * The one re-apply: the image patched back on {@code holder} under a {@code test} op on what it holds now, through
     * the disruption gate. Empty when done; the reason when the gate refused.
     */
    private Optional<String> reapply(Target holder, String current, String target) throws InterruptedException {
        Optional<String> refused = gate.admit("re-apply image " + holder.display());
        if (refused.isPresent()) {
            return refused;
        }
        JsonPatchBuilder patch = new JsonPatchBuilder();
        String imagePath;
        if (holder instanceof WorkloadTarget w) {
            String containerPath = "/spec/template/spec/containers/" + w.containerIndex(containerName);
            patch.test(containerPath + "/name", containerName);
            imagePath = containerPath + "/image";
        } else {
            imagePath = holder instanceof SeiNetworkTarget ? SeiResources.NETWORK_SPEC_IMAGE
                    : SeiResources.NODE_SPEC_IMAGE;
        }
        if (current == null) {
            patch.test("/metadata/resourceVersion", holder.resourceVersion()).add(imagePath, target);
        } else {
            patch.test(imagePath, current).replace(imagePath, target);
        }
        try {
            jsonPatch(holder, patch);
        } catch (KubernetesClientException e) {
            if (e.getCode() != HTTP_UNPROCESSABLE) {
                throw e;
            }
            // it changed again between read and patch: the next read sees what it is now
        }
        return Optional.empty();
    }

    private static String shown(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** What the SeiNode's status says of the rollout of {@code image}: an outcome, or what it still waits for. */
    private record RolloutState(StepOutcome outcome, String detail) {
    }

    private static RolloutState rolloutState(SeiNodeTarget node, String image) {
        String current = node.currentImage();
        Map<String, Object> update = condition(node.conditions(), SeiResources.CONDITION_NODE_UPDATE_IN_PROGRESS);
        String updateStatus = update == null ? null : String.valueOf(update.get("status"));
        String updateReason = update == null ? null : String.valueOf(update.get("reason"));
        String shown = update == null ? "no " + SeiResources.CONDITION_NODE_UPDATE_IN_PROGRESS + " condition"
                : SeiResources.CONDITION_NODE_UPDATE_IN_PROGRESS + "=" + updateStatus + "/" + updateReason
                        + (update.get("message") == null ? "" : " (" + update.get("message") + ")");
        if (image.equals(current) && !"True".equals(updateStatus)) {
            return new RolloutState(StepOutcome.applied(node.ownerChain() + " status.currentImage is " + image
                    + "; " + shown), null);
        }
        boolean forThisSpec = image.equals(node.image()) && (update == null || !(update.get("observedGeneration")
                instanceof Number g) || node.generation() == null || g.longValue() >= node.generation());
        if ("False".equals(updateStatus) && SeiResources.REASON_UPDATE_FAILED.equals(updateReason) && forThisSpec) {
            return new RolloutState(new Failed("the SeiNode controller failed the update of " + node.ownerChain()
                    + " to " + image + ": " + SeiResources.CONDITION_NODE_UPDATE_IN_PROGRESS + "=False/"
                    + SeiResources.REASON_UPDATE_FAILED + ": " + update.get("message") + "; status.currentImage is still "
                    + (current == null ? "(none)" : current)), null);
        }
        String spec = image.equals(node.image()) ? "" : "spec.image is " + node.image() + " (not yet " + image + "), ";
        return new RolloutState(null, spec + "status.currentImage " + (current == null ? "(none)" : current) + ", "
                + shown);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> condition(List<?> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        for (Object c : conditions) {
            if (c instanceof Map<?, ?> m && type.equals(m.get("type"))) {
                return (Map<String, Object>) m;
            }
        }
        return null;
    }

    /**
     * Why a SeiNode's pod is left to its controller: it has no active update plan (it builds one on the new
     * {@code spec.image}, whose {@code replace-pod} deletes the pod), or its active plan's {@code replace-pod} has
     * not run yet (it will, against the StatefulSet revision of then). Empty when the active plan's
     * {@code replace-pod} already ran: that plan waits in {@code observe-image} for a pod nobody else deletes
     * (sei-k8s-controller {@code internal/planner/planner.go} {@code ResolvePlan} returns early while a plan is
     * Active; {@code internal/task/observe_image.go} only observes; both at 2d670ad8).
     */
    private Optional<String> leftToController(Decision decision, String display) {
        Optional<Target> found = targets.resolve(decision.nodeId());
        if (found.isEmpty() || !(found.get() instanceof SeiNodeTarget node)) {
            return Optional.empty();
        }
        Map<String, Object> status = node.status();
        Object plan = status == null ? null : status.get("plan");
        if (!(plan instanceof Map<?, ?> p) || !"Active".equals(p.get("phase"))) {
            return Optional.of(display + " left to the controller of " + node.ownerChain() + ": no update plan is"
                    + " active, and the one it builds for the new spec.image replaces the pod (replace-pod)");
        }
        boolean replaced = p.get("tasks") instanceof List<?> tasks && tasks.stream().anyMatch(t -> t instanceof Map<?, ?> m
                && SeiResources.TASK_REPLACE_POD.equals(m.get("type")) && "Complete".equals(m.get("status")));
        if (!replaced) {
            return Optional.of(display + " left to the controller of " + node.ownerChain() + ": its active update"
                    + " plan's replace-pod has not run yet and will replace the pod");
        }
        return Optional.empty();
    }

    /**
     * Why the pod must not be deleted yet: its StatefulSet's template does not carry {@code image} (so the
     * replacement would run the old image). Empty when it does, or when no StatefulSet owns the pod.
     */
    private Optional<String> templateNotYet(String namespace, Pod pod, String image) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners == null) {
            return Optional.empty();
        }
        for (OwnerReference owner : owners) {
            if (!"StatefulSet".equals(owner.getKind()) || !Boolean.TRUE.equals(owner.getController())) {
                continue;
            }
            StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(owner.getName()).get();
            if (sts == null || sts.getSpec() == null || sts.getSpec().getTemplate() == null
                    || sts.getSpec().getTemplate().getSpec() == null) {
                return Optional.empty();
            }
            for (Container c : sts.getSpec().getTemplate().getSpec().getContainers()) {
                if (containerName.equals(c.getName()) && !image.equals(c.getImage())) {
                    return Optional.of("StatefulSet " + namespace + "/" + owner.getName() + " still has " + c.getImage()
                            + " in its pod template, not " + image + ": waiting for its controller before deleting pod "
                            + pod.getMetadata().getName());
                }
            }
        }
        return Optional.empty();
    }

    /** DELETE with {@code preconditions.uid}: fabric8's delete offers only a resourceVersion precondition. */
    private int deleteWithUidPrecondition(String namespace, String name, String uid) throws InterruptedException {
        String base = client.getMasterUrl().toString();
        String url = (base.endsWith("/") ? base : base + "/") + "api/v1/namespaces/"
                + URLEncoder.encode(namespace, StandardCharsets.UTF_8) + "/pods/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8);
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"preconditions\":{\"uid\":"
                + Json.write(uid) + "}}";
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder().uri(url).delete("application/json", body)
                .timeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS).build();
        try {
            HttpResponse<String> response = http.sendAsync(request, String.class)
                    .get(requestTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return response.code();
        } catch (ExecutionException | TimeoutException e) {
            throw new KubernetesClientException("DELETE " + url + " failed: " + e, e);
        }
    }

    private StepOutcome quarantine(Target target, Quarantine q) throws InterruptedException {
        if (target.kind() == TargetKind.SEINETWORK_MEMBER) {
            return new Refused(target.ownerChain() + ": the SeiNetwork syncs spec.paused into every child on each"
                    + " reconcile, so pausing this node would be reverted, and pausing the network would stop all "
                    + replicasOf(target) + " of its validators; not done automatically. Judge the network's"
                    + " consensus, then pause the SeiNetwork or fix its image by hand");
        }
        Map<String, String> annotations = target.object().getMetadata().getAnnotations();
        JsonPatchBuilder patch = new JsonPatchBuilder().test("/metadata/resourceVersion", target.resourceVersion());
        if (target instanceof SeiNodeTarget node) {
            if (node.paused()) {
                return StepOutcome.alreadyApplied(target.display() + " is already paused");
            }
            if (!node.hasSpec()) {
                return new Failed(target.display() + " has no spec");
            }
            Optional<String> refused = gate.admit("quarantine " + target.display());
            if (refused.isPresent()) {
                return new Refused(refused.get());
            }
            patch.add("/spec/paused", true).setAnnotations(annotations, Map.of(KubeNames.QUARANTINE_REASON_ANNOTATION, q.reason()));
            jsonPatch(target, patch);
            return StepOutcome.applied(target.display() + " paused (spec.paused=true)");
        }
        WorkloadTarget w = (WorkloadTarget) target;
        int replicas = w.replicaCount();
        String previous = target.annotations().get(KubeNames.QUARANTINE_PREVIOUS_REPLICAS_ANNOTATION);
        if (replicas == 0 && previous != null) {
            return StepOutcome.alreadyApplied(target.display() + " is already scaled to 0 (previous replicas "
                    + previous + ")");
        }
        Map<String, String> marks = new LinkedHashMap<>();
        marks.put(KubeNames.QUARANTINE_PREVIOUS_REPLICAS_ANNOTATION, Integer.toString(replicas));
        marks.put(KubeNames.QUARANTINE_REASON_ANNOTATION, q.reason());
        patch.setAnnotations(annotations, marks);
        if (replicas == 0) {
            jsonPatch(target, patch);
            return StepOutcome.applied(target.display() + " was already at 0 replicas; marked quarantined");
        }
        Optional<String> refused = gate.admit("quarantine " + target.display());
        if (refused.isPresent()) {
            return new Refused(refused.get());
        }
        patch.add("/spec/replicas", 0);
        jsonPatch(target, patch);
        return StepOutcome.applied(target.display() + " scaled " + replicas + " -> 0 (previous count kept in "
                + KubeNames.QUARANTINE_PREVIOUS_REPLICAS_ANNOTATION + ")");
    }

    private StepOutcome release(Target target) throws InterruptedException {
        if (target.kind() == TargetKind.SEINETWORK_MEMBER) {
            return StepOutcome.alreadyApplied(target.ownerChain() + ": its spec.paused follows the SeiNetwork and"
                    + " the supervisor never pauses it; nothing to release");
        }
        Map<String, String> annotations = target.object().getMetadata().getAnnotations();
        JsonPatchBuilder patch = new JsonPatchBuilder().test("/metadata/resourceVersion", target.resourceVersion());
        if (target instanceof SeiNodeTarget node) {
            if (!node.paused()) {
                return StepOutcome.alreadyApplied(target.display() + " is not paused");
            }
            Optional<String> refused = gate.admit("release " + target.display());
            if (refused.isPresent()) {
                return new Refused(refused.get());
            }
            patch.replace("/spec/paused", false).removeAnnotations(annotations, KubeNames.QUARANTINE_REASON_ANNOTATION);
            jsonPatch(target, patch);
            return StepOutcome.applied(target.display() + " unpaused (spec.paused=false)");
        }
        WorkloadTarget w = (WorkloadTarget) target;
        String previous = target.annotations().get(KubeNames.QUARANTINE_PREVIOUS_REPLICAS_ANNOTATION);
        if (previous == null) {
            return StepOutcome.alreadyApplied(target.display() + " carries no " + KubeNames.QUARANTINE_PREVIOUS_REPLICAS_ANNOTATION
                    + " annotation: nothing to restore");
        }
        int restore;
        try {
            restore = Integer.parseInt(previous.trim());
            if (restore < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            return new Failed("annotation " + KubeNames.QUARANTINE_PREVIOUS_REPLICAS_ANNOTATION + " on " + target.display() + " holds '"
                    + previous + "': expected a replica count");
        }
        patch.removeAnnotations(annotations, KubeNames.QUARANTINE_PREVIOUS_REPLICAS_ANNOTATION, KubeNames.QUARANTINE_REASON_ANNOTATION);
        if (w.replicaCount() != 0) {
            jsonPatch(target, patch);
            return StepOutcome.applied(target.display() + " already runs " + w.replicaCount()
                    + " replicas; quarantine annotations removed");
        }
        Optional<String> refused = gate.admit("release " + target.display());
        if (refused.isPresent()) {
            return new Refused(refused.get());
        }
        patch.add("/spec/replicas", restore);
        jsonPatch(target, patch);
        return StepOutcome.applied(target.display() + " scaled 0 -> " + restore + " (restored from "
                + KubeNames.QUARANTINE_PREVIOUS_REPLICAS_ANNOTATION + ")");
    }

    private StepOutcome setCondition(Target target, SetCondition c) {
        JsonPatchBuilder patch = new JsonPatchBuilder().test("/metadata/resourceVersion", target.resourceVersion());
        if (target instanceof SeiNodeTarget node) {
            List<?> conditions = node.conditions();
            int index = -1;
            Condition current = null;
            if (conditions != null) {
                for (int i = 0; i < conditions.size(); i++) {
                    Object raw = conditions.get(i);
                    if (raw instanceof Map<?, ?> m && Conditions.TYPE_UPGRADING.equals(m.get("type"))) {
                        index = i;
                        current = Conditions.read(raw, Conditions.TYPE_UPGRADING);
                        break;
                    }
                }
            }
            Upsert up = Conditions.upsert(current, Conditions.TYPE_UPGRADING, c.status(), c.reason(), c.message(),
                    target.generation(), clock.instant());
            if (!up.changed()) {
                return StepOutcome.alreadyApplied(target.display() + " already has " + show(up.condition()));
            }
            if (node.status() == null) {
                patch.add("/status", Map.of("conditions", List.of(up.condition())));
            } else if (conditions == null) {
                patch.add("/status/conditions", List.of(up.condition()));
            } else if (index >= 0) {
                patch.replace("/status/conditions/" + index, up.condition());
            } else {
                patch.add("/status/conditions/-", up.condition());
            }
            try {
                client.genericKubernetesResources(KubeTargets.SEINODE).inNamespace(target.namespace())
                        .withName(target.name()).subresource("status")
                        // no fieldManager here: the in-memory API's store does not route a status write with a query
                        // string; who wrote our own condition is never asked
                        .patch(PatchContext.of(PatchType.JSON), patch.build());
            } catch (KubernetesClientException e) {
                if (e.getCode() == HTTP_UNPROCESSABLE) {
                    return new Retriable(target.display() + " changed while setting its condition; re-reading");
                }
                if (e.getCode() != 404) {
                    throw e;
                }
                // a SeiNode CRD without the status subresource: status is written with the object
                jsonPatch(target, patch);
            }
            return StepOutcome.applied(target.display() + " status condition " + show(up.condition()));
        }
        Condition current = null;
        String raw = target.annotations().get(KubeNames.CONDITION_ANNOTATION);
        if (raw != null) {
            try {
                current = Conditions.read(Json.MAPPER.readValue(raw, Map.class), Conditions.TYPE_UPGRADING);
            } catch (JsonProcessingException e) {
                current = null; // a mangled annotation is replaced by a valid one
            }
        }
        Upsert up = Conditions.upsert(current, Conditions.TYPE_UPGRADING, c.status(), c.reason(), c.message(),
                target.generation(), clock.instant());
        if (!up.changed()) {
            return StepOutcome.alreadyApplied(target.display() + " already has " + show(up.condition()));
        }
        patch.setAnnotations(target.object().getMetadata().getAnnotations(),
                Map.of(KubeNames.CONDITION_ANNOTATION, Json.write(up.condition())));
        try {
            jsonPatch(target, patch);
        } catch (KubernetesClientException e) {
            if (e.getCode() == HTTP_UNPROCESSABLE) {
                return new Retriable(target.display() + " changed while setting its condition; re-reading");
            }
            throw e;
        }
        return StepOutcome.applied(target.display() + " annotation " + KubeNames.CONDITION_ANNOTATION + " "
                + show(up.condition()));
    }

    private StepOutcome emitEvent(Decision decision, Target target, EmitEvent e) {
        ObjectReference regarding;
        ObjectReference related = null;
        ObjectReference pod = e.podName() == null ? null : new ObjectReferenceBuilder().withApiVersion("v1")
                .withKind("Pod").withNamespace(target.namespace()).withName(e.podName()).withUid(e.podUid()).build();
        if (target.kind().seiNode() || pod == null) {
            regarding = target.reference();
            related = pod;
        } else {
            regarding = pod;
            related = target.reference();
        }
        String name = Events.name(regarding.getName(), decision.decisionId(), e.name());
        Event event = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(target.namespace())
                .addToLabels(KubeNames.MANAGED_BY_LABEL, Events.REPORTING_CONTROLLER).endMetadata()
                .withEventTime(new MicroTime(MICRO_TIME.format(clock.instant())))
                .withReportingController(Events.REPORTING_CONTROLLER)
                .withReportingInstance(reportingInstance)
                .withAction(e.action())
                .withReason(e.reason())
                .withNote(e.note())
                .withType(e.type().name())
                .withRegarding(regarding)
                .withRelated(related)
                .build();
        try {
            client.events().v1().events().inNamespace(target.namespace()).resource(event).create();
        } catch (KubernetesClientException ex) {
            if (ex.getCode() == 409) {
                return StepOutcome.alreadyApplied("event " + target.namespace() + "/" + name + " already recorded");
            }
            throw ex;
        }
        return StepOutcome.applied(e.type() + " event " + target.namespace() + "/" + name + " " + e.action() + "/"
                + e.reason() + " regarding " + regarding.getKind() + " " + regarding.getName());
    }

    /** A JSON Patch under our field manager name, so that {@code metadata.managedFields} names us as the writer. */
    private static PatchContext jsonPatchContext() {
        return new PatchContext.Builder().withPatchType(PatchType.JSON).withFieldManager(ManagedFields.MANAGER).build();
    }

    private void jsonPatch(Target target, JsonPatchBuilder patch) {
        PatchContext json = jsonPatchContext();
        String body = patch.build();
        if (target instanceof SeiNetworkTarget) {
            client.genericKubernetesResources(KubeTargets.SEINETWORK).inNamespace(target.namespace())
                    .withName(target.name()).patch(json, body);
        } else if (target instanceof SeiNodeTarget) {
            client.genericKubernetesResources(KubeTargets.SEINODE).inNamespace(target.namespace())
                    .withName(target.name()).patch(json, body);
        } else if (target.kind() == TargetKind.STATEFULSET) {
            client.apps().statefulSets().inNamespace(target.namespace()).withName(target.name()).patch(json, body);
        } else if (target.kind() == TargetKind.DEPLOYMENT) {
            client.apps().deployments().inNamespace(target.namespace()).withName(target.name()).patch(json, body);
        } else {
            throw new IllegalStateException("cannot patch a " + target.kind());
        }
    }

    private static String replicasOf(Target member) {
        Target holder = member.imageHolder();
        return holder instanceof SeiNetworkTarget n && n.replicas() > 0 ? Integer.toString(n.replicas()) : "the";
    }

    private static String show(Condition c) {
        return c.type() + "=" + c.status() + " reason " + c.reason();
    }

    /** Maps an API failure to retriable (409, 429, 5xx, no response) or permanent. */
    static StepOutcome classify(KubernetesClientException e) {
        String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage();
        return classifyCode(e.getCode(), message);
    }

    static StepOutcome classifyCode(int code, String message) {
        if (code <= 0) {
            return new Retriable("no response from the Kubernetes API: " + message);
        }
        if (code == 409 || code == 429 || code == 408 || code >= 500) {
            return new Retriable("Kubernetes API answered " + code + ": " + message);
        }
        if (code == 401 || code == 403) {
            return new Failed("Kubernetes API answered " + code + " (check the actuator's RBAC, deploy/base/"
                    + "actuator-rbac.yaml): " + message);
        }
        return new Failed("Kubernetes API answered " + code + ": " + message);
    }

    private static void rethrowInterrupt(Throwable e) throws InterruptedException {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof InterruptedIOException && !(t
                    instanceof java.net.SocketTimeoutException)) {
                Thread.currentThread().interrupt();
                throw new InterruptedException("interrupted during a Kubernetes call");
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("interrupted during a Kubernetes call");
        }
    }
}
