package io.haltsupervisor.actuator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManagedFieldsTest {
    private static ManagedFieldsEntry entry(String manager, String time, Map<String, Object> fields) {
        FieldsV1 v1 = new FieldsV1();
        fields.forEach(v1::setAdditionalProperty);
        return new ManagedFieldsEntryBuilder().withManager(manager).withOperation("Update").withTime(time)
                .withFieldsType("FieldsV1").withFieldsV1(v1).build();
    }

    private static Map<String, Object> templateImage() {
        return Map.of("f:spec", Map.of("f:template", Map.of("f:spec", Map.of("f:containers",
                Map.of("k:{\"name\":\"seid\"}", Map.of("f:image", Map.of()))))));
    }

    @Test
    void namesTheManagerThatOwnsThePodTemplateImage() {
        List<ManagedFieldsEntry> entries = List.of(
                entry("kube-controller-manager", "2026-12-03T16:00:00Z", Map.of("f:status", Map.of("f:replicas",
                        Map.of()))),
                entry("argocd-controller", "2026-12-03T16:00:02Z", templateImage()));
        assertThat(ManagedFields.ownerOf(entries, ManagedFields.templateImage("seid")))
                .hasValueSatisfying(o -> {
                    assertThat(o.manager()).isEqualTo("argocd-controller");
                    assertThat(o.shown()).isEqualTo("argocd-controller (Update at 2026-12-03T16:00:02Z)");
                });
        assertThat(ManagedFields.ownerOf(entries, ManagedFields.SPEC_IMAGE)).isEmpty();
        assertThat(ManagedFields.ownerOf(entries, ManagedFields.templateImage("sidecar"))).isEmpty();
    }

    @Test
    void noManagedFieldsNamesNoOne() {
        assertThat(ManagedFields.ownerOf((List<ManagedFieldsEntry>) null, ManagedFields.SPEC_IMAGE)).isEmpty();
    }
}
