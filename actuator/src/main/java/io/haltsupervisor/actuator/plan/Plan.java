package io.haltsupervisor.actuator.plan;

import io.haltsupervisor.schemas.Decision;
import java.util.List;
import java.util.Objects;

/** A decision's ordered steps for one target kind. */
public record Plan(Decision decision, TargetKind targetKind, List<Step> steps) {
    public Plan {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(targetKind, "targetKind");
        steps = List.copyOf(steps);
        long distinct = steps.stream().map(Step::name).distinct().count();
        if (distinct != steps.size()) {
            throw new IllegalArgumentException("step names must be unique within a plan: "
                    + steps.stream().map(Step::name).toList());
        }
    }
}
