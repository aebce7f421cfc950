package io.haltsupervisor.actuator.plan;

import java.util.List;
import java.util.Objects;

/**
 * One thing the actuator does for a decision. A decision's plan is an ordered list of steps whose
 * {@link #name()}s are unique within the plan: {@code (decisionId, name)} is the idempotence key under
 * which the step's outcome is recorded in {@code seid.action-results.v1}.
 *
 * <p>Steps say <em>what</em> the end state should be, not how to reach it: each executor reads the
 * current state first and reports {@code already-applied} when there is nothing to do, so that running
 * a step twice (after a crash between acting and recording) does no harm.
 */
public sealed interface Step {

    /** Unique within a plan; stable across runs for the same decision. */
    String name();

    /** A one-line description for logs, dry-run results and failure pages. */
    String describe();

    /** True when the step writes to the Kubernetes API (subject to namespace scope and dry-run). */
    default boolean changesCluster() {
        return !(this instanceof PageStep);
    }

    /**
     * True for steps that restart, stop or start a node: subject to the rate limit, the image allow-list
     * (for {@link SetImage}) and the stale-decision guard.
     */
    default boolean disruptive() {
        return this instanceof SetImage || this instanceof DeletePod || this instanceof Quarantine
                || this instanceof ReleaseQuarantine;
    }

    /**
     * True when the steps after this one only make sense if it succeeded: when a gate fails or is
     * refused, the remaining cluster steps of the decision are skipped (pages still go out).
     */
    default boolean gate() {
        return this instanceof SetImage || this instanceof Quarantine || this instanceof ReleaseQuarantine
                || this instanceof DeletePod;
    }

    /**
     * Set the node's image: {@code spec.image} of a SeiNode, or the {@code seid} container's image in a
     * StatefulSet's or Deployment's pod template. Guarded by a JSON Patch {@code test} op on the image
     * read just before; when {@code expectedImage} is given and the node runs something else (someone
     * changed it meanwhile), the step fails instead of overwriting.
     */
    record SetImage(String expectedImage, String targetImage) implements Step {
        public SetImage {
            Objects.requireNonNull(targetImage, "targetImage");
        }

        @Override
        public String name() {
            return "set-image";
        }

        @Override
        public String describe() {
            return "set image " + (expectedImage == null ? "" : expectedImage + " -> ") + targetImage;
        }
    }

    /**
     * Delete the node's (old) pod with a UID precondition, so that a pod already replaced is left alone.
     * Already applied when the pod is gone, has another UID, is terminating, or already runs
     * {@code unlessRunning}. When {@code unlessRunning} is set and the pod belongs to a StatefulSet, the pod
     * is deleted only once that StatefulSet's template carries that image (a SeiNode controller copies
     * {@code spec.image} there asynchronously; deleting earlier would recreate the pod on the old image).
     *
     * <p>{@code controllerFirst} (a SeiNode's pod): the SeiNode controller replaces the pod itself, so the pod is
     * deleted only where it will not — when its update plan is active and that plan's {@code replace-pod} has
     * already run (a spec.image changed during the plan, e.g. a rollback of a too-new image, is not re-planned
     * and its pod is not replaced; sei-k8s-controller {@code internal/planner/planner.go},
     * {@code internal/task/observe_image.go} at 2d670ad8). Otherwise already applied: left to the controller.
     */
    record DeletePod(String podName, String podUid, String unlessRunning, boolean controllerFirst) implements Step {
        public DeletePod {
            Objects.requireNonNull(podName, "podName");
        }

        public DeletePod(String podName, String podUid, String unlessRunning) {
            this(podName, podUid, unlessRunning, false);
        }

        @Override
        public String name() {
            return "delete-pod";
        }

        @Override
        public String describe() {
            return "delete pod " + podName + (podUid == null ? "" : " (uid " + podUid + ")")
                    + (controllerFirst ? " unless its SeiNode controller replaces it" : "");
        }
    }

    /**
     * Confirm that a SeiNode's controller rolled out {@code targetImage}: read the SeiNode (a network's child
     * included) until its {@code status.currentImage} is that image with no update in progress — applied — or its
     * controller's {@code NodeUpdateInProgress} condition says {@code UpdateFailed} for the current spec — failed,
     * with the controller's message, which raises the action-failed page — or the rollout timeout passes — failed.
     * Reads only; the last step of an image plan on a SeiNode.
     */
    record ConfirmRollout(String targetImage) implements Step {
        public ConfirmRollout {
            Objects.requireNonNull(targetImage, "targetImage");
        }

        @Override
        public String name() {
            return "rollout";
        }

        @Override
        public String describe() {
            return "confirm the SeiNode controller rolled out " + targetImage;
        }
    }

    /**
     * Confirm that an image change on a StatefulSet or Deployment holds: read the workload (and its pods) every
     * hold poll interval for the hold window. Applied when the pod template kept {@code targetImage} for the whole
     * window — for a StatefulSet the detail says whether the pod that replaced {@code podName} (uid {@code podUid})
     * was seen running it (a Deployment's rollout replaces its pods; they are not checked). When another writer sets the image back (a GitOps tool's self-heal), or the replacement pod came up on
     * another image, the change is re-applied once (the template, and the wrong pod deleted with a UID
     * precondition) and watched for a new window; set back again: {@code reverted}, naming the writer from
     * {@code metadata.managedFields}. The last step of an image plan on a workload.
     */
    record ConfirmHold(String targetImage, String podName, String podUid) implements Step {
        public ConfirmHold {
            Objects.requireNonNull(targetImage, "targetImage");
        }

        @Override
        public String name() {
            return "hold";
        }

        @Override
        public String describe() {
            return "confirm the pod template keeps " + targetImage + " and the replacement pod runs it";
        }
    }

    /**
     * Quarantine the node: a SeiNode gets {@code spec.paused=true}; a StatefulSet or Deployment is scaled to
     * 0 with its previous replica count and the reason kept in annotations, so that a release restores it.
     */
    record Quarantine(String reason) implements Step {
        public Quarantine {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String name() {
            return "quarantine";
        }

        @Override
        public String describe() {
            return "quarantine (pause the SeiNode or scale the workload to 0): " + reason;
        }
    }

    /** Undo {@link Quarantine}: unpause the SeiNode, or restore the replica count kept in the annotation. */
    record ReleaseQuarantine(String by) implements Step {
        @Override
        public String name() {
            return "release-quarantine";
        }

        @Override
        public String describe() {
            return "release the quarantine (unpause or restore replicas)" + (by == null ? "" : ", by " + by);
        }
    }

    /**
     * Set the {@code Upgrading} condition ({@code metav1.Condition} semantics) on the SeiNode's status, or in
     * the workload's {@value Conditions#ANNOTATION} annotation. {@code status} null keeps the current status
     * (a note: reason and message change, lastTransitionTime does not), or {@code False} when there is none.
     */
    record SetCondition(Conditions.Status status, String reason, String message) implements Step {
        public SetCondition {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String name() {
            return "condition";
        }

        @Override
        public String describe() {
            return "condition " + Conditions.TYPE_UPGRADING + "=" + (status == null ? "(unchanged)" : status.name())
                    + " reason " + reason;
        }
    }

    /**
     * Record an {@code events.k8s.io/v1} Event regarding the SeiNode, or the pod (the workload when no pod is
     * known). Its name is derived from the decision id and the step, so a repeat is a no-op.
     */
    record EmitEvent(EventType type, String action, String reason, String note, String podName, String podUid)
            implements Step {
        public EmitEvent {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(note, "note");
            note = Text.truncateUtf8(note, Events.MAX_NOTE_BYTES);
        }

        @Override
        public String name() {
            return "event";
        }

        @Override
        public String describe() {
            return type.name() + " event " + action + "/" + reason;
        }
    }

    /**
     * Send (or acknowledge, or resolve) a page through one sink. {@code pages} has one page for a trigger;
     * an acknowledge or resolve may cover several of the incident's pages (halt, escalation, failure).
     */
    record PageStep(PageAction action, PagerSink sink, List<Page> pages, String purpose) implements Step {
        public PageStep {
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(sink, "sink");
            pages = List.copyOf(pages);
            if (pages.isEmpty()) {
                throw new IllegalArgumentException("a page step needs at least one page");
            }
            Objects.requireNonNull(purpose, "purpose");
        }

        @Override
        public String name() {
            return purpose + "-" + action.token() + ":" + sink.token();
        }

        @Override
        public String describe() {
            return action.token() + " " + sink.token() + " page " + pages.stream().map(Page::dedupKey).toList()
                    + (action == PageAction.TRIGGER ? " (" + pages.get(0).severity() + ")" : "");
        }
    }

    /** Kubernetes Event types. */
    enum EventType {
        Normal,
        Warning
    }
}
