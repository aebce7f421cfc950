package io.haltsupervisor.pollers.mappings;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpgradeHeightsTest {

    private static ConfigMap cm(String name, Map<String, String> data) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace("sei").withName(name).withUid("uid-" + name)
                .endMetadata().withData(data).build();
    }

    @Test
    void mapsOnlyTheHeightsOfValidMappingsThatHaveOne() {
        List<Long> heights = UpgradeHeights.heights(List.of(
                cm("a", Map.of("v6", "ghcr.io/sei-protocol/seid:v6.0.1 height=1000000",
                        "v7", "ghcr.io/sei-protocol/seid:v7.0.0",
                        "bad", "not an image height=5")),
                cm("b", Map.of("v8", "ghcr.io/sei-protocol/seid:v8.0.0 height=3000000",
                        "v6", "ghcr.io/sei-protocol/seid:v6.0.1 height=1000000"))));
        assertThat(heights).containsExactly(1_000_000L, 3_000_000L);
    }

    @Test
    void handsTheStatusPollerTheHeightsOnEveryChange() {
        List<ConfigMap> store = new ArrayList<>();
        List<Collection<Long>> handed = new ArrayList<>();
        UpgradeHeights heights = new UpgradeHeights(() -> store, handed::add);
        ConfigMap first = cm("a", Map.of("v7", "ghcr.io/sei-protocol/seid:v7.0.0"));
        store.add(first);
        heights.onAdd(first);
        ConfigMap second = cm("a", Map.of("v7", "ghcr.io/sei-protocol/seid:v7.0.0 height=2000000"));
        store.set(0, second);
        heights.onUpdate(first, second);
        store.clear();
        heights.onDelete(second, false);
        assertThat(handed).containsExactly(List.of(), List.of(2_000_000L), List.of());
    }
}
