package io.haltsupervisor.schemas;

/**
 * Every Kubernetes annotation and label name halt-supervisor reads or writes on its own behalf, declared once:
 * the pollers read them, the actuator writes them, the sandbox, dev mode and the manifests use the same strings.
 * Our own keys carry the prefix {@value #PREFIX}; the Sei controller's labels are in {@link SeiResources}.
 * docs/operations.md ("Trying it on your own objects") tells users what each means.
 */
public final class KubeNames {
    /** The prefix of every annotation and label key that is ours. */
    public static final String PREFIX = "halt-supervisor.io/";

    /** On a pod: the {@code /status} URL to poll, instead of the pod IP and the {@code rpc} port. */
    public static final String STATUS_URL_ANNOTATION = PREFIX + "status-url";
    /** On a plain workload (no status of its own to hold conditions): our {@code Upgrading} condition, as JSON. */
    public static final String CONDITION_ANNOTATION = PREFIX + "condition-upgrading";
    /** On a quarantined workload: its replica count before we scaled it to 0. */
    public static final String QUARANTINE_PREVIOUS_REPLICAS_ANNOTATION = PREFIX + "quarantine-previous-replicas";
    /** On a quarantined workload: why it is quarantined. */
    public static final String QUARANTINE_REASON_ANNOTATION = PREFIX + "quarantine-reason";
    /** On a ConfigMap: holds image mappings for the pollers' mapping sync (value {@code true}). */
    public static final String IMAGE_MAPPINGS_LABEL = PREFIX + "image-mappings";

    /** The well-known label naming the application; {@code seid} pods carry {@code seid} by default. */
    public static final String APP_NAME_LABEL = "app.kubernetes.io/name";
    /** The well-known label naming the instance (one node) among an application's pods. */
    public static final String APP_INSTANCE_LABEL = "app.kubernetes.io/instance";
    /** The well-known label naming who manages an object: on the Events we create. */
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

    private KubeNames() {
    }
}
