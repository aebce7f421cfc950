package io.haltsupervisor.sandbox.fleet;

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
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.seid.Fault;
import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.ShutdownReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * <p>Each node is a {@code SeiNode} (or a plain StatefulSet) owning a StatefulSet owning pod
 * {@code NAME-0}, and a simulated {@code seid} on a {@link SimulatedSeidServer} whose URL is in the pod's
 * {@value #STATUS_URL_ANNOTATION} annotation. Every {@link #tick()}:
 * <ul>
 *   <li>the SeiNode "controller" copies {@code spec.image} into the StatefulSet's pod template and
 *       {@code spec.paused} into its replicas (paused → 0);</li>
 *   <li>the StatefulSet "controller" ({@code OnDelete}) creates the missing pod from the current
 *       template, deletes the pod when scaled to 0, and never replaces a running pod by itself;</li>
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
    public static final String CONTAINER = "seid";
    public static final String APP_LABEL = "app.kubernetes.io/name";
    public static final String APP_LABEL_VALUE = "seid";
    public static final String STATUS_URL_ANNOTATION = "halt-supervisor.io/status-url";
    public static final int RPC_PORT = 26657;

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedFleet.class);

    private final KubernetesClient client;
    private final SimulatedSeidServer seids;
    private final ChainModel chain;
    private final Clock clock;
    private final Duration blockTime;
    private final Duration restartBackoff;
    private final Map<String, NodeRuntime> nodes = new LinkedHashMap<>();
    private ScheduledExecutorService ticker;

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
    }

    public ChainModel chain() {
        return chain;
    }

    /** Creates a node's objects and starts its process at the next tick. */
    public synchronized SimulatedNode add(NodeSpec spec) {
        if (nodes.containsKey(spec.name())) {
            throw new IllegalArgumentException("node " + spec.name() + " exists already");
        }
        SimulatedSeid seid = seids.node(NAMESPACE + "-" + spec.name()).height(spec.height()).blockTime(blockTime)
                .haltIntentSupported(spec.haltIntentSupported()).version(versionOf(spec.image()));
        NodeRuntime rt = new NodeRuntime(spec, seid);
        OwnerReference stsOwner = null;
        if (spec.workload() == NodeSpec.Workload.SEINODE) {
            GenericKubernetesResource seiNode = client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT)
                    .inNamespace(NAMESPACE).resource(new GenericKubernetesResourceBuilder()
                            .withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                            .withKind(InMemoryKubernetes.SEINODE_KIND)
                            .withNewMetadata().withName(spec.name()).withNamespace(NAMESPACE)
                            .withUid(UUID.randomUUID().toString()).withGeneration(1L).endMetadata()
                            .withAdditionalProperties(Map.of("spec", new LinkedHashMap<>(Map.of(
                                    "image", spec.image(), "paused", false, "chainId", "pacific-1"))))
                            .build())
                    .create();
            stsOwner = new OwnerReferenceBuilder().withApiVersion(InMemoryKubernetes.SEI_API_VERSION)
                    .withKind(InMemoryKubernetes.SEINODE_KIND).withName(spec.name())
                    .withUid(seiNode.getMetadata().getUid()).withController(true).build();
        }
        StatefulSetBuilder sts = new StatefulSetBuilder()
                .withNewMetadata().withName(spec.name()).withNamespace(NAMESPACE)
                .withUid(UUID.randomUUID().toString()).withGeneration(1L)
                .addToLabels(APP_LABEL, APP_LABEL_VALUE).endMetadata()
                .withNewSpec().withReplicas(1).withServiceName(spec.name())
                .withNewSelector().addToMatchLabels("app.kubernetes.io/instance", spec.name()).endSelector()
                .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata().addToLabels(APP_LABEL, APP_LABEL_VALUE)
                .addToLabels("app.kubernetes.io/instance", spec.name()).endMetadata()
                .withNewSpec().withRestartPolicy("Always")
                .addNewContainer().withName(CONTAINER).withImage(spec.image())
                .withCommand(command(spec)).withEnv(env(spec))
                .withPorts(new ContainerPortBuilder().withName("rpc").withContainerPort(RPC_PORT).build())
                .endContainer()
                .endSpec().endTemplate().endSpec();
        if (stsOwner != null) {
            sts.editMetadata().withOwnerReferences(stsOwner).endMetadata();
        }
        client.apps().statefulSets().inNamespace(NAMESPACE).resource(sts.build()).create();
        nodes.put(spec.name(), rt);
        return new SimulatedNode(this, spec.name());
    }

    private static List<String> command(NodeSpec spec) {
        if (spec.cosmovisor()) {
            return List.of("cosmovisor", "run", "start", "--home", "/sei");
        }
        List<String> cmd = new ArrayList<>(List.of("seid", "start", "--home", "/sei"));
        if (spec.stayAlive()) {
            cmd.add("--halt-stay-alive");
        }
        return cmd;
    }

    private static List<EnvVar> env(NodeSpec spec) {
        return spec.cosmovisor() ? List.of(new EnvVar("DAEMON_NAME", "seid", null), new EnvVar("DAEMON_HOME", "/sei", null))
                : List.of();
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
                    LOG.warn("fleet simulator tick failed: {}", e.toString());
                }
            }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** One round of controllers and kubelet for every node. */
    public synchronized void tick() {
        for (NodeRuntime rt : nodes.values()) {
            try {
                reconcile(rt);
            } catch (KubernetesClientException e) {
                LOG.debug("simulator: {} not reconciled this tick: {}", rt.spec.name(), e.getMessage());
            }
        }
    }

    private void reconcile(NodeRuntime rt) {
        String name = rt.spec.name();
        StatefulSet sts = client.apps().statefulSets().inNamespace(NAMESPACE).withName(name).get();
        if (sts == null) {
            return;
        }
        if (rt.spec.workload() == NodeSpec.Workload.SEINODE) {
            sts = syncSeiNode(name, sts);
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
    }

    private StatefulSet syncSeiNode(String name, StatefulSet sts) {
        GenericKubernetesResource seiNode = client.genericKubernetesResources(InMemoryKubernetes.SEINODE_CONTEXT)
                .inNamespace(NAMESPACE).withName(name).get();
        if (seiNode == null) {
            return sts;
        }
        String image = seiNode.get("spec", "image");
        Object pausedValue = seiNode.get("spec", "paused");
        boolean paused = Boolean.TRUE.equals(pausedValue) || "true".equals(String.valueOf(pausedValue));
        int replicas = paused ? 0 : 1;
        String templateImage = seidContainerImage(sts);
        boolean imageDiffers = image != null && !image.equals(templateImage);
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
                .addToAnnotations(STATUS_URL_ANNOTATION, rt.seid.statusUrl().toString())
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
    }

    /** What the simulated kubelet knows of a node's process. */
    static final class NodeRuntime {
        final NodeSpec spec;
        final SimulatedSeid seid;
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

        NodeRuntime(NodeSpec spec, SimulatedSeid seid) {
            this.spec = spec;
            this.seid = seid;
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
