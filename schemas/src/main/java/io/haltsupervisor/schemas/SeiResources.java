package io.haltsupervisor.schemas;

import java.util.List;

/**
 * The parts of sei-k8s-controller's API ({@code sei.io/v1alpha1}) halt-supervisor reads or writes, declared once.
 * Field names and meanings follow sei-protocol/sei-k8s-controller at commit 2d670ad8
 * ({@code api/v1alpha1/seinode_types.go}, {@code api/v1alpha1/seinetwork_types.go},
 * {@code internal/controller/seinetwork/labels.go}). The sandbox's CRDs must define every pointer in
 * {@link #FIELDS_USED}: a test fails if one does not, so a field we get wrong cannot reach a real cluster
 * unnoticed.
 *
 * <p>Pointers are JSON Pointers (RFC 6901) into the object; {@code *} stands for any element of a list.
 */
public final class SeiResources {
    public static final String GROUP = "sei.io";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;

    public static final String SEINODE_KIND = "SeiNode";
    public static final String SEINODE_PLURAL = "seinodes";
    public static final String SEINODE_CRD = SEINODE_PLURAL + "." + GROUP;
    public static final String SEINETWORK_KIND = "SeiNetwork";
    public static final String SEINETWORK_PLURAL = "seinetworks";
    public static final String SEINETWORK_CRD = SEINETWORK_PLURAL + "." + GROUP;

    /** The seid container of the pods the controller renders ({@code internal/noderesource/noderesource.go}). */
    public static final String SEID_CONTAINER = "seid";

    /** Label the SeiNetwork controller stamps on each child SeiNode: the network's name. */
    public static final String LABEL_SEINETWORK = "sei.io/seinetwork";
    /** Label the SeiNetwork controller stamps on each child SeiNode: its ordinal. */
    public static final String LABEL_SEINETWORK_ORDINAL = "sei.io/seinetwork-ordinal";

    /** The SeiNode controller's own condition while it rolls an image (reasons below). */
    public static final String CONDITION_NODE_UPDATE_IN_PROGRESS = "NodeUpdateInProgress";
    public static final String REASON_UPDATE_STARTED = "UpdateStarted";
    public static final String REASON_UPDATE_COMPLETE = "UpdateComplete";
    public static final String REASON_UPDATE_FAILED = "UpdateFailed";
    /** Both controllers mirror {@code spec.paused} into this condition. */
    public static final String CONDITION_PAUSED = "Paused";
    /** The SeiNetwork's derived condition: True while a child's {@code status.currentImage} lags {@code spec.image}. */
    public static final String CONDITION_ROLLOUT_IN_PROGRESS = "RolloutInProgress";

    // SeiNode
    public static final String NODE_SPEC_IMAGE = "/spec/image";
    public static final String NODE_SPEC_PAUSED = "/spec/paused";
    public static final String NODE_STATUS_CURRENT_IMAGE = "/status/currentImage";
    public static final String NODE_STATUS_PHASE = "/status/phase";
    public static final String NODE_STATUS_CONDITIONS = "/status/conditions";
    /** The controller's current task plan ({@code TaskPlan}): {@code phase} Active/Complete/Failed, {@code tasks[]}. */
    public static final String NODE_STATUS_PLAN = "/status/plan";
    /** The update plan's task that deletes the pods at the StatefulSet's old revision. */
    public static final String TASK_REPLACE_POD = "replace-pod";
    // SeiNetwork
    public static final String NETWORK_SPEC_IMAGE = "/spec/image";
    public static final String NETWORK_SPEC_PAUSED = "/spec/paused";
    public static final String NETWORK_SPEC_REPLICAS = "/spec/replicas";
    public static final String NETWORK_STATUS_NODES = "/status/nodes";
    public static final String NETWORK_STATUS_CONDITIONS = "/status/conditions";

    /** The fields of a {@code metav1.Condition} we read or write. */
    public static final List<String> CONDITION_FIELDS = List.of("type", "status", "reason", "message",
            "lastTransitionTime", "observedGeneration");

    /** A field halt-supervisor reads or writes: the CRD's plural and a pointer into its objects. */
    public record Field(String plural, String pointer) {
    }

    /** Every field of a Sei object halt-supervisor reads or writes (metadata aside, which every object has). */
    public static final List<Field> FIELDS_USED = fieldsUsed();

    private static List<Field> fieldsUsed() {
        List<Field> fields = new java.util.ArrayList<>(List.of(
                new Field(SEINODE_PLURAL, NODE_SPEC_IMAGE),
                new Field(SEINODE_PLURAL, NODE_SPEC_PAUSED),
                new Field(SEINODE_PLURAL, NODE_STATUS_CURRENT_IMAGE),
                new Field(SEINODE_PLURAL, NODE_STATUS_PHASE),
                new Field(SEINODE_PLURAL, NODE_STATUS_PLAN + "/phase"),
                new Field(SEINODE_PLURAL, NODE_STATUS_PLAN + "/tasks/*/type"),
                new Field(SEINODE_PLURAL, NODE_STATUS_PLAN + "/tasks/*/status"),
                new Field(SEINETWORK_PLURAL, NETWORK_SPEC_IMAGE),
                new Field(SEINETWORK_PLURAL, NETWORK_SPEC_PAUSED),
                new Field(SEINETWORK_PLURAL, NETWORK_SPEC_REPLICAS),
                new Field(SEINETWORK_PLURAL, NETWORK_STATUS_NODES + "/*/name"),
                new Field(SEINETWORK_PLURAL, NETWORK_STATUS_NODES + "/*/currentImage")));
        for (String f : CONDITION_FIELDS) {
            fields.add(new Field(SEINODE_PLURAL, NODE_STATUS_CONDITIONS + "/*/" + f));
            fields.add(new Field(SEINETWORK_PLURAL, NETWORK_STATUS_CONDITIONS + "/*/" + f));
        }
        return List.copyOf(fields);
    }

    private SeiResources() {
    }
}
