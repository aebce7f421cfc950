package io.haltsupervisor.actuator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.actuator.plan.Conditions.Condition;
import io.haltsupervisor.actuator.plan.Conditions.Status;
import io.haltsupervisor.actuator.plan.Conditions.Upsert;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionsTest {
    private static final Instant T1 = Instant.parse("2026-11-20T10:15:00.987Z");
    private static final Instant T2 = Instant.parse("2026-11-20T11:00:00Z");

    @Test
    void newConditionTransitionsNowAtSecondPrecision() {
        Upsert up = Conditions.upsert(null, "Upgrading", Status.True, "UpgradeStarted", "m", 3L, T1);
        assertThat(up.changed()).isTrue();
        assertThat(up.condition()).isEqualTo(new Condition("Upgrading", Status.True, 3L, "2026-11-20T10:15:00Z",
                "UpgradeStarted", "m"));
    }

    @Test
    void lastTransitionTimeChangesOnlyWhenTheStatusChanges() {
        Condition first = Conditions.upsert(null, "Upgrading", Status.Unknown, "ImageMappingMissing", "a", 1L, T1)
                .condition();
        Condition sameStatus = Conditions.upsert(first, "Upgrading", Status.Unknown, "PlanUnknown", "b", 2L, T2)
                .condition();
        assertThat(sameStatus.lastTransitionTime()).isEqualTo("2026-11-20T10:15:00Z");
        assertThat(sameStatus.reason()).isEqualTo("PlanUnknown");
        assertThat(sameStatus.observedGeneration()).isEqualTo(2L);
        Condition newStatus = Conditions.upsert(sameStatus, "Upgrading", Status.True, "UpgradeStarted", "c", 2L, T2)
                .condition();
        assertThat(newStatus.lastTransitionTime()).isEqualTo("2026-11-20T11:00:00Z");
    }

    @Test
    void theSameConditionAgainIsNoChange() {
        Condition c = Conditions.upsert(null, "Upgrading", Status.False, "Resolved", "done", 4L, T1).condition();
        Upsert again = Conditions.upsert(c, "Upgrading", Status.False, "Resolved", "done", 4L, T2);
        assertThat(again.changed()).isFalse();
        assertThat(again.condition()).isEqualTo(c);
    }

    @Test
    void aNoteKeepsTheStatusOrSaysFalseWhenThereIsNone() {
        Condition c = Conditions.upsert(null, "Upgrading", Status.Unknown, "PlanUnknown", "x", 1L, T1).condition();
        Condition noted = Conditions.upsert(c, "Upgrading", null, "OperatorHold", "held", 1L, T2).condition();
        assertThat(noted.status()).isEqualTo(Status.Unknown);
        assertThat(noted.lastTransitionTime()).isEqualTo(c.lastTransitionTime());
        assertThat(Conditions.upsert(null, "Upgrading", null, "OperatorHold", "held", 1L, T2).condition().status())
                .isEqualTo(Status.False);
    }

    @Test
    void readsLenientlyAndTreatsMalformedAsAbsent() {
        Map<String, Object> raw = Map.of("type", "Upgrading", "status", "True", "observedGeneration", 5,
                "lastTransitionTime", "2026-11-20T10:15:00Z", "reason", "UpgradeStarted", "message", "m",
                "extra", "kept elsewhere");
        assertThat(Conditions.read(raw, "Upgrading")).isEqualTo(new Condition("Upgrading", Status.True, 5L,
                "2026-11-20T10:15:00Z", "UpgradeStarted", "m"));
        assertThat(Conditions.read(Map.of("type", "Ready", "status", "True"), "Upgrading")).isNull();
        assertThat(Conditions.read(Map.of("type", "Upgrading", "status", "Maybe", "reason", "X"), "Upgrading")).isNull();
        assertThat(Conditions.read(Map.of("type", "Upgrading", "status", "True", "reason", "not camel"), "Upgrading"))
                .isNull();
        assertThat(Conditions.read("not a map", "Upgrading")).isNull();
    }

    @Test
    void reasonMustBeCamelCase() {
        assertThatThrownBy(() -> new Condition("Upgrading", Status.True, null, null, "has space", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has space");
    }
}
