package io.haltsupervisor.pollers.pods;

import io.haltsupervisor.schemas.KubeNames;
import io.haltsupervisor.pollers.PollTarget;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.URI;
import org.junit.jupiter.api.Test;

class PodTargetsTest {
    private static final PodTargets.Settings STRICT = new PodTargets.Settings("seid", "rpc", 26657, false);
    private static final PodTargets.Settings DEV = new PodTargets.Settings("seid", "rpc", 26657, true);

    static PodBuilder pod() {
        return new PodBuilder().withNewMetadata().withName("rpc-0").withNamespace("sei").withUid("uid-1").endMetadata()
                .withNewSpec().addNewContainer().withName("seid").withImage("ghcr.io/sei-protocol/seid:v5.9.0")
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.1.2.3").endStatus();
    }

    private static PodTargets.Resolution.Target target(Pod pod, PodTargets.Settings settings) {
        PodTargets.Resolution r = PodTargets.resolve(pod, "sei/rpc", settings);
        assertThat(r).isInstanceOf(PodTargets.Resolution.Target.class);
        return (PodTargets.Resolution.Target) r;
    }

    private static String skip(Pod pod, PodTargets.Settings settings) {
        PodTargets.Resolution r = PodTargets.resolve(pod, "sei/rpc", settings);
        assertThat(r).isInstanceOf(PodTargets.Resolution.Skip.class);
        return ((PodTargets.Resolution.Skip) r).reason();
    }

    @Test
    void pollsThePodIpOnTheDefaultPort() {
        PollTarget t = target(pod().build(), STRICT).target();
        assertThat(t.statusUrl()).isEqualTo(URI.create("http://10.1.2.3:26657/status"));
        assertThat(t.key()).isEqualTo("uid-1");
        assertThat(t.nodeId()).isEqualTo("sei/rpc");
        assertThat(t.podName()).isEqualTo("rpc-0");
        assertThat(t.image()).isEqualTo("ghcr.io/sei-protocol/seid:v5.9.0");
    }

    @Test
    void usesThePortNamedRpcOfTheSeidContainerFirst() {
        Pod pod = pod().editSpec().editFirstContainer().addNewPort().withName("p2p").withContainerPort(26656).endPort()
                .addNewPort().withName("rpc").withContainerPort(36657).endPort().endContainer()
                .addNewContainer().withName("proxy").addNewPort().withName("rpc").withContainerPort(8080).endPort()
                .endContainer().endSpec().build();
        assertThat(target(pod, STRICT).target().statusUrl()).isEqualTo(URI.create("http://10.1.2.3:36657/status"));
    }

    @Test
    void fallsBackToAPortNamedRpcOnAnotherContainer() {
        Pod pod = pod().editSpec().addNewContainer().withName("proxy").addNewPort().withName("rpc")
                .withContainerPort(8080).endPort().endContainer().endSpec().build();
        assertThat(target(pod, STRICT).target().statusUrl()).isEqualTo(URI.create("http://10.1.2.3:8080/status"));
    }

    @Test
    void bracketsAnIpv6PodIp() {
        Pod pod = pod().editStatus().withPodIP("fd00::12").endStatus().build();
        assertThat(target(pod, STRICT).target().statusUrl()).isEqualTo(URI.create("http://[fd00::12]:26657/status"));
    }

    @Test
    void skipsPodsWithoutIpWithoutSeidOrFinished() {
        assertThat(skip(pod().editStatus().withPodIP(null).endStatus().build(), STRICT)).isEqualTo("pod has no IP yet");
        assertThat(skip(pod().editSpec().editFirstContainer().withName("node").endContainer().endSpec().build(), STRICT))
                .isEqualTo("no container named 'seid'");
        assertThat(skip(pod().editStatus().withPhase("Failed").endStatus().build(), STRICT))
                .isEqualTo("pod phase is Failed");
    }

    @Test
    void ignoresTheStatusUrlAnnotationUnlessAllowed() {
        Pod annotated = pod().editMetadata().addToAnnotations(KubeNames.STATUS_URL_ANNOTATION,
                "http://169.254.169.254/latest/meta-data").endMetadata().build();
        PodTargets.Resolution.Target strict = target(annotated, STRICT);
        assertThat(strict.target().statusUrl()).isEqualTo(URI.create("http://10.1.2.3:26657/status"));
        assertThat(strict.note()).contains("ignored").contains("POLLER_ALLOW_STATUS_URL_ANNOTATION");

        assertThat(target(annotated, DEV).target().statusUrl())
                .isEqualTo(URI.create("http://169.254.169.254/latest/meta-data"));
    }

    @Test
    void theAnnotationWorksWithoutAPodIpWhenAllowed() {
        Pod annotated = pod().editMetadata().addToAnnotations(KubeNames.STATUS_URL_ANNOTATION,
                "http://127.0.0.1:4000/nodes/rpc-0/status").endMetadata().editStatus().withPodIP(null).endStatus().build();
        assertThat(target(annotated, DEV).target().statusUrl())
                .isEqualTo(URI.create("http://127.0.0.1:4000/nodes/rpc-0/status"));
    }

    @Test
    void anInvalidAnnotatedUrlIsNamedAndSkipped() {
        for (String bad : new String[] {"ftp://x/status", "not a url", "/status", "http://user:pw@host/status"}) {
            Pod annotated = pod().editMetadata().addToAnnotations(KubeNames.STATUS_URL_ANNOTATION, bad).endMetadata()
                    .build();
            assertThat(skip(annotated, DEV)).contains(KubeNames.STATUS_URL_ANNOTATION).contains("expected an absolute");
        }
    }
}
