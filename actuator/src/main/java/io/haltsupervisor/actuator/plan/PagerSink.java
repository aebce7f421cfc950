package io.haltsupervisor.actuator.plan;

import java.util.Locale;

/** Where a page goes. {@link #NONE} stands for "no pager configured", so the missing page is audited. */
public enum PagerSink {
    PAGERDUTY,
    ALERTMANAGER,
    WEBHOOK,
    NONE;

    /** The token used in step names and action results. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the sink has a notion of acknowledging (Alertmanager has none: silences are a human's tool). */
    public boolean supportsAcknowledge() {
        return this == PAGERDUTY || this == WEBHOOK;
    }
}
