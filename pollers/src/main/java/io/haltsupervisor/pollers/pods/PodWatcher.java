package io.haltsupervisor.pollers.pods;

import io.haltsupervisor.pollers.ObservationSink;
import io.haltsupervisor.pollers.WarningEvents;

import io.fabric8.kubernetes.api.model.Pod;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns pod updates into exit-code halt observations and pod observations ({@link PodStateTracker}), and
 * flags cosmovisor: a Warning event on the pod, the gauge {@code halt_supervisor_podwatcher_cosmovisor_pods}
 * and {@code cosmovisor=true} on the pod observation. Fed by the pods informer (see
 * {@link PodDispatcher}); state is kept per pod uid and dropped when the pod is deleted.
 *
 * <p>If Kafka does not acknowledge an observation, the pod's state is forgotten, so its next update
 * publishes everything again (once): nothing is lost, and the decider folds the repeat.
 */
public final class PodWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(PodWatcher.class);

    private final String container;
    private final ObservationSink sink;
    private final WarningEvents events;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<String, PodStateTracker.State> pods = new ConcurrentHashMap<>();
    private final Set<String> cosmovisorPods = ConcurrentHashMap.newKeySet();
    private final Counter cosmovisorDetected;

    public PodWatcher(String container, ObservationSink sink, WarningEvents events, MeterRegistry registry,
            Clock clock) {
        this.container = container;
        this.sink = sink;
        this.events = events;
        this.clock = clock;
        this.registry = registry;
        Gauge.builder("halt_supervisor.podwatcher.cosmovisor.pods", cosmovisorPods, Set::size)
                .description("watched pods running cosmovisor (exit-code path blind)").register(registry);
        cosmovisorDetected = Counter.builder("halt_supervisor.podwatcher.cosmovisor.detected")
                .description("pods found running cosmovisor").register(registry);
    }

    /** A pod was added or changed (and carries the {@code seid} container). */
    public void onPod(Pod pod, String nodeId) {
        onPod(pod, nodeId, null);
    }

    /**
     * A pod was added or changed; {@code currentImage} is the image its SeiNode's controller reports the node runs
     * (null when the node is no SeiNode or none is reported), published on the pod observation.
     */
    public void onPod(Pod pod, String nodeId, String currentImage) {
        String uid = pod.getMetadata().getUid();
        String podName = pod.getMetadata().getName();
        PodStateTracker.Step step = PodStateTracker.observe(pods.get(uid), pod, nodeId, container, clock.instant(),
                currentImage);
        pods.put(uid, step.next());
        if (step.next().cosmovisor()) {
            cosmovisorPods.add(uid);
        } else {
            cosmovisorPods.remove(uid);
        }
        for (HaltObserved halt : step.halts()) {
            LOG.info("node {} pod {}: halt observed by exit code {} ({}) container {} restart {} finished {}",
                    nodeId, podName, halt.reasonCode(), halt.reason(), halt.containerId(), halt.restartCount(),
                    halt.finishedAt());
            registry.counter("halt_supervisor.podwatcher.exit.halts", "code", Integer.toString(halt.reasonCode()))
                    .increment();
            publish(uid, nodeId, podName, "exit-code halt",
                    sink.publish(Topics.HALT_OBSERVATIONS, nodeId, halt));
        }
        if (step.pod() != null) {
            PodStateObserved p = step.pod();
            LOG.info("node {} pod {}: pod state image {} ready {} phase {} restarts {}{}{}", nodeId, podName, p.image(),
                    p.ready(), p.phase(), p.restartCount(), p.cosmovisor() ? " cosmovisor" : "",
                    p.currentImage() == null ? "" : " controller-reported image " + p.currentImage());
            publish(uid, nodeId, podName, "pod state", sink.publish(Topics.NODE_OBSERVATIONS, nodeId, p));
        }
        if (step.cosmovisorReason() != null) {
            cosmovisorDetected.increment();
            LOG.warn("node {} pod {}: runs cosmovisor ({}); its exit code 1 masks halt codes 70–89, only /status "
                    + "(stay-alive) can show this node's halts", nodeId, podName, step.cosmovisorReason());
            events.warn(pod, "cosmovisor", "CosmovisorDetected", "DetectCosmovisor",
                    "Container '" + container + "' runs under cosmovisor: " + step.cosmovisorReason()
                            + ". Cosmovisor exits 1 when seid fails (71, 72, 73-89) and treats a 70 as an upgrade "
                            + "of its own (switch binary and restart, or exit 0), so the halt exit codes 70-89 rarely "
                            + "reach Kubernetes; halt-supervisor can only see this node's halts on /status (run seid "
                            + "with its stay-alive flag, whose name is not settled upstream: --halt-stay-alive or "
                            + "--halt-stays-running) or disable cosmovisor.");
        }
    }

    /** A pod was deleted. */
    public void onDeleted(Pod pod, String nodeId) {
        String uid = pod.getMetadata().getUid();
        pods.remove(uid);
        cosmovisorPods.remove(uid);
        if (PodTargets.container(pod, container).isEmpty()) {
            return;
        }
        PodStateObserved deleted = PodStateTracker.deleted(pod, nodeId, container, clock.instant());
        LOG.info("node {} pod {}: pod deleted (image {})", nodeId, pod.getMetadata().getName(), deleted.image());
        sink.publish(Topics.NODE_OBSERVATIONS, nodeId, deleted).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.error("node {} pod {}: could not publish the pod deletion: {}", nodeId,
                        pod.getMetadata().getName(), error.toString());
            }
        });
    }

    /** Forgets a pod without publishing (it left this replica's shard or the selector). */
    public void forget(String uid) {
        pods.remove(uid);
        cosmovisorPods.remove(uid);
    }

    public int cosmovisorPods() {
        return cosmovisorPods.size();
    }

    private void publish(String uid, String nodeId, String podName, String what,
            java.util.concurrent.CompletableFuture<Void> sent) {
        sent.whenComplete((ok, error) -> {
            if (error != null) {
                pods.remove(uid);
                LOG.error("node {} pod {}: could not publish {} observation: {}; published again at the pod's next "
                        + "update", nodeId, podName, what, error.toString());
            }
        });
    }
}
