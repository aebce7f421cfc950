package io.haltsupervisor.actuator.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.haltsupervisor.actuator.plan.TargetKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import io.haltsupervisor.schemas.SeiResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds what a node id ({@code namespace/name}) names, and where each kind of change to it lasts — the one place
 * that resolves targets and their owner chain:
 * <ul>
 *   <li>the {@code SeiNode} of that name when the SeiNode CRD is installed (detected once, at start); when its
 *       controller ownerReference names a {@code SeiNetwork}, that network too — the network rewrites the
 *       child's labels, annotations, {@code spec.image} and {@code spec.paused} on every reconcile
 *       (sei-k8s-controller {@code internal/controller/seinetwork/nodes.go} at 2d670ad8), so the node's image
 *       lasts only on the network ({@link Target#imageHolder()});</li>
 *   <li>else the StatefulSet, else the Deployment of that name.</li>
 * </ul>
 */
public final class KubeTargets {
    public static final String SEI_GROUP = SeiResources.GROUP;
    public static final String SEI_VERSION = SeiResources.VERSION;
    public static final String SEINODE_CRD = SeiResources.SEINODE_CRD;
    public static final CustomResourceDefinitionContext SEINODE = new CustomResourceDefinitionContext.Builder()
            .withGroup(SEI_GROUP).withVersion(SEI_VERSION).withKind(SeiResources.SEINODE_KIND)
            .withPlural(SeiResources.SEINODE_PLURAL).withScope("Namespaced").build();
    public static final CustomResourceDefinitionContext SEINETWORK = new CustomResourceDefinitionContext.Builder()
            .withGroup(SEI_GROUP).withVersion(SEI_VERSION).withKind(SeiResources.SEINETWORK_KIND)
            .withPlural(SeiResources.SEINETWORK_PLURAL).withScope("Namespaced").build();

    private static final Logger LOG = LoggerFactory.getLogger(KubeTargets.class);

    /**
     * The configuration the actuator talks to the API with: {@code given}'s (server, credentials, TLS) with
     * fabric8's own request retries off — the actuator retries itself, so that every failed attempt is
     * recorded as {@code failed-retrying} and the backoff is its own — and {@code requestTimeout}.
     */
    public static Config actuatorConfig(Config given, Duration requestTimeout) {
        return new ConfigBuilder(given).withRequestRetryBackoffLimit(0)
                .withRequestTimeout((int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis())).build();
    }

    /** A new client (the caller closes it) on {@link #actuatorConfig} of {@code given}'s configuration. */
    public static KubernetesClient actuatorClient(KubernetesClient given, Duration requestTimeout) {
        return new KubernetesClientBuilder().withConfig(actuatorConfig(given.getConfiguration(), requestTimeout))
                .build();
    }

    private final KubernetesClient client;
    private volatile boolean seiNodesInstalled;

    public KubeTargets(KubernetesClient client) {
        this.client = client;
    }

    public KubernetesClient client() {
        return client;
    }

    /**
     * Detects whether the SeiNode CRD ({@value #SEINODE_CRD}) is installed. Needs {@code get} on that one
     * CustomResourceDefinition; any error other than "not found" is thrown, because guessing wrong would
     * patch the workloads a SeiNode controller owns.
     */
    public boolean detect() {
        seiNodesInstalled = client.apiextensions().v1().customResourceDefinitions().withName(SEINODE_CRD).get() != null;
        LOG.info("Targets: {}", seiNodesInstalled
                ? "SeiNode CRD " + SEINODE_CRD + " installed: SeiNodes first, then StatefulSets and Deployments"
                : "no SeiNode CRD: StatefulSets and Deployments");
        return seiNodesInstalled;
    }

    public boolean seiNodesInstalled() {
        return seiNodesInstalled;
    }

    /**
     * Reads the node's object now.
     *
     * @throws KubernetesClientException when the API fails (other than "not found")
     */
    public Optional<Target> resolve(String nodeId) {
        int slash = nodeId.indexOf('/');
        String namespace = nodeId.substring(0, slash);
        String name = nodeId.substring(slash + 1);
        if (seiNodesInstalled) {
            GenericKubernetesResource node = client.genericKubernetesResources(SEINODE).inNamespace(namespace)
                    .withName(name).get();
            if (node != null) {
                String network = networkOwner(node);
                if (network == null) {
                    return Optional.of(new Target.SeiNodeTarget(node));
                }
                GenericKubernetesResource owner = client.genericKubernetesResources(SEINETWORK).inNamespace(namespace)
                        .withName(network).get();
                return Optional.of(new Target.SeiNodeTarget(node, network,
                        owner == null ? null : new Target.SeiNetworkTarget(owner)));
            }
        }
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        if (sts != null) {
            return Optional.of(Target.WorkloadTarget.of(sts));
        }
        Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
        if (deployment != null) {
            return Optional.of(Target.WorkloadTarget.of(deployment));
        }
        return Optional.empty();
    }

    /** The name of the SeiNetwork named by the object's controller ownerReference, or null. */
    static String networkOwner(HasMetadata object) {
        List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
        if (refs == null) {
            return null;
        }
        for (OwnerReference ref : refs) {
            if (Boolean.TRUE.equals(ref.getController()) && SeiResources.SEINETWORK_KIND.equals(ref.getKind())
                    && ref.getApiVersion() != null && ref.getApiVersion().startsWith(SEI_GROUP + "/")) {
                return ref.getName();
            }
        }
        return null;
    }

    /** The node's kind for planning; {@link TargetKind#MISSING} when not found or unreadable right now. */
    public TargetKind kindOf(String nodeId) {
        try {
            return resolve(nodeId).map(Target::kind).orElse(TargetKind.MISSING);
        } catch (KubernetesClientException e) {
            LOG.warn("Cannot read the target of node {} to plan (planning as {}): {}", nodeId, TargetKind.MISSING,
                    e.getMessage());
            return TargetKind.MISSING;
        }
    }

    /** What was looked for, for a "not found" failure. */
    public String notFound(String nodeId) {
        return "no " + (seiNodesInstalled ? "SeiNode, " : "") + "StatefulSet or Deployment " + nodeId;
    }
}
