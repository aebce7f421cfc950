package io.haltsupervisor.pollers.mappings;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the status poller the upgrade heights of the image mappings, read from the labelled ConfigMaps the mapping
 * sync publishes (every poller replica watches them when height-aware polling is on; only ordinal 0 publishes).
 * The ConfigMaps are parsed as the mapping sync parses them ({@link MappingReconciler#desired}): a rejected entry
 * and a mapping without {@code height=} give no height. A mapping written only to the topic with
 * {@code supervisor mapping put} is not seen here (docs/operations.md, height-aware polling).
 */
public final class UpgradeHeights implements ResourceEventHandler<ConfigMap> {
    private static final Logger LOG = LoggerFactory.getLogger(UpgradeHeights.class);

    private final Supplier<Collection<ConfigMap>> configMaps;
    private final Consumer<Collection<Long>> target;
    private TreeSet<Long> last = new TreeSet<>();

    public UpgradeHeights(Supplier<Collection<ConfigMap>> configMaps, Consumer<Collection<Long>> target) {
        this.configMaps = Objects.requireNonNull(configMaps, "configMaps");
        this.target = Objects.requireNonNull(target, "target");
    }

    /** The upgrade heights the ConfigMaps map, ascending, without duplicates. */
    static List<Long> heights(Collection<ConfigMap> configMaps) {
        List<MappingReconciler.Source> sources = configMaps.stream()
                .map(cm -> new MappingReconciler.Source(cm.getMetadata().getNamespace(), cm.getMetadata().getName(),
                        cm.getMetadata().getUid(), cm.getData()))
                .toList();
        TreeSet<Long> heights = new TreeSet<>();
        MappingReconciler.desired(sources).mappings().values().forEach(e -> {
            if (e.mapping().upgradeHeight() != null) {
                heights.add(e.mapping().upgradeHeight());
            }
        });
        return List.copyOf(heights);
    }

    synchronized void refresh() {
        TreeSet<Long> now = new TreeSet<>(heights(configMaps.get()));
        target.accept(List.copyOf(now));
        if (!now.equals(last)) {
            LOG.info("height-aware polling: mapped upgrade heights {}", now.isEmpty() ? "(none)" : now);
            last = now;
        }
    }

    @Override
    public void onAdd(ConfigMap cm) {
        refresh();
    }

    @Override
    public void onUpdate(ConfigMap oldCm, ConfigMap newCm) {
        refresh();
    }

    @Override
    public void onDelete(ConfigMap cm, boolean deletedFinalStateUnknown) {
        refresh();
    }
}
