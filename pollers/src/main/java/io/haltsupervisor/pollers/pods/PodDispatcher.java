package io.haltsupervisor.pollers.pods;

import io.haltsupervisor.pollers.Shard;
import io.haltsupervisor.pollers.status.StatusPoller;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods informer's handler: resolves each pod's node id ({@link NodeIdentity}), keeps only this
 * replica's shard, and feeds the pod watcher and the status poller's targets. Pods without the {@code seid}
 * container are ignored. If the node id cannot be resolved (API unavailable) the pod is retried later.
 */
public final class PodDispatcher implements ResourceEventHandler<Pod> {
    private static final Logger LOG = LoggerFactory.getLogger(PodDispatcher.class);
    private static final long RETRY_SECONDS = 5;

    private final PodTargets.Settings settings;
    private final NodeIdentity.OwnerLookup owners;
    private final ControllerImages.Lookup images;
    private final Shard shard;
    private final StatusPoller poller;
    private final PodWatcher watcher;
    private final ScheduledExecutorService retries;
    private final Map<String, NodeIdentity.Node> nodeIds = new ConcurrentHashMap<>();
    private final Map<String, String> notes = new ConcurrentHashMap<>();
    private final Map<String, Pod> awaitingRetry = new ConcurrentHashMap<>();

    /**
     * @param poller  the status poller, or null when status polling is off
     * @param watcher the pod watcher, or null when pod watching is off
     */
    public PodDispatcher(PodTargets.Settings settings, NodeIdentity.OwnerLookup owners, Shard shard,
            StatusPoller poller, PodWatcher watcher, ScheduledExecutorService retries) {
        this(settings, owners, (namespace, name) -> null, shard, poller, watcher, retries);
    }

    /**
     * @param images the current image a SeiNode's controller reports ({@link ControllerImages}), read for the pods
     *               of SeiNodes and published on their pod observations
     */
    public PodDispatcher(PodTargets.Settings settings, NodeIdentity.OwnerLookup owners, ControllerImages.Lookup images,
            Shard shard, StatusPoller poller, PodWatcher watcher, ScheduledExecutorService retries) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.owners = Objects.requireNonNull(owners, "owners");
        this.images = Objects.requireNonNull(images, "images");
        this.shard = Objects.requireNonNull(shard, "shard");
        this.poller = poller;
        this.watcher = watcher;
        this.retries = Objects.requireNonNull(retries, "retries");
    }

    @Override
    public void onAdd(Pod pod) {
        handle(pod);
    }

    @Override
    public void onUpdate(Pod oldPod, Pod newPod) {
        handle(newPod);
    }

    @Override
    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
        String uid = pod.getMetadata().getUid();
        awaitingRetry.remove(uid);
        notes.remove(uid);
        if (poller != null) {
            poller.remove(uid);
        }
        NodeIdentity.Node node = nodeIds.remove(uid);
        if (node == null || PodTargets.container(pod, settings.containerName()).isEmpty()) {
            return; // never ours
        }
        if (watcher != null) {
            watcher.onDeleted(pod, node.id());
        }
    }

    private void handle(Pod pod) {
        String uid = pod.getMetadata().getUid();
        String where = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        try {
            if (uid == null || PodTargets.container(pod, settings.containerName()).isEmpty()) {
                note(uid == null ? where : uid, where, "ignored: no container named '" + settings.containerName()
                        + "'" + (uid == null ? " or no uid" : ""));
                return;
            }
            NodeIdentity.Node node = nodeIds.get(uid);
            if (node == null) {
                node = NodeIdentity.resolveNode(pod, owners);
            }
            String nodeId = node.id();
            awaitingRetry.remove(uid);
            if (!shard.owns(nodeId)) {
                nodeIds.remove(uid);
                release(uid);
                note(uid, where, "node " + nodeId + " belongs to another replica's shard");
                return;
            }
            if (nodeIds.put(uid, node) == null) {
                LOG.info("node {} pod {}: watching (shard {}/{})", nodeId, where, shard.ordinal(), shard.replicas());
            }
            if (watcher != null) {
                watcher.onPod(pod, nodeId, node.seiNode() ? images.currentImage(node.namespace(), node.name()) : null);
            }
            if (poller != null) {
                PodTargets.Resolution resolution = PodTargets.resolve(pod, nodeId, settings);
                if (resolution instanceof PodTargets.Resolution.Target t) {
                    if (t.note() != null) {
                        note(uid, where, t.note());
                    }
                    poller.upsert(t.target());
                } else if (resolution instanceof PodTargets.Resolution.Skip skip) {
                    note(uid, where, "not polled: " + skip.reason());
                    poller.remove(uid);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("pod {}: cannot handle it yet ({}); retrying in {}s", where, e.toString(), RETRY_SECONDS);
            if (uid != null) {
                awaitingRetry.put(uid, pod);
                retries.schedule(() -> {
                    Pod latest = awaitingRetry.remove(uid);
                    if (latest != null) {
                        handle(latest);
                    }
                }, RETRY_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    private void release(String uid) {
        if (poller != null) {
            poller.remove(uid);
        }
        if (watcher != null) {
            watcher.forget(uid);
        }
    }

    /** Logs a note about a pod once (again only when it changes). */
    private void note(String key, String where, String note) {
        if (!note.equals(notes.put(key, note))) {
            LOG.info("pod {}: {}", where, note);
        }
    }
}
