package io.haltsupervisor.pollers.pods;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads pod owners (StatefulSet, ReplicaSet, Deployment) from the API for {@link NodeIdentity}, caching each
 * answer (found or not) for a while: owners change rarely and a fleet has many pods per owner. Needs
 * {@code get} on those resources. API failures propagate (the caller retries).
 */
public final class KubernetesOwnerLookup implements NodeIdentity.OwnerLookup {
    private static final int MAX_ENTRIES = 10_000;

    private final KubernetesClient client;
    private final long ttlNanos;
    private final Map<String, Entry> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    private record Entry(Optional<? extends HasMetadata> value, long at) {
    }

    public KubernetesOwnerLookup(KubernetesClient client, Duration ttl) {
        this.client = client;
        this.ttlNanos = ttl.toNanos();
    }

    @Override
    public Optional<? extends HasMetadata> find(String namespace, String kind, String name) {
        String key = kind + "/" + namespace + "/" + name;
        long now = System.nanoTime();
        synchronized (cache) {
            Entry e = cache.get(key);
            if (e != null && now - e.at() < ttlNanos) {
                return e.value();
            }
        }
        Optional<? extends HasMetadata> value = switch (kind) {
            case "StatefulSet" -> Optional.ofNullable(
                    client.apps().statefulSets().inNamespace(namespace).withName(name).get());
            case "ReplicaSet" -> Optional.ofNullable(
                    client.apps().replicaSets().inNamespace(namespace).withName(name).get());
            case "Deployment" -> Optional.ofNullable(
                    client.apps().deployments().inNamespace(namespace).withName(name).get());
            default -> Optional.empty();
        };
        synchronized (cache) {
            cache.put(key, new Entry(value, now));
        }
        return value;
    }
}
