package io.haltsupervisor.actuator.plan;

import io.haltsupervisor.schemas.Decision.Severity;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What one page says, whatever the sink: the fields PagerDuty, Alertmanager and a webhook each take
 * their share of. Built by {@link StepPlanner}; contains no secret.
 *
 * @param kind       which of the incident's pages this is
 * @param incidentId the incident (for fleet pages, the fleet incident)
 * @param dedupKey   PagerDuty's {@code dedup_key}, the webhook's {@code dedupKey}
 * @param severity   PagerDuty severity; also the Alertmanager {@code severity} label
 * @param summary    one line, at most 1024 characters
 * @param nodeId     the node, or null for a fleet page
 * @param reason     a CamelCase reason ({@code ImageMappingMissing}, {@code BinaryTooNew}, …): the
 *                   Alertmanager {@code reason} label and PagerDuty's {@code class}
 * @param plan       the upgrade plan, may be null
 * @param startsAt   when the situation began (the decision time)
 * @param details    PagerDuty {@code custom_details}, Alertmanager annotations, webhook {@code details}
 */
public record Page(PageKind kind, String incidentId, String dedupKey, Severity severity, String summary,
        String nodeId, String reason, String plan, Instant startsAt, Map<String, String> details) {

    /** PagerDuty's limit on {@code payload.summary}. */
    public static final int MAX_SUMMARY = 1024;

    public Page {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(incidentId, "incidentId");
        Objects.requireNonNull(dedupKey, "dedupKey");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(startsAt, "startsAt");
        summary = Text.truncateChars(summary, MAX_SUMMARY);
        details = Map.copyOf(details == null ? Map.of() : details);
    }

    /** The node's namespace, or null for a fleet page. */
    public String namespace() {
        return nodeId == null ? null : nodeId.substring(0, nodeId.indexOf('/'));
    }
}
