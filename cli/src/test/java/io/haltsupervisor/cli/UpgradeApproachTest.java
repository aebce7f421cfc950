package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpgradeApproachTest {

    @Test
    void theNearestMappedHeightAboveTheNodeWithinTheNearBlocks() {
        Map<String, Long> mapped = new HashMap<>();
        mapped.put("v6", 1_000_000L);
        mapped.put("v7", 1_005_000L);
        mapped.put("v5", 900_000L);
        mapped.put("v8", null);
        assertThat(UpgradeApproach.of(999_958L, mapped))
                .contains(new UpgradeApproach("v6", 1_000_000L, 42));
        assertThat(UpgradeApproach.of(999_958L, mapped).orElseThrow().describe()).isEqualTo("42 blocks to v6 (1000000)");
        assertThat(UpgradeApproach.of(999_999L, mapped).orElseThrow().describe()).isEqualTo("1 block to v6 (1000000)");
        assertThat(UpgradeApproach.of(1_000_000L, mapped)).contains(new UpgradeApproach("v7", 1_005_000L, 5_000));
    }

    @Test
    void nothingWhenFarFromEveryHeightOrTheHeightIsUnknownOrNoMappingHasAHeight() {
        assertThat(UpgradeApproach.of(500_000L, Map.of("v6", 1_000_000L))).isEmpty();
        assertThat(UpgradeApproach.of(null, Map.of("v6", 1_000_000L))).isEmpty();
        Map<String, Long> noHeight = new HashMap<>();
        noHeight.put("v6", null);
        assertThat(UpgradeApproach.of(999_990L, noHeight)).isEmpty();
    }
}
