package io.haltsupervisor.pollers.pods;

import io.haltsupervisor.schemas.KubeNames;
import io.haltsupervisor.pollers.PollTarget;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where to poll a pod's {@code /status}: {@code http://POD_IP:PORT/status}, PORT being the
 * {@code containerPort} named {@code rpc} (configurable) of the {@code seid} container, else of any
 * container, else 26657. The annotation {@value #KubeNames.STATUS_URL_ANNOTATION} replaces that URL only when the
 * configuration allows it (dev and test setups): honoured by default it would let anyone who can
 * annotate a pod point the poller at any URL.
 */
public final class PodTargets {

    /**
     * @param containerName             the {@code seid} container's name
     * @param rpcPortName               the name of the RPC container port
     * @param defaultRpcPort            the port when none is named
     * @param allowStatusUrlAnnotation  honour {@value #KubeNames.STATUS_URL_ANNOTATION}
     */
    public record Settings(String containerName, String rpcPortName, int defaultRpcPort,
            boolean allowStatusUrlAnnotation) {
        public Settings {
            Objects.requireNonNull(containerName, "containerName");
            Objects.requireNonNull(rpcPortName, "rpcPortName");
        }
    }

    /** A target, or why the pod cannot be polled (yet). */
    public sealed interface Resolution {
        /** Poll {@code target}; {@code note} (may be null) is worth one log line. */
        record Target(PollTarget target, String note) implements Resolution {
        }

        record Skip(String reason) implements Resolution {
        }
    }

    private PodTargets() {
    }

    public static Resolution resolve(Pod pod, String nodeId, Settings settings) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return new Resolution.Skip("pod phase is " + phase);
        }
        Optional<Container> seid = container(pod, settings.containerName());
        if (seid.isEmpty()) {
            return new Resolution.Skip("no container named '" + settings.containerName() + "'");
        }
        String uid = pod.getMetadata().getUid();
        if (uid == null || uid.isBlank()) {
            return new Resolution.Skip("pod has no uid");
        }
        String podName = pod.getMetadata().getName();
        String image = seid.get().getImage();
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String annotated = annotations == null ? null : annotations.get(KubeNames.STATUS_URL_ANNOTATION);
        String note = null;
        if (annotated != null) {
            if (settings.allowStatusUrlAnnotation()) {
                Optional<URI> url = httpUrl(annotated.strip());
                if (url.isEmpty()) {
                    return new Resolution.Skip("annotation " + KubeNames.STATUS_URL_ANNOTATION + " is '" + annotated
                            + "': expected an absolute http(s) URL such as http://HOST:26657/status");
                }
                return new Resolution.Target(new PollTarget(uid, nodeId, podName, url.get(), image),
                        "status URL from annotation " + KubeNames.STATUS_URL_ANNOTATION + ": " + url.get());
            }
            note = "annotation " + KubeNames.STATUS_URL_ANNOTATION + " ignored: POLLER_ALLOW_STATUS_URL_ANNOTATION is false";
        }
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (ip == null || ip.isBlank()) {
            return new Resolution.Skip("pod has no IP yet");
        }
        int port = rpcPort(pod, seid.get(), settings);
        String host = ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
        Optional<URI> url = httpUrl("http://" + host + ":" + port + "/status");
        if (url.isEmpty()) {
            return new Resolution.Skip("pod IP '" + ip + "' does not make a valid URL");
        }
        return new Resolution.Target(new PollTarget(uid, nodeId, podName, url.get(), image), note);
    }

    /** The named container of the pod's spec. */
    public static Optional<Container> container(Pod pod, String name) {
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return Optional.empty();
        }
        return pod.getSpec().getContainers().stream().filter(c -> name.equals(c.getName())).findFirst();
    }

    private static int rpcPort(Pod pod, Container seid, Settings settings) {
        Optional<Integer> own = namedPort(seid.getPorts(), settings.rpcPortName());
        if (own.isPresent()) {
            return own.get();
        }
        for (Container c : pod.getSpec().getContainers()) {
            Optional<Integer> other = namedPort(c.getPorts(), settings.rpcPortName());
            if (other.isPresent()) {
                return other.get();
            }
        }
        return settings.defaultRpcPort();
    }

    private static Optional<Integer> namedPort(List<ContainerPort> ports, String name) {
        if (ports == null) {
            return Optional.empty();
        }
        return ports.stream()
                .filter(p -> name.equals(p.getName()) && p.getContainerPort() != null
                        && p.getContainerPort() > 0 && p.getContainerPort() < 65536)
                .map(ContainerPort::getContainerPort)
                .findFirst();
    }

    public static Optional<URI> httpUrl(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                    || uri.getRawUserInfo() != null) {
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
