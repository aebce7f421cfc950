package io.haltsupervisor.pollers.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.haltsupervisor.schemas.HaltCode;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.ShutdownReason;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the pod watcher publishes for one pod, as a pure function of what it published before and the
 * pod's latest state.
 * <ul>
 *   <li>{@link HaltObserved} (source {@code exit-code}) for each terminated instance of the {@code seid}
 *       container whose exit code is 70–89, found in {@code state.terminated} (not restarted yet) or
 *       {@code lastState.terminated} (after a restart) — once per instance, recognised by container id and
 *       {@code finishedAt}, so the same termination moving from {@code state} to {@code lastState} is not
 *       reported twice. A crash loop still yields one observation per restart; the decider folds those
 *       into one incident. Other exit codes are not halts.</li>
 *   <li>{@link PodStateObserved} when the pod is first seen, and when the container's image, readiness,
 *       cosmovisor flag or (for a SeiNode) the controller-reported current image changes (the decider learns the previous running image from these), and when the
 *       pod is deleted.</li>
 * </ul>
 */
public final class PodStateTracker {
    private static final int REMEMBERED_TERMINATIONS = 16;

    /** What was published for a pod. */
    public record State(String image, boolean ready, boolean cosmovisor, Set<String> terminations,
            String currentImage) {
        public State {
            terminations = Set.copyOf(terminations);
        }

        public State(String image, boolean ready, boolean cosmovisor, Set<String> terminations) {
            this(image, ready, cosmovisor, terminations, null);
        }
    }

    /**
     * The next state and what to publish.
     *
     * @param halts            exit-code halts to publish, oldest first
     * @param pod              the pod observation to publish, or null
     * @param cosmovisorReason why the pod was newly found to run cosmovisor, or null
     */
    public record Step(State next, List<HaltObserved> halts, PodStateObserved pod, String cosmovisorReason) {
        public Step {
            Objects.requireNonNull(next, "next");
            halts = List.copyOf(halts);
        }
    }

    private PodStateTracker() {
    }

    /**
     * @param previous  what was published for this pod (by uid), or null when first seen
     * @param container the {@code seid} container's name
     */
    public static Step observe(State previous, Pod pod, String nodeId, String container, Instant now) {
        return observe(previous, pod, nodeId, container, now, null);
    }

    /**
     * @param currentImage the image the pod's SeiNode controller reports the node runs (null: not a SeiNode, or
     *                     none reported), published on the pod observation
     */
    public static Step observe(State previous, Pod pod, String nodeId, String container, Instant now,
            String currentImage) {
        Container spec = PodTargets.container(pod, container).orElseThrow(() -> new IllegalArgumentException(
                "pod " + pod.getMetadata().getName() + " has no container named '" + container + "'"));
        Optional<ContainerStatus> status = containerStatus(pod, container);
        String image = spec.getImage() == null || spec.getImage().isBlank() ? "unknown" : spec.getImage();
        boolean ready = status.map(s -> Boolean.TRUE.equals(s.getReady())).orElse(false);
        int restarts = status.map(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).orElse(0);
        Optional<String> cosmovisor = Cosmovisor.detect(spec);
        String podName = pod.getMetadata().getName();
        String podUid = pod.getMetadata().getUid();

        List<ContainerStateTerminated> terminated = new ArrayList<>();
        status.map(s -> s.getLastState() == null ? null : s.getLastState().getTerminated()).ifPresent(terminated::add);
        status.map(s -> s.getState() == null ? null : s.getState().getTerminated()).ifPresent(terminated::add);

        Set<String> seen = new LinkedHashSet<>(previous == null ? Set.of() : previous.terminations());
        List<HaltObserved> halts = new ArrayList<>();
        for (ContainerStateTerminated t : terminated) {
            Integer code = t.getExitCode();
            if (code == null || !ShutdownReason.isGraceful(code)) {
                continue;
            }
            String key = terminationKey(t);
            if (!seen.add(key)) {
                continue;
            }
            halts.add(HaltObserved.fromExitCode(nodeId, new HaltCode(code), now, podName, podUid,
                    blankToNull(t.getContainerID()), restarts, instant(t.getFinishedAt()), image));
        }
        while (seen.size() > REMEMBERED_TERMINATIONS) {
            seen.remove(seen.iterator().next());
        }

        State next = new State(image, ready, cosmovisor.isPresent(), seen, currentImage);
        boolean changed = previous == null || !previous.image().equals(image) || previous.ready() != ready
                || previous.cosmovisor() != cosmovisor.isPresent()
                || !Objects.equals(previous.currentImage(), currentImage);
        PodStateObserved observed = changed ? podState(pod, nodeId, now, image, ready, restarts,
                lastExitCode(status), cosmovisor.isPresent(), false).withCurrentImage(currentImage) : null;
        String newlyCosmovisor = cosmovisor.isPresent() && (previous == null || !previous.cosmovisor())
                ? cosmovisor.get() : null;
        return new Step(next, halts, observed, newlyCosmovisor);
    }

    /** The observation to publish when the pod is deleted. */
    public static PodStateObserved deleted(Pod pod, String nodeId, String container, Instant now) {
        Optional<Container> spec = PodTargets.container(pod, container);
        Optional<ContainerStatus> status = containerStatus(pod, container);
        String image = spec.map(Container::getImage).filter(i -> !i.isBlank()).orElse("unknown");
        int restarts = status.map(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).orElse(0);
        return podState(pod, nodeId, now, image, false, restarts, lastExitCode(status),
                spec.flatMap(Cosmovisor::detect).isPresent(), true);
    }

    private static PodStateObserved podState(Pod pod, String nodeId, Instant now, String image, boolean ready,
            int restarts, Integer lastExitCode, boolean cosmovisor, boolean deleted) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return PodStateObserved.of(nodeId, now, pod.getMetadata().getName(), pod.getMetadata().getUid(), image,
                ready, phase, restarts, lastExitCode, cosmovisor, deleted);
    }

    private static Integer lastExitCode(Optional<ContainerStatus> status) {
        if (status.isEmpty()) {
            return null;
        }
        ContainerStatus s = status.get();
        if (s.getState() != null && s.getState().getTerminated() != null) {
            return s.getState().getTerminated().getExitCode();
        }
        if (s.getLastState() != null && s.getLastState().getTerminated() != null) {
            return s.getLastState().getTerminated().getExitCode();
        }
        return null;
    }

    static Optional<ContainerStatus> containerStatus(Pod pod, String container) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream().filter(s -> container.equals(s.getName())).findFirst();
    }

    /** Identifies one terminated container instance: its id, else its finish time and start time. */
    static String terminationKey(ContainerStateTerminated t) {
        String id = blankToNull(t.getContainerID());
        return (id == null ? "" : id) + "|" + Objects.toString(t.getFinishedAt(), "") + "|"
                + Objects.toString(t.getStartedAt(), "");
    }

    static Instant instant(String time) {
        if (time == null || time.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(time.strip()).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
