package io.haltsupervisor.pollers.mappings;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.pollers.mappings.MappingReconciler.Change;
import io.haltsupervisor.pollers.mappings.MappingReconciler.Desired;
import io.haltsupervisor.pollers.mappings.MappingReconciler.Source;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.SampleEvents;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MappingReconcilerTest {
    private static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    private static final String V7 = "ghcr.io/sei-protocol/seid:v7.0.0";

    static Source cm(String ns, String name, Map<String, String> data) {
        return new Source(ns, name, ns + "-" + name + "-uid", data);
    }

    static ImageMappingChanged topic(String plan, String image, Long height, String source) {
        return ImageMappingChanged.of(plan, image, height, source, SampleEvents.T0);
    }

    @Test
    void publishesNewPlansAndNothingWhenTheTopicMatches() {
        Desired desired = MappingReconciler.desired(List.of(cm("sei", "upgrades",
                Map.of("v6", V6 + " height=151000000", "v7", V7))));
        List<Change> changes = MappingReconciler.diff(desired, Map.of());
        assertThat(changes).extracting(Change::plan).containsExactly("v6", "v7");
        assertThat(changes.get(0).mapping().upgradeHeight()).isEqualTo(151_000_000L);
        assertThat(changes.get(0).source()).isEqualTo("configmap:sei/upgrades");

        Map<String, ImageMappingChanged> current = Map.of(
                "v6", topic("v6", V6, 151_000_000L, "configmap:sei/upgrades"),
                "v7", topic("v7", V7, null, "configmap:sei/upgrades"));
        assertThat(MappingReconciler.diff(desired, current)).isEmpty();
    }

    @Test
    void republishesAChangedImageOrHeightOrSource() {
        Desired desired = MappingReconciler.desired(List.of(cm("sei", "upgrades", Map.of("v6", V6 + " height=5"))));
        assertThat(MappingReconciler.diff(desired, Map.of("v6", topic("v6", V6, null, "configmap:sei/upgrades"))))
                .hasSize(1);
        assertThat(MappingReconciler.diff(desired, Map.of("v6", topic("v6", V7, 5L, "configmap:sei/upgrades"))))
                .hasSize(1);
        assertThat(MappingReconciler.diff(desired, Map.of("v6", topic("v6", V6, 5L, "cli:alice"))))
                .extracting(Change::previous).extracting(ImageMappingChanged::source).containsExactly("cli:alice");
    }

    @Test
    void removedConfigMapPlansBecomeTombstonesButCliPlansStay() {
        Desired desired = MappingReconciler.desired(List.of(cm("sei", "upgrades", Map.of("v7", V7))));
        Map<String, ImageMappingChanged> current = Map.of(
                "v6", topic("v6", V6, null, "configmap:sei/old"),
                "v7", topic("v7", V7, null, "configmap:sei/upgrades"),
                "v8", topic("v8", V7, null, "cli:alice"));
        List<Change> changes = MappingReconciler.diff(desired, current);
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).plan()).isEqualTo("v6");
        assertThat(changes.get(0).tombstone()).isTrue();
    }

    @Test
    void anInvalidEntryIsRejectedAndHoldsThePublishedMapping() {
        Desired desired = MappingReconciler.desired(List.of(cm("sei", "upgrades",
                Map.of("v6", "ghcr.io/sei-protocol/seid:v6 height=soon", "v7", V7))));
        assertThat(desired.rejections()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("v6");
            assertThat(r.reason()).contains("height 'soon' is not valid");
        });
        assertThat(desired.held()).containsExactly("v6");
        Map<String, ImageMappingChanged> current = Map.of("v6", topic("v6", V6, null, "configmap:sei/upgrades"),
                "v7", topic("v7", V7, null, "configmap:sei/upgrades"));
        assertThat(MappingReconciler.diff(desired, current)).as("a typo must not delete a working mapping").isEmpty();
    }

    @Test
    void conflictingConfigMapsResolveByNamespaceThenNameAndReportTheLoser() {
        Source b = cm("sei", "b-upgrades", Map.of("v6", V7));
        Source a = cm("sei", "a-upgrades", Map.of("v6", V6));
        Source other = cm("alpha", "z", Map.of("v7", V7));
        Desired desired = MappingReconciler.desired(List.of(b, other, a));
        assertThat(desired.mappings().get("v6").from()).isEqualTo(a);
        assertThat(desired.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.plan()).isEqualTo("v6");
            assertThat(c.winner()).isEqualTo(a);
            assertThat(c.loser()).isEqualTo(b);
            assertThat(c.loserValue()).isEqualTo(V7);
        });
        assertThat(MappingReconciler.desired(List.of(a, b)).mappings().get("v6"))
                .as("the winner does not depend on the order the informer lists them")
                .isEqualTo(desired.mappings().get("v6"));
    }

    @Test
    void theSameMappingInTwoConfigMapsIsNoConflict() {
        Desired desired = MappingReconciler.desired(List.of(cm("sei", "a", Map.of("v6", V6)),
                cm("sei", "b", Map.of("v6", V6))));
        assertThat(desired.conflicts()).isEmpty();
    }

    @Test
    void anInvalidEntryDoesNotHoldAPlanAnotherConfigMapDefinesValidly() {
        Desired desired = MappingReconciler.desired(List.of(cm("sei", "a", Map.of("v6", "bad image!")),
                cm("sei", "b", Map.of("v6", V6))));
        assertThat(desired.held()).isEmpty();
        assertThat(desired.mappings().get("v6").mapping().image()).isEqualTo(V6);
        assertThat(desired.rejections()).hasSize(1);
    }
}
