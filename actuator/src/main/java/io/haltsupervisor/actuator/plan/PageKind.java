package io.haltsupervisor.actuator.plan;

import java.util.Locale;

/**
 * Which of an incident's pages a page belongs to. Each has its own dedup key (and Alertmanager alert),
 * so that an escalation or a failed action notifies again instead of updating an already-open page.
 */
public enum PageKind {
    /** The halt itself: dedup key = incident id. */
    HALT("", "SeidHalted"),
    /** The incident stayed unresolved: dedup key = incident id + {@code /escalation}. */
    ESCALATION("/escalation", "SeidHaltEscalated"),
    /** The actuator could not carry out a step: dedup key = incident id + {@code /action-failed}. */
    ACTION_FAILED("/action-failed", "HaltSupervisorActionFailed"),
    /**
     * A change the actuator made was set back by another writer (a parent controller, Argo CD, Flux): dedup key =
     * incident id + {@code /reverted}, raised at once, once per incident.
     */
    REVERTED("/reverted", "HaltSupervisorChangeReverted"),
    /** The fleet circuit breaker: dedup key = the fleet incident id. */
    FLEET_HOLD("", "SeidFleetHold");

    private final String dedupSuffix;
    private final String alertname;

    PageKind(String dedupSuffix, String alertname) {
        this.dedupSuffix = dedupSuffix;
        this.alertname = alertname;
    }

    /** The dedup key of this page for an incident. */
    public String dedupKey(String incidentId) {
        return incidentId + dedupSuffix;
    }

    /** The Alertmanager {@code alertname} label. */
    public String alertname() {
        return alertname;
    }

    /** The token used in the Alertmanager {@code page} label and in webhook payloads. */
    public String token() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
