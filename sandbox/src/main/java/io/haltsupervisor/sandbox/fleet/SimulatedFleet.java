package io.haltsupervisor.sandbox.fleet;

import io.haltsupervisor.schemas.KubeNames;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.seid.Fault;
import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.SeiResources;
import io.haltsupervisor.schemas.ShutdownReason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated Sei fleet on an (in-memory) Kubernetes API: it plays the parts a real cluster's
 * controllers and kubelet play, so the supervisor can be run and tested end to end.
 *
 * <p>A node is a standalone {@code SeiNode}, a {@code SeiNode} a {@code SeiNetwork} owns ({@link #addNetwork}),
 * or a plain StatefulSet; the StatefulSet owns pod {@code NAME-0}, and a simulated {@code seid} on a
 * {@link SimulatedSeidServer} serves the {@code /status} whose URL is in the pod's
 * {@value #KubeNames.STATUS_URL_ANNOTATION} annotation. Every {@link #tick()}:
 * <ul>
 *   <li>the SeiNetwork and SeiNode "controllers" ({@link SeiControllers}) reconcile as sei-k8s-controller does:
 *       the network rewrites its children from its spec, a SeiNode carries {@code spec.image} into its
 *       StatefulSet, rolls an image change with its own plan — deleting the old pod itself — and reports
 *       {@code status.currentImage}, {@code phase} and its conditions; {@code spec.paused} scales the StatefulSet
 *       to 0;</li>
 *   <li>the StatefulSet "controller" ({@code OnDelete}) creates the missing pod from the current template,
 *       labelled with the template's revision, deletes the pod when scaled to 0, never replaces a running pod by
 *       itself, and reports {@code currentRevision}/{@code updateRevision}/{@code updatedReplicas};</li>
 *   <li>the "kubelet" runs the node's binary against the {@link ChainModel}: it produces blocks,
 *       applies upgrades it knows, or halts with 70/71/72 — staying alive with {@code halt_intent} on
 *       {@code /status}, or exiting with the code (1 under cosmovisor) and crash-looping with
 *       back-off as {@code restartPolicy: Always} does — and writes a realistic pod status; a test may force
 *       a halt code the chain never produces ({@link SimulatedNode#forceHalt}).</li>
 * </ul>
 * A process that is not running answers {@code /status} with 503 (a real one would refuse the
 * connection; the shared loopback server cannot refuse per node).
 */
public final class SimulatedFleet implements AutoCloseable {
    public static final String NAMESPACE = "sei";
    public static final String CONTAINER = SeiResources.SEID_CONTAINER;
    public static final String APP_LABEL_VALUE = "seid";
    public static final int RPC_PORT = 26657;
    public static final String CHAIN_ID = "pacific-1";

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedFleet.class);

    private final KubernetesClient client;
    private final SimulatedSeidServer seids;
    private final ChainModel chain;
    private final Clock clock;
    private final Duration blockTime;
    private final Duration restartBackoff;
    private final SeiControllers sei;
    private final Map<String, NodeRuntime> nodes = new LinkedHashMap<>();
    private final List<String> networks = new ArrayList<>();
    private final Map<String, Integer> reconciles = new HashMap<>();
    private ScheduledExecutorService ticker;
    /** The User-Agent of the simulated sei-k8s-controller: its writes are recorded under {@code sei-k8s-controller}. */
    public static final String SEI_CONTROLLER_AGENT = "sei-k8s-controller/simulated";
    private final KubernetesClient seiClient;

    /**
     * @param blockTime      how fast healthy nodes produce blocks
     * @param restartBackoff the first crash-loop back-off; doubles per restart up to 8×
     */
    public SimulatedFleet(KubernetesClient client, SimulatedSeidServer seids, ChainModel chain, Duration blockTime,
            Duration restartBackoff) {
        this.client = Objects.requireNonNull(client, "client");
        this.seids = Objects.requireNonNull(seids, "seids");
        this.chain = Objects.requireNonNull(chain, "chain");
        this.clock = Clock.systemUTC();
        this.blockTime = blockTime;
        this.restartBackoff = restartBackoff;
        // writes as the real controller's manager name, so metadata.managedFields names it (InMemoryKubernetes)
        this.seiClient = io.haltsupervisor.sandbox.kube.InMemoryKubernetes.clientAs(client,
                SEI_CONTROLLER_AGENT);
        this.sei = new SeiControllers(seiClient, NAMESPACE, clock);
    }

    public ChainModel chain() {
        return chain;
    }

    /** Creates a node's objects and starts its process at the next tick. */
    public synchronized SimulatedNode add(NodeSpec spec) {
        if (nodes.containsKey(spec.name())) {
            throw new IllegalArgumentException("node " + spec.name() + " exists already");
        }
        NodeRuntime rt = runtime(spec, null);
        if (spec.workload() == NodeSpec.Workload.SEINODE) {
            GenericKubernetesResource seiNode = client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT)
                    .inNamespace(NAMESPACE).resource(new GenericKubernetesResourceBuilder()
                            .withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                            .withKind(InMemoryKubernetes.SEINODE_KIND)
                            .withNewMetadata().withName(spec.name()).withNamespace(NAMESPACE)
                            .withUid(UUID.randomUUID().toString()).withGeneration(1L).endMetadata()
                            .withAdditionalProperties(Map.of("spec", new LinkedHashMap<>(Map.of(
                                    "image", spec.image(), "paused", false, "chainId", CHAIN_ID))))
                            .build())
                    .create();
            applyStatefulSet(rt, seiNode, spec.image(), 1);
        } else {
            createStatefulSet(rt, null, spec.image(), 1);
        }
        nodes.put(spec.name(), rt);
        return new SimulatedNode(this, spec.name());
    }

    /**
     * Creates a {@code SeiNetwork} of {@code replicas} validators running {@code node}'s image; its controller
     * creates the child SeiNodes {@code NAME-0…} (each starting as {@code node} says: height, applied upgrades,
     * stay-alive…) at once and on every tick.
     */
    public synchronized SimulatedNetwork addNetwork(String name, int replicas, NodeSpec node) {
        if (networks.contains(name)) {
            throw new IllegalArgumentException("network " + name + " exists already");
        }
        if (node.workload() != NodeSpec.Workload.SEINODE) {
            throw new IllegalArgumentException("a SeiNetwork's nodes are SeiNodes, not " + node.workload());
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("image", node.image());
        spec.put("replicas", replicas);
        spec.put("paused", false);
        spec.put("deletionPolicy", "Retain");
        spec.put("genesis", Map.of("chainId", CHAIN_ID));
        client.genericKubernetesResources(InMemoryKubernetes.SEINETWORK_CONTEXT).inNamespace(NAMESPACE)
                .resource(new GenericKubernetesResourceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                        .withKind(InMemoryKubernetes.SEINETWORK_KIND).withNewMetadata().withName(name)
                        .withNamespace(NAMESPACE).withUid(UUID.randomUUID().toString()).withGeneration(1L)
                        .endMetadata().withAdditionalProperties(Map.of("spec", spec)).build())
                .create();
        networks.add(name);
        List<SimulatedNode> members = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            NodeSpec child = new NodeSpec(name + "-" + i, NodeSpec.Workload.SEINODE, node.image(), node.height(),
                    node.applied(), node.stayAlive(), node.haltIntentSupported(), node.cosmovisor());
            nodes.put(child.name(), runtime(child, name));
            members.add(new SimulatedNode(this, child.name()));
        }
        sei.reconcileSeiNetwork(name);
        return new SimulatedNetwork(this, name, members);
    }

    private NodeRuntime runtime(NodeSpec spec, String network) {
        SimulatedSeid seid = seids.node(NAMESPACE + "-" + spec.name()).height(spec.height()).blockTime(blockTime)
                .haltIntentSupported(spec.haltIntentSupported()).version(versionOf(spec.image()));
        return new NodeRuntime(spec, seid, network);
    }

    private static List<String> command(NodeSpec spec) {
        if (spec.cosmovisor()) {
            return List.of("cosmovisor", "run", "start", "--home", "/sei");
        }
        List<String> cmd = new ArrayList<>(List.of("seid", "start", "--home", "/sei"));
        if (spec.stayAlive()) {
            // the flag's name is not settled upstream (--halt-stay-alive or --halt-stays-running): one of them
            cmd.add("--halt-stay-alive");
        }
        return cmd;
    }

    private static List<EnvVar> env(NodeSpec spec) {
        return spec.cosmovisor() ? List.of(new EnvVar("DAEMON_NAME", "seid", null), new EnvVar("DAEMON_HOME", "/sei", null))
                : List.of();
    }

    /**
     * Images whose rollout the SeiNode controller fails from now on ({@code replace-pod} fails with {@code error}):
     * the node's {@code NodeUpdateInProgress} condition becomes {@code False/UpdateFailed} with that message.
     */
    public void failUpdatesTo(String image, String error) {
        sei.failUpdatesTo(image, error);
    }

    /** How many times the Sei controllers reconciled {@code name} (a SeiNode or SeiNetwork) so far. */
    public synchronized int reconciles(String name) {
        return reconciles.getOrDefault(name, 0);
    }

    /** Status patches of the Sei controllers refused with 409 because someone else wrote first (then retried). */
    public int statusConflicts() {
        return sei.statusConflicts();
    }

    /** Starts ticking every {@code period} on a background thread. */
    public synchronized SimulatedFleet start(Duration period) {
        if (ticker == null) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fleet-simulator");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleWithFixedDelay(() -> {
                try {
                    tick();
                } catch (RuntimeException e) {
                    LOG.warn("fleet simulator tick failed: {}", e.toString(), e);
                } catch (Error e) {
                    LOG.error("fleet simulator stopped: {}", e.toString(), e);
                    throw e;
                }
            }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** One round of controllers and kubelet for every network and node. */
    public synchronized void tick() {
        for (String network : networks) {
            try {
                sei.reconcileSeiNetwork(network);
                reconciles.merge(network, 1, Integer::sum);
            } catch (KubernetesClientException e) {
                LOG.info("simulator: network {} not reconciled this tick: {}", network, e.getMessage());
            }
        }
        for (NodeRuntime rt : nodes.values()) {
            try {
                reconcile(rt);
            } catch (KubernetesClientException e) {
                LOG.info("simulator: {} not reconciled this tick: {}", rt.spec.name(), e.getMessage());
            }
        }
    }

    private void reconcile(NodeRuntime rt) {
        String name = rt.spec.name();
        StatefulSet sts;
        if (rt.spec.workload() == NodeSpec.Workload.SEINODE) {
            Optional<StatefulSet> owned = sei.reconcileSeiNode(name, statefulSets(rt));
            if (owned.isEmpty()) {
                return; // no SeiNode (yet: a network creates its children)
            }
            reconciles.merge(name, 1, Integer::sum);
            sts = owned.get();
        } else {
            sts = client.apps().statefulSets().inNamespace(NAMESPACE).withName(name).get();
            if (sts == null) {
                return;
            }
        }
        String templateImage = seidContainerImage(sts);
        int replicas = Optional.ofNullable(sts.getSpec().getReplicas()).orElse(1);
        String podName = name + "-0";
        Pod pod = client.pods().inNamespace(NAMESPACE).withName(podName).get();
        if (replicas == 0) {
            if (pod != null) {
                client.pods().inNamespace(NAMESPACE).withName(podName).delete();
            }
            rt.stop(clock.instant());
            writeStatefulSetStatus(sts, null, false);
            return;
        }
        if (pod == null) {
            pod = createPod(rt, sts, templateImage);
            rt.startPod(pod.getMetadata().getUid(), templateImage, clock.instant());
        } else if (!pod.getMetadata().getUid().equals(rt.podUid)) {
            rt.startPod(pod.getMetadata().getUid(), pod.getSpec().getContainers().get(0).getImage(), clock.instant());
        }
        runProcess(rt);
        writeStatus(rt, pod);
        writeStatefulSetStatus(sts, pod, rt.ready);
    }

    // ------------------------------------------------------------------ the StatefulSet controller

    /** The StatefulSet layer as the simulated SeiNode controller uses it. */
    private SeiControllers.StatefulSetFactory statefulSets(NodeRuntime rt) {
        return new SeiControllers.StatefulSetFactory() {
            @Override
            public StatefulSet apply(GenericKubernetesResource seiNode, String image, int replicas) {
                return applyStatefulSet(rt, seiNode, image, replicas);
            }

            @Override
            public Optional<String> podImage(StatefulSet sts) {
                Pod pod = client.pods().inNamespace(NAMESPACE).withName(rt.spec.name() + "-0").get();
                return pod == null ? Optional.empty() : pod.getSpec().getContainers().stream()
                        .filter(c -> CONTAINER.equals(c.getName())).map(c -> c.getImage()).findFirst();
            }

            @Override
            public boolean replaceOldRevisionPods(StatefulSet sts) {
                return replacePods(sts);
            }

            @Override
            public boolean allReplicasUpdated(StatefulSet sts) {
                StatefulSet now = client.apps().statefulSets().inNamespace(NAMESPACE)
                        .withName(sts.getMetadata().getName()).get();
                StatefulSetStatus st = now == null ? null : now.getStatus();
                int replicas = Optional.ofNullable(now == null ? null : now.getSpec().getReplicas()).orElse(1);
                return st != null && Objects.equals(st.getObservedGeneration(), now.getMetadata().getGeneration())
                        && Optional.ofNullable(st.getUpdatedReplicas()).orElse(0) >= replicas;
            }
        };
    }

    /**
     * {@code replace-pod} ({@code internal/task/replace_pod.go} at 2d670ad8): once the StatefulSet has observed its
     * generation, delete every owned pod whose revision label is not the update revision and that is not already
     * terminating; done at once (no readiness wait), or when the StatefulSet is already rolled.
     */
    private boolean replacePods(StatefulSet sts) {
        StatefulSet now = client.apps().statefulSets().inNamespace(NAMESPACE).withName(sts.getMetadata().getName())
                .get();
        if (now == null || now.getStatus() == null
                || !Objects.equals(now.getStatus().getObservedGeneration(), now.getMetadata().getGeneration())
                || now.getStatus().getUpdateRevision() == null) {
            return false;
        }
        String update = now.getStatus().getUpdateRevision();
        if (update.equals(now.getStatus().getCurrentRevision())) {
            return true;
        }
        Pod pod = client.pods().inNamespace(NAMESPACE).withName(sts.getMetadata().getName() + "-0").get();
        if (pod != null && !SeiControllers.hasRevision(pod, update) && pod.getMetadata().getDeletionTimestamp() == null
                && ownedBy(pod, now)) {
            client.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).delete();
            LOG.info("simulated SeiNode controller: replace-pod deleted {} (revision {}, update revision {})",
                    pod.getMetadata().getName(), pod.getMetadata().getLabels().get(SeiControllers.REVISION_LABEL),
                    update);
        }
        return true;
    }

    private static boolean ownedBy(Pod pod, StatefulSet sts) {
        List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> "StatefulSet".equals(r.getKind())
                && sts.getMetadata().getUid().equals(r.getUid()));
    }

    /** The SeiNode's StatefulSet, created or brought to {@code image} and {@code replicas}. */
    private StatefulSet applyStatefulSet(NodeRuntime rt, GenericKubernetesResource seiNode, String image,
            int replicas) {
        String name = rt.spec.name();
        StatefulSet sts = client.apps().statefulSets().inNamespace(NAMESPACE).withName(name).get();
        if (sts == null) {
            OwnerReference owner = new OwnerReferenceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                    .withKind(InMemoryKubernetes.SEINODE_KIND).withName(name)
                    .withUid(seiNode.getMetadata().getUid()).withController(true).build();
            return createStatefulSet(rt, owner, image, replicas);
        }
        boolean imageDiffers = image != null && !image.equals(seidContainerImage(sts));
        boolean replicasDiffer = !Objects.equals(sts.getSpec().getReplicas(), replicas);
        if (!imageDiffers && !replicasDiffer) {
            return sts;
        }
        return client.apps().statefulSets().inNamespace(NAMESPACE).withName(name).edit(s -> {
            if (imageDiffers) {
                s.getSpec().getTemplate().getSpec().getContainers().stream()
                        .filter(c -> CONTAINER.equals(c.getName())).forEach(c -> c.setImage(image));
                s.getMetadata().setGeneration(Optional.ofNullable(s.getMetadata().getGeneration()).orElse(1L) + 1);
            }
            s.getSpec().setReplicas(replicas);
            return s;
        });
    }

    private StatefulSet createStatefulSet(NodeRuntime rt, OwnerReference owner, String image, int replicas) {
        NodeSpec spec = rt.spec;
        StatefulSetBuilder sts = new StatefulSetBuilder()
                .withNewMetadata().withName(spec.name()).withNamespace(NAMESPACE)
                .withUid(UUID.randomUUID().toString()).withGeneration(1L)
                .addToLabels(KubeNames.APP_NAME_LABEL, APP_LABEL_VALUE).endMetadata()
                .withNewSpec().withReplicas(replicas).withServiceName(spec.name())
                .withNewSelector().addToMatchLabels(KubeNames.APP_INSTANCE_LABEL, spec.name()).endSelector()
                .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata().addToLabels(KubeNames.APP_NAME_LABEL, APP_LABEL_VALUE)
                .addToLabels(KubeNames.APP_INSTANCE_LABEL, spec.name()).endMetadata()
                .withNewSpec().withRestartPolicy("Always")
                .addNewContainer().withName(CONTAINER).withImage(image)
                .withCommand(command(spec)).withEnv(env(spec))
                .withPorts(new ContainerPortBuilder().withName("rpc").withContainerPort(RPC_PORT).build())
                .endContainer()
                .endSpec().endTemplate().endSpec();
        if (owner != null) {
            sts.editMetadata().withOwnerReferences(owner).addToLabels(SeiControllers.NODE_LABEL, spec.name())
                    .endMetadata();
            sts.editSpec().editTemplate().editMetadata().addToLabels(SeiControllers.NODE_LABEL, spec.name())
                    .endMetadata().endTemplate().endSpec();
        }
        return client.apps().statefulSets().inNamespace(NAMESPACE).resource(sts.build()).create();
    }

    /** The StatefulSet's status as its controller reports it: revisions and replica counts. */
    private void writeStatefulSetStatus(StatefulSet sts, Pod pod, boolean ready) {
        StatefulSet now = client.apps().statefulSets().inNamespace(NAMESPACE).withName(sts.getMetadata().getName())
                .get();
        if (now == null) {
            return;
        }
        String update = revision(now);
        String previous = now.getStatus() == null ? null : now.getStatus().getCurrentRevision();
        boolean podUpdated = pod != null && SeiControllers.hasRevision(pod, update);
        int replicas = Optional.ofNullable(now.getSpec().getReplicas()).orElse(1);
        String current;
        if (pod != null) {
            current = pod.getMetadata().getLabels().get(SeiControllers.REVISION_LABEL);
        } else {
            current = replicas == 0 || previous == null ? update : previous;
        }
        StatefulSetStatus desired = new StatefulSetStatusBuilder().withObservedGeneration(now.getMetadata()
                .getGeneration()).withReplicas(pod == null ? 0 : 1).withReadyReplicas(ready && pod != null ? 1 : 0)
                .withUpdatedReplicas(podUpdated ? 1 : 0).withCurrentReplicas(pod == null ? 0 : podUpdated ? 1 : 0)
                .withCurrentRevision(current).withUpdateRevision(update)
                .build();
        if (desired.equals(now.getStatus())) {
            return;
        }
        now.setStatus(desired);
        try {
            client.apps().statefulSets().inNamespace(NAMESPACE).resource(now).updateStatus();
        } catch (KubernetesClientException e) {
            LOG.debug("simulator: status of StatefulSet {} not written: {}", now.getMetadata().getName(),
                    e.getMessage());
        }
    }

    /** The revision of a StatefulSet's current template, as its pods' {@code controller-revision-hash} label. */
    static String revision(StatefulSet sts) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(seidContainerImage(sts)
                    .getBytes(StandardCharsets.UTF_8));
            return sts.getMetadata().getName() + "-" + HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String seidContainerImage(StatefulSet sts) {
        return sts.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> CONTAINER.equals(c.getName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no seid container in " + sts.getMetadata().getName()))
                .getImage();
    }

    private Pod createPod(NodeRuntime rt, StatefulSet sts, String image) {
        var template = sts.getSpec().getTemplate();
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(rt.spec.name() + "-0").withNamespace(NAMESPACE)
                .withUid(UUID.randomUUID().toString())
                .withLabels(new HashMap<>(template.getMetadata().getLabels()))
                .addToLabels("statefulset.kubernetes.io/pod-name", rt.spec.name() + "-0")
                .addToLabels(SeiControllers.REVISION_LABEL, revision(sts))
                .addToAnnotations(KubeNames.STATUS_URL_ANNOTATION, rt.seid.statusUrl().toString())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                        .withName(sts.getMetadata().getName()).withUid(sts.getMetadata().getUid())
                        .withController(true).build())
                .endMetadata()
                .withSpec(template.getSpec())
                .build();
        pod.getSpec().getContainers().stream().filter(c -> CONTAINER.equals(c.getName()))
                .forEach(c -> c.setImage(image));
        return client.pods().inNamespace(NAMESPACE).resource(pod).create();
    }

    // ------------------------------------------------------------------ the kubelet

    private void runProcess(NodeRuntime rt) {
        Instant now = clock.instant();
        if (!rt.running) {
            if (rt.restartAt == null || now.isBefore(rt.restartAt)) {
                return;
            }
            rt.restart(now);
        }
        if (rt.forcedHalt != null) {
            halt(rt, rt.forcedHalt, null, now);
            return;
        }
        int known = chain.known(rt.image);
        while (true) {
            // the next block to execute decides: a halted node has committed upgrade height - 1
            ChainModel.Verdict verdict = chain.evaluate(known, rt.applied, rt.seid.height() + 1);
            if (verdict instanceof ChainModel.Verdict.Apply apply) {
                rt.applied++;
                LOG.debug("simulator: {} applied upgrade {}", rt.spec.name(), apply.upgrade().plan());
                continue;
            }
            if (verdict instanceof ChainModel.Verdict.Halt halt) {
                halt(rt, halt.code(), halt.upgrade(), now);
            } else {
                run(rt);
            }
            return;
        }
    }

    private void run(NodeRuntime rt) {
        if (!rt.ready || rt.seid.intent() != null || rt.seid.currentFault() != null) {
            rt.seid.recover();
            rt.seid.version(versionOf(rt.image)).blockTime(blockTime);
        }
        rt.ready = true;
    }

    /** Halts with {@code code}, about {@code upgrade} (null: a halt about no upgrade, e.g. a forced one). */
    private void halt(NodeRuntime rt, int code, ChainModel.Upgrade upgrade, Instant now) {
        rt.ready = false;
        if (upgrade != null && code == ShutdownReason.EXIT_CODE_UPGRADE_REQUIRED
                && rt.seid.height() >= upgrade.height() - 1) {
            rt.seid.height(upgrade.height() - 1); // the last committed block before the upgrade height
        }
        if (rt.spec.stayAlive() && rt.spec.haltIntentSupported()) {
            if (rt.seid.intent() == null || rt.seid.intent().reason() != code) {
                HaltIntent intent = upgrade == null ? new HaltIntent(code, null, null, null, null, now)
                        : new HaltIntent(code, null, upgrade.plan(), upgrade.height(), upgrade.info(), now);
                rt.seid.halt(intent);
                LOG.info("simulator: {} halted (stay-alive) with {} for plan {}", rt.spec.name(), code,
                        upgrade == null ? "(none)" : upgrade.plan());
            }
            return;
        }
        int exitCode = rt.spec.cosmovisor() ? 1 : code;
        rt.terminate(exitCode, now, backoff(rt.restartCount));
        rt.seid.fault(new Fault.HttpStatus(503));
        LOG.info("simulator: {} exited with {} (restart #{} in {})", rt.spec.name(), exitCode, rt.restartCount,
                backoff(rt.restartCount));
    }

    private Duration backoff(int restarts) {
        return restartBackoff.multipliedBy(1L << Math.min(restarts, 3));
    }

    private void writeStatus(NodeRuntime rt, Pod pod) {
        ContainerStatusBuilder cs = new ContainerStatusBuilder().withName(CONTAINER).withImage(rt.image)
                .withImageID(rt.image + "@sha256:" + sha(rt.image)).withRestartCount(rt.restartCount)
                .withReady(rt.ready).withStarted(rt.running);
        if (rt.containerId != null) {
            cs.withContainerID("containerd://" + rt.containerId);
        }
        if (rt.running) {
            cs.withNewState().withNewRunning().withStartedAt(rt.startedAt.toString()).endRunning().endState();
        } else if (rt.lastExitCode != null) {
            cs.withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                    .withMessage("back-off restarting failed container " + CONTAINER).endWaiting().endState();
        }
        if (rt.lastExitCode != null) {
            cs.withNewLastState().withNewTerminated().withExitCode(rt.lastExitCode)
                    .withReason(rt.lastExitCode == 0 ? "Completed" : "Error")
                    .withStartedAt(rt.lastStartedAt.toString()).withFinishedAt(rt.lastFinishedAt.toString())
                    .withContainerID("containerd://" + rt.lastContainerId).endTerminated().endLastState();
        }
        ContainerStatus status = cs.build();
        PodStatus desired = new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1").withHostIP("127.0.0.1")
                .addNewCondition().withType("Ready").withStatus(rt.ready ? "True" : "False").endCondition()
                .withContainerStatuses(status).build();
        if (desired.equals(pod.getStatus())) {
            return;
        }
        pod.setStatus(desired);
        client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
    }

    private static String sha(String image) {
        return String.format(java.util.Locale.ROOT, "%064x", new java.math.BigInteger(1, image.getBytes(
                java.nio.charset.StandardCharsets.UTF_8)).mod(java.math.BigInteger.TWO.pow(256)));
    }

    /** The version a binary reports: the image tag ({@code v6.0.1} of {@code …/seid:v6.0.1}). */
    static String versionOf(String image) {
        String ref = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') ? ref.substring(colon + 1) : "unknown";
    }

    synchronized NodeRuntime runtime(String name) {
        NodeRuntime rt = nodes.get(name);
        if (rt == null) {
            throw new IllegalArgumentException("no simulated node " + name);
        }
        return rt;
    }

    /** The node id the supervisor uses for a node: {@code sei/NAME}. */
    public static String nodeId(String name) {
        return NAMESPACE + "/" + name;
    }

    public synchronized List<String> names() {
        return List.copyOf(nodes.keySet());
    }

    public KubernetesClient client() {
        return client;
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
        seiClient.close();
    }

    /** What the simulated kubelet knows of a node's process. */
    static final class NodeRuntime {
        final NodeSpec spec;
        final SimulatedSeid seid;
        /** The SeiNetwork that owns the node's SeiNode, or null. */
        final String network;
        int applied;
        String podUid;
        String image;
        boolean running;
        boolean ready;
        int restartCount;
        String containerId;
        Instant startedAt;
        Instant restartAt;
        Integer lastExitCode;
        Instant lastStartedAt;
        Instant lastFinishedAt;
        String lastContainerId;
        /** A halt code forced on the process whatever the chain says (see {@link SimulatedNode#forceHalt}). */
        Integer forcedHalt;

        NodeRuntime(NodeSpec spec, SimulatedSeid seid, String network) {
            this.spec = spec;
            this.seid = seid;
            this.network = network;
            this.applied = spec.applied();
            this.image = spec.image();
        }

        void startPod(String uid, String podImage, Instant now) {
            podUid = uid;
            image = podImage;
            restartCount = 0;
            lastExitCode = null;
            lastStartedAt = null;
            lastFinishedAt = null;
            lastContainerId = null;
            ready = false;
            start(now);
        }

        void restart(Instant now) {
            restartCount++;
            start(now);
        }

        private void start(Instant now) {
            running = true;
            restartAt = null;
            startedAt = now;
            containerId = UUID.randomUUID().toString().replace("-", "");
            seid.recover();
        }

        void terminate(int exitCode, Instant now, Duration backoff) {
            running = false;
            ready = false;
            lastExitCode = exitCode;
            lastStartedAt = startedAt;
            lastFinishedAt = now;
            lastContainerId = containerId;
            restartAt = now.plus(backoff);
        }

        void stop(Instant now) {
            if (running || podUid != null) {
                running = false;
                ready = false;
                podUid = null;
                restartAt = null;
                seid.fault(new Fault.HttpStatus(503));
            }
        }
    }
}
