package io.haltsupervisor.pollers.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ObservationSource;
import io.haltsupervisor.schemas.SampleEvents;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodStateTrackerTest {
    private static final String NODE = "sei/rpc-0";
    private static final Instant T = SampleEvents.T0;
    private static final String IMAGE = "ghcr.io/sei-protocol/seid:v5.9.0";

    /** A pod whose seid container status is given by the builder customiser. */
    static PodBuilder pod(String image) {
        return new PodBuilder()
                .withNewMetadata().withName("rpc-0").withNamespace("sei").withUid("uid-1").endMetadata()
                .withNewSpec().addNewContainer().withName("seid").withImage(image).endContainer()
                .addNewContainer().withName("sidecar").withImage("busybox").endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus();
    }

    static Pod withStatus(PodBuilder pod, ContainerStatusBuilder status) {
        return pod.editStatus().withContainerStatuses(status.withName("seid").build()).endStatus().build();
    }

    static ContainerStatusBuilder running(boolean ready, int restarts) {
        return new ContainerStatusBuilder().withReady(ready).withRestartCount(restarts)
                .withNewState().withNewRunning().withStartedAt("2026-11-20T10:16:00Z").endRunning().endState();
    }

    static ContainerStatusBuilder crashLooping(int lastCode, String containerId, String finishedAt, int restarts) {
        return new ContainerStatusBuilder().withReady(false).withRestartCount(restarts)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
                .withNewLastState().withNewTerminated().withExitCode(lastCode).withContainerID(containerId)
                .withStartedAt("2026-11-20T10:10:00Z").withFinishedAt(finishedAt).endTerminated().endLastState();
    }

    @Test
    void firstSightPublishesThePodState() {
        PodStateTracker.Step step = PodStateTracker.observe(null, withStatus(pod(IMAGE), running(true, 0)), NODE,
                "seid", T);
        assertThat(step.halts()).isEmpty();
        assertThat(step.pod().image()).isEqualTo(IMAGE);
        assertThat(step.pod().ready()).isTrue();
        assertThat(step.pod().phase()).isEqualTo("Running");
        assertThat(step.pod().cosmovisor()).isFalse();
        assertThat(step.pod().deleted()).isFalse();
        assertThat(step.cosmovisorReason()).isNull();
    }

    @Test
    void publishesPodStateOnlyWhenImageOrReadinessChanges() {
        PodStateTracker.Step first = PodStateTracker.observe(null, withStatus(pod(IMAGE), running(true, 0)), NODE,
                "seid", T);
        PodStateTracker.Step same = PodStateTracker.observe(first.next(), withStatus(pod(IMAGE), running(true, 0)),
                NODE, "seid", T.plusSeconds(1));
        assertThat(same.pod()).isNull();
        PodStateTracker.Step unready = PodStateTracker.observe(same.next(), withStatus(pod(IMAGE), running(false, 0)),
                NODE, "seid", T.plusSeconds(2));
        assertThat(unready.pod().ready()).isFalse();
        PodStateTracker.Step newImage = PodStateTracker.observe(unready.next(),
                withStatus(pod("ghcr.io/sei-protocol/seid:v6.0.1"), running(false, 0)), NODE, "seid", T.plusSeconds(3));
        assertThat(newImage.pod().image()).isEqualTo("ghcr.io/sei-protocol/seid:v6.0.1");
    }

    @Test
    void carriesTheControllerReportedImageOfASeiNodeAndPublishesAgainWhenItChanges() {
        String v6 = "ghcr.io/sei-protocol/seid:v6.0.1";
        PodStateTracker.Step first = PodStateTracker.observe(null, withStatus(pod(v6), running(false, 0)), NODE,
                "seid", T, IMAGE);
        assertThat(first.pod().image()).isEqualTo(v6);
        assertThat(first.pod().currentImage()).as("the controller has not stamped v6 yet").isEqualTo(IMAGE);
        PodStateTracker.Step same = PodStateTracker.observe(first.next(), withStatus(pod(v6), running(false, 0)), NODE,
                "seid", T.plusSeconds(1), IMAGE);
        assertThat(same.pod()).isNull();
        PodStateTracker.Step stamped = PodStateTracker.observe(same.next(), withStatus(pod(v6), running(false, 0)),
                NODE, "seid", T.plusSeconds(2), v6);
        assertThat(stamped.pod().currentImage()).isEqualTo(v6);
        assertThat(PodStateTracker.observe(null, withStatus(pod(v6), running(true, 0)), NODE, "seid", T).pod()
                .currentImage()).as("not a SeiNode").isNull();
    }

    @Test
    void anExitCodeHaltInLastStateIsPublishedOncePerContainerInstance() {
        Pod first = withStatus(pod(IMAGE), crashLooping(70, "containerd://a", "2026-11-20T10:15:01Z", 1));
        PodStateTracker.Step s1 = PodStateTracker.observe(null, first, NODE, "seid", T);
        assertThat(s1.halts()).hasSize(1);
        HaltObserved halt = s1.halts().get(0);
        assertThat(halt.source()).isEqualTo(ObservationSource.EXIT_CODE);
        assertThat(halt.reasonCode()).isEqualTo(70);
        assertThat(halt.reason()).isEqualTo("upgrade_required");
        assertThat(halt.podUid()).isEqualTo("uid-1");
        assertThat(halt.containerId()).isEqualTo("containerd://a");
        assertThat(halt.restartCount()).isEqualTo(1);
        assertThat(halt.finishedAt()).isEqualTo(Instant.parse("2026-11-20T10:15:01Z"));
        assertThat(halt.image()).isEqualTo(IMAGE);
        assertThat(halt.intent()).isNull();
        assertThat(s1.pod().lastExitCode()).isEqualTo(70);

        PodStateTracker.Step again = PodStateTracker.observe(s1.next(), first, NODE, "seid", T.plusSeconds(1));
        assertThat(again.halts()).isEmpty();

        Pod restarted = withStatus(pod(IMAGE), crashLooping(70, "containerd://b", "2026-11-20T10:15:31Z", 2));
        PodStateTracker.Step s2 = PodStateTracker.observe(again.next(), restarted, NODE, "seid", T.plusSeconds(30));
        assertThat(s2.halts()).extracting(HaltObserved::containerId).containsExactly("containerd://b");
        assertThat(s2.halts().get(0).restartCount()).isEqualTo(2);
    }

    @Test
    void aTerminationMovingFromStateToLastStateIsNotPublishedTwice() {
        Pod terminated = withStatus(pod(IMAGE), new ContainerStatusBuilder().withReady(false).withRestartCount(0)
                .withNewState().withNewTerminated().withExitCode(72).withContainerID("containerd://x")
                .withStartedAt("2026-11-20T10:00:00Z").withFinishedAt("2026-11-20T10:15:00Z").endTerminated().endState());
        PodStateTracker.Step s1 = PodStateTracker.observe(null, terminated, NODE, "seid", T);
        assertThat(s1.halts()).extracting(HaltObserved::reasonCode).containsExactly(72);

        Pod restarted = withStatus(pod(IMAGE), new ContainerStatusBuilder().withReady(false).withRestartCount(1)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
                .withNewLastState().withNewTerminated().withExitCode(72).withContainerID("containerd://x")
                .withStartedAt("2026-11-20T10:00:00Z").withFinishedAt("2026-11-20T10:15:00Z").endTerminated()
                .endLastState());
        assertThat(PodStateTracker.observe(s1.next(), restarted, NODE, "seid", T.plusSeconds(5)).halts()).isEmpty();
    }

    @Test
    void otherExitCodesAreNotHaltsButAreRecorded() {
        for (int code : List.of(0, 1, 2, 69, 90, 137, 143)) {
            PodStateTracker.Step s = PodStateTracker.observe(null,
                    withStatus(pod(IMAGE), crashLooping(code, "containerd://c" + code, "2026-11-20T10:15:01Z", 1)),
                    NODE, "seid", T);
            assertThat(s.halts()).as("exit code %d", code).isEmpty();
            assertThat(s.pod().lastExitCode()).isEqualTo(code);
        }
    }

    @Test
    void reservedCodesAreHaltsWithTheRawCodeKept() {
        PodStateTracker.Step s = PodStateTracker.observe(null,
                withStatus(pod(IMAGE), crashLooping(84, "containerd://r", "2026-11-20T10:15:01Z", 1)), NODE, "seid", T);
        assertThat(s.halts()).extracting(HaltObserved::reasonCode).containsExactly(84);
        assertThat(s.halts().get(0).reason()).isEqualTo("reserved_operator");
    }

    @Test
    void onlyTheConfiguredContainerCounts() {
        Pod pod = pod(IMAGE).editStatus().withContainerStatuses(
                crashLooping(70, "containerd://side", "2026-11-20T10:15:01Z", 1).withName("sidecar").build(),
                running(true, 0).withName("seid").build()).endStatus().build();
        assertThat(PodStateTracker.observe(null, pod, NODE, "seid", T).halts()).isEmpty();
    }

    @Test
    void anUnparsableFinishedAtIsKeptAsUnknown() {
        PodStateTracker.Step s = PodStateTracker.observe(null,
                withStatus(pod(IMAGE), crashLooping(71, "containerd://t", "last tuesday", 1)), NODE, "seid", T);
        assertThat(s.halts()).hasSize(1);
        assertThat(s.halts().get(0).finishedAt()).isNull();
    }

    @Test
    void detectsCosmovisorByCommandOrDaemonNameAndSaysSoOnce() {
        Pod byCommand = pod(IMAGE).editSpec().editFirstContainer().withCommand("/usr/bin/cosmovisor")
                .withArgs("run", "start").endContainer().endSpec().build();
        PodStateTracker.Step s1 = PodStateTracker.observe(null, byCommand, NODE, "seid", T);
        assertThat(s1.pod().cosmovisor()).isTrue();
        assertThat(s1.cosmovisorReason()).contains("cosmovisor");
        assertThat(PodStateTracker.observe(s1.next(), byCommand, NODE, "seid", T).cosmovisorReason()).isNull();

        Pod byEnv = pod(IMAGE).editSpec().editFirstContainer().addNewEnv().withName("DAEMON_NAME").withValue("seid")
                .endEnv().endContainer().endSpec().build();
        assertThat(PodStateTracker.observe(null, byEnv, NODE, "seid", T).cosmovisorReason()).contains("DAEMON_NAME");

        Pod byArgs = pod(IMAGE).editSpec().editFirstContainer().withCommand("/bin/sh")
                .withArgs("-c", "exec COSMOVISOR run start").endContainer().endSpec().build();
        assertThat(PodStateTracker.observe(null, byArgs, NODE, "seid", T).pod().cosmovisor()).isTrue();

        Pod plain = pod(IMAGE).editSpec().editFirstContainer().withCommand("seid").withArgs("start").endContainer()
                .endSpec().build();
        assertThat(PodStateTracker.observe(null, plain, NODE, "seid", T).pod().cosmovisor()).isFalse();
    }

    @Test
    void aDeletedPodIsObservedAsDeleted() {
        var deleted = PodStateTracker.deleted(withStatus(pod(IMAGE), running(true, 3)), NODE, "seid", T);
        assertThat(deleted.deleted()).isTrue();
        assertThat(deleted.ready()).isFalse();
        assertThat(deleted.image()).isEqualTo(IMAGE);
        assertThat(deleted.restartCount()).isEqualTo(3);
    }
}
