package io.haltsupervisor.actuator.plan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the action results say of changes another writer set back, for one decision's plan: whether a step of the
 * decision's incident was recorded {@code reverted} (its grace-window {@code terminate-pod} then deletes nothing),
 * and which {@code /reverted} pages of the decision's node are still open, through which sinks. Those pages live as
 * long as the hold the actuator put on the node with them: an incident's resolve leaves them open, and the operator's
 * {@code release} of the node resolves them (docs/requirements.md §4.3). Immutable.
 *
 * @param incidentReverted a step of the decision's incident was recorded {@code reverted}
 * @param openPages        incident id → the sinks its {@code /reverted} page was triggered through and not yet resolved
 */
public record Reverts(boolean incidentReverted, Map<String, Set<PagerSink>> openPages) {
    /** Nothing reverted, no page open. */
    public static final Reverts NONE = new Reverts(false, Map.of());

    public Reverts {
        Objects.requireNonNull(openPages, "openPages");
        Map<String, Set<PagerSink>> copy = new LinkedHashMap<>();
        openPages.forEach((incident, sinks) -> {
            if (!sinks.isEmpty()) {
                copy.put(incident, Collections.unmodifiableSet(new TreeSet<>(sinks)));
            }
        });
        openPages = Collections.unmodifiableMap(copy);
    }
}
