package io.haltsupervisor.actuator.plan;

import java.util.Locale;

/** What a page step does, in PagerDuty Events API v2 terms ({@code event_action}). */
public enum PageAction {
    TRIGGER,
    ACKNOWLEDGE,
    RESOLVE;

    /** {@code trigger}, {@code acknowledge}, {@code resolve}. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }
}
