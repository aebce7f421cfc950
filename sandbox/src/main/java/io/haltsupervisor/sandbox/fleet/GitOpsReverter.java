package io.haltsupervisor.sandbox.fleet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated GitOps self-heal (Argo CD's {@code selfHeal}, Flux's drift correction) for one object: it holds the
 * image "in Git" and, every poll, sets the live image back to it when someone else changed it, {@code delay} after it
 * first saw the drift — as Argo CD does once its watch reports the change. It marks the object as an Argo CD
 * application's resource ({@code argocd.argoproj.io/tracking-id}) and writes under its field manager name
 * ({@code argocd-controller} by default), so {@code metadata.managedFields} names it.
 *
 * <p>Not modelled: Argo CD writes with a (client-side or server-side) apply of the whole manifest; this one sends a
 * JSON Patch of the image alone, which a real API server records the same way for that field (an {@code Update} by
 * the manager, server-side apply aside: {@code Apply}). Sync waves, hooks, health checks, Flux's interval-driven
 * reconcile (minutes, not a watch) are not modelled.
 */
public final class GitOpsReverter implements AutoCloseable {
    /** The field manager name Argo CD's application controller writes under. */
    public static final String ARGOCD_MANAGER = "argocd-controller";
    public static final String TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id";

    private static final Logger LOG = LoggerFactory.getLogger(GitOpsReverter.class);
    private static final Duration POLL = Duration.ofMillis(50);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String container;
    private final String manager;
    private final Duration delay;
    private final ScheduledExecutorService loop;
    private final AtomicInteger reverts = new AtomicInteger();
    private volatile String gitImage;
    private long driftSince = -1;

    private GitOpsReverter(KubernetesClient client, String namespace, String name, String container, String gitImage,
            String manager, Duration delay, String application) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = namespace;
        this.name = name;
        this.container = container;
        this.gitImage = Objects.requireNonNull(gitImage, "gitImage");
        this.manager = manager;
        this.delay = delay;
        String kind = container == null ? "sei.io/SeiNetwork" : "apps/StatefulSet";
        patch(List.of(Map.of("op", "add", "path", "/metadata/annotations", "value", annotationsWith(
                TRACKING_ANNOTATION, application + ":" + kind + ":" + namespace + "/" + name))));
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gitops-reverter-" + name);
            t.setDaemon(true);
            return t;
        });
        loop.scheduleWithFixedDelay(this::tick, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Keeps the {@code container} image of StatefulSet {@code namespace/name} at {@code gitImage}, as Argo CD would. */
    public static GitOpsReverter onStatefulSet(KubernetesClient client, String namespace, String name, String container,
            String gitImage, Duration delay) {
        return new GitOpsReverter(client, namespace, name, Objects.requireNonNull(container, "container"), gitImage,
                ARGOCD_MANAGER, delay, name);
    }

    /** Keeps {@code spec.image} of SeiNetwork {@code namespace/name} at {@code gitImage}, as Argo CD would. */
    public static GitOpsReverter onSeiNetwork(KubernetesClient client, String namespace, String name, String gitImage,
            Duration delay) {
        return new GitOpsReverter(client, namespace, name, null, gitImage, ARGOCD_MANAGER, delay, name);
    }

    /** Someone committed {@code image} to Git: from now on that is what it keeps. */
    public void commit(String image) {
        gitImage = Objects.requireNonNull(image, "image");
    }

    /** How many times it set the image back. */
    public int reverts() {
        return reverts.get();
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }

    private HasMetadata read() {
        return container == null
                ? client.genericKubernetesResources(InMemoryKubernetes.SEINETWORK_CONTEXT).inNamespace(namespace)
                        .withName(name).get()
                : client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    }

    private Map<String, String> annotationsWith(String key, String value) {
        HasMetadata object = read();
        Map<String, String> a = new java.util.LinkedHashMap<>();
        if (object != null && object.getMetadata().getAnnotations() != null) {
            a.putAll(object.getMetadata().getAnnotations());
        }
        a.put(key, value);
        return a;
    }

    private void tick() {
        try {
            HasMetadata object = read();
            if (object == null) {
                return;
            }
            String live;
            String path;
            if (object instanceof StatefulSet sts) {
                List<Container> containers = sts.getSpec().getTemplate().getSpec().getContainers();
                int index = -1;
                for (int i = 0; i < containers.size(); i++) {
                    if (container.equals(containers.get(i).getName())) {
                        index = i;
                    }
                }
                if (index < 0) {
                    return;
                }
                live = containers.get(index).getImage();
                path = "/spec/template/spec/containers/" + index + "/image";
            } else {
                Object image = ((GenericKubernetesResource) object).get("spec", "image");
                live = image == null ? null : image.toString();
                path = "/spec/image";
            }
            String want = gitImage;
            if (want.equals(live)) {
                driftSince = -1;
                return;
            }
            long now = System.nanoTime();
            if (driftSince < 0) {
                driftSince = now;
            }
            if (now - driftSince < delay.toNanos()) {
                return;
            }
            patch(List.of(Map.of("op", "test", "path", path, "value", live),
                    Map.of("op", "replace", "path", path, "value", want)));
            reverts.incrementAndGet();
            driftSince = -1;
            LOG.info("simulated GitOps self-heal ({}): {} {}/{} image {} set back to {} (Git)", manager,
                    container == null ? "SeiNetwork" : "StatefulSet", namespace, name, live, want);
        } catch (KubernetesClientException e) {
            LOG.debug("simulated GitOps self-heal: {} not set back this time: {}", name, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("simulated GitOps self-heal of {} failed", name, e);
        }
    }

    private void patch(List<Map<String, Object>> ops) {
        PatchContext context = new PatchContext.Builder().withPatchType(PatchType.JSON).withFieldManager(manager)
                .build();
        String json = io.fabric8.kubernetes.client.utils.Serialization.asJson(ops);
        if (container == null) {
            client.genericKubernetesResources(InMemoryKubernetes.SEINETWORK_CONTEXT).inNamespace(namespace)
                    .withName(name).patch(context, json);
        } else {
            client.apps().statefulSets().inNamespace(namespace).withName(name).patch(context, json);
        }
    }
}
