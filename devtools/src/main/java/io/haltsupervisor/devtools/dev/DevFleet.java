package io.haltsupervisor.devtools.dev;

import io.haltsupervisor.schemas.KubeNames;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.haltsupervisor.devtools.LiveView;
import io.haltsupervisor.sandbox.fleet.ChainModel;
import io.haltsupervisor.sandbox.fleet.NodeSpec;
import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import io.haltsupervisor.sandbox.fleet.SimulatedNetwork;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.PodStateObserved;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated fleet of {@code dev}: N nodes on the (in-memory) Kubernetes API with real loopback
 * {@code /status} servers, a chain with two upgrades ({@code v6} at {@value #V6_HEIGHT}, {@code v7} at
 * {@value #V7_HEIGHT}), the image-mapping ConfigMap, and the drivers that push scenario nodes through
 * their stories (an operator's mistaken image change, a mapping published late).
 */
public final class DevFleet implements AutoCloseable {
    public static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    public static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    public static final String V7 = "ghcr.io/sei-protocol/seid:v7.0.0";
    public static final long V6_HEIGHT = 1_000_000L;
    public static final long V7_HEIGHT = 2_000_000L;
    public static final String MAPPING_CONFIGMAP = "seid-image-mappings";
    /** Sei's pace: the default of {@code dev --block-time}. */
    public static final Duration BLOCK_TIME = Duration.ofMillis(400);
    static final Duration MISTAKE_DELAY = Duration.ofSeconds(3);

    private static final Logger LOG = LoggerFactory.getLogger(DevFleet.class);

    private final KubernetesClient client;
    private final SimulatedSeidServer seids;
    private final SimulatedFleet fleet;
    private final ScheduledExecutorService drivers;
    private final Map<String, Scenario> scenarioByNode = new LinkedHashMap<>();
    private final Set<String> driven = ConcurrentHashMap.newKeySet();

    private DevFleet(KubernetesClient client, SimulatedSeidServer seids, SimulatedFleet fleet) {
        this.client = client;
        this.seids = seids;
        this.fleet = fleet;
        this.drivers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dev-scenarios");
            t.setDaemon(true);
            return t;
        });
    }

    /** The chain every simulated node follows. */
    public static ChainModel chain() {
        return new ChainModel(
                List.of(new ChainModel.Upgrade("v6", V6_HEIGHT, "{\"binaries\":{}}"),
                        new ChainModel.Upgrade("v7", V7_HEIGHT, "{\"binaries\":{}}")),
                Map.of(V5, 0, V6, 1, V7, 2));
    }

    /**
     * Creates the namespace, the mapping ConfigMap ({@code v6} only: {@code v7}'s mapping is what the
     * missing-mapping scenario publishes late), the scenario nodes and healthy nodes up to {@code size}.
     */
    public static DevFleet start(KubernetesClient client, int size, List<Scenario> scenarios, Duration tick,
            Duration restartBackoff, Duration blockTime) {
        if (client.namespaces().withName(SimulatedFleet.NAMESPACE).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                    .withName(SimulatedFleet.NAMESPACE).endMetadata().build()).create();
        }
        if (client.apiextensions().v1().customResourceDefinitions().withName(InMemoryKubernetes.SEINODE_CRD_NAME)
                .get() == null) {
            client.apiextensions().v1().customResourceDefinitions().resource(InMemoryKubernetes.seiNodeCrd()).create();
        }
        client.configMaps().inNamespace(SimulatedFleet.NAMESPACE).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(MAPPING_CONFIGMAP).withNamespace(SimulatedFleet.NAMESPACE)
                .addToLabels(KubeNames.IMAGE_MAPPINGS_LABEL, "true").endMetadata()
                .addToData("v6", V6 + " height=" + V6_HEIGHT)
                .build()).createOr(existing -> existing.update());
        SimulatedSeidServer seids = SimulatedSeidServer.start(8);
        SimulatedFleet fleet = new SimulatedFleet(client, seids, chain(), blockTime, restartBackoff);
        DevFleet dev = new DevFleet(client, seids, fleet);
        for (Scenario s : scenarios) {
            if (s == Scenario.NETWORK_UPGRADE) {
                SimulatedNetwork net = fleet.addNetwork(s.token(), Scenario.NETWORK_SIZE, spec(s));
                net.nodes().forEach(n -> dev.scenarioByNode.put(n.nodeId(), s));
            } else {
                fleet.add(spec(s));
                dev.scenarioByNode.put(SimulatedFleet.nodeId(s.nodeName()), s);
            }
        }
        for (int i = 0; fleet.names().size() < size; i++) {
            fleet.add(NodeSpec.seiNode("node-" + i, V5, 400_000 + 1_000L * i, 0));
        }
        fleet.start(tick);
        return dev;
    }

    /** How each scenario's node starts. */
    static NodeSpec spec(Scenario s) {
        String name = s.nodeName();
        return switch (s) {
            case UPGRADE -> NodeSpec.seiNode(name, V5, V6_HEIGHT - 60, 0);
            case MISSING_MAPPING -> NodeSpec.seiNode(name, V6, V7_HEIGHT - 60, 1);
            case TOO_NEW -> NodeSpec.seiNode(name, V5, 500_000, 0);
            case DOWNGRADE -> NodeSpec.seiNode(name, V6, 1_500_000, 1);
            case EXIT_CODE_ONLY -> NodeSpec.seiNode(name, V5, V6_HEIGHT - 60, 0).olderSeid()
                    .withWorkload(NodeSpec.Workload.STATEFULSET);
            case CRASH_LOOP -> NodeSpec.seiNode(name, V5, 500_000, 0).olderSeid();
            case NETWORK_UPGRADE -> NodeSpec.seiNode(s.token(), V5, V6_HEIGHT - 60, 0);
        };
    }

    public SimulatedFleet fleet() {
        return fleet;
    }

    public Map<String, Scenario> scenarios() {
        return scenarioByNode;
    }

    /** Reacts to the live event stream: the scenario drivers. */
    public void onEvent(LiveView.Event event) {
        Scenario s = event.key() == null ? null : scenarioByNode.get(event.key());
        if (s == null) {
            return;
        }
        Object v = event.value();
        switch (s) {
            case TOO_NEW, CRASH_LOOP -> {
                if (v instanceof PodStateObserved p && p.ready() && V5.equals(p.image()) && driven.add(s.token())) {
                    drivers.schedule(() -> setImage(s, V6, "an operator ships a too-new binary"),
                            MISTAKE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            case DOWNGRADE -> {
                if (v instanceof PodStateObserved p && p.ready() && V6.equals(p.image()) && driven.add(s.token())) {
                    drivers.schedule(() -> setImage(s, V5, "an operator rolls back past a completed upgrade"),
                            MISTAKE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            case MISSING_MAPPING -> {
                if (v instanceof Decision.MappingAwaited && driven.add(s.token())) {
                    drivers.schedule(this::publishV7Mapping, MISTAKE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            default -> {
                // upgrade and exit-code-only need no push: the chain reaches the upgrade height by itself
            }
        }
    }

    private void setImage(Scenario s, String image, String story) {
        String name = s.nodeName();
        try {
            if (spec(s).workload() == NodeSpec.Workload.SEINODE) {
                // its controller rolls the pod itself (replace-pod): nothing to delete by hand
                LOG.info("scenario {}: {} — setting SeiNode {} to {}", s.token(), story, name, image);
                client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT)
                        .inNamespace(SimulatedFleet.NAMESPACE).withName(name)
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"image\":\"" + image + "\"}}");
                return;
            } else {
                LOG.info("scenario {}: {} — setting {} to {} and deleting its pod", s.token(), story, name, image);
                client.apps().statefulSets().inNamespace(SimulatedFleet.NAMESPACE).withName(name).edit(sts -> {
                    sts.getSpec().getTemplate().getSpec().getContainers().stream()
                            .filter(c -> SimulatedFleet.CONTAINER.equals(c.getName())).forEach(c -> c.setImage(image));
                    return sts;
                });
            }
            client.pods().inNamespace(SimulatedFleet.NAMESPACE).withName(name + "-0").delete();
        } catch (RuntimeException e) {
            LOG.warn("scenario {}: could not set the image: {}", s.token(), e.toString());
        }
    }

    private void publishV7Mapping() {
        LOG.info("scenario missing-mapping: the operator adds the v7 mapping to ConfigMap {}/{}",
                SimulatedFleet.NAMESPACE, MAPPING_CONFIGMAP);
        client.configMaps().inNamespace(SimulatedFleet.NAMESPACE).withName(MAPPING_CONFIGMAP)
                .edit(cm -> {
                    cm.getData().put("v7", V7 + " height=" + V7_HEIGHT);
                    return cm;
                });
    }

    /** The nodes of the fleet as node ids. */
    public List<String> nodeIds() {
        List<String> ids = new ArrayList<>();
        fleet.names().forEach(n -> ids.add(SimulatedFleet.nodeId(n)));
        return ids;
    }

    @Override
    public void close() {
        drivers.shutdownNow();
        fleet.close();
        seids.close();
    }
}
