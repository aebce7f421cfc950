package io.haltsupervisor.actuator.plan;

import io.haltsupervisor.actuator.plan.Conditions.Status;
import io.haltsupervisor.actuator.plan.Step.ConfirmHold;
import io.haltsupervisor.actuator.plan.Step.ConfirmRollout;
import io.haltsupervisor.actuator.plan.Step.DeletePod;
import io.haltsupervisor.actuator.plan.Step.EmitEvent;
import io.haltsupervisor.actuator.plan.Step.EventType;
import io.haltsupervisor.actuator.plan.Step.PageStep;
import io.haltsupervisor.actuator.plan.Step.Quarantine;
import io.haltsupervisor.actuator.plan.Step.ReleaseQuarantine;
import io.haltsupervisor.actuator.plan.Step.SetCondition;
import io.haltsupervisor.actuator.plan.Step.SetImage;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Decision.FleetHoldDecided;
import io.haltsupervisor.schemas.Decision.FleetReleased;
import io.haltsupervisor.schemas.Decision.HaltPaged;
import io.haltsupervisor.schemas.Decision.IncidentEscalated;
import io.haltsupervisor.schemas.Decision.IncidentResolved;
import io.haltsupervisor.schemas.Decision.MappingAwaited;
import io.haltsupervisor.schemas.Decision.OperatorCommandApplied;
import io.haltsupervisor.schemas.Decision.PodTerminationDecided;
import io.haltsupervisor.schemas.Decision.QuarantineDecided;
import io.haltsupervisor.schemas.Decision.RollbackDecided;
import io.haltsupervisor.schemas.Decision.Severity;
import io.haltsupervisor.schemas.Decision.UpgradeDecided;
import io.haltsupervisor.schemas.ShutdownReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decision × target kind → ordered steps: the actuator's "what to change", a pure function (no IO, no
 * clock). The table, with the exact condition reasons and event reasons, is in this module's
 * {@code DESIGN.md}; in short:
 *
 * <ul>
 *   <li>Decisions that page put their page steps first, so a human hears even when the cluster API is
 *       slow or failing.</li>
 *   <li>Image changes ({@code set-image}) come before pod deletion. The old pod is deleted for plain
 *       StatefulSets (Sei runs them with {@code OnDelete}); a SeiNode's controller replaces the pod itself, so for
 *       a SeiNode it is deleted only where the controller will not ({@link DeletePod#controllerFirst()}); a
 *       Deployment's rollout replaces it ({@link TargetKind#rollsPodItself}). For a SeiNode a SeiNetwork owns,
 *       {@code set-image} is carried out on the SeiNetwork (the executor resolves where). {@code terminate-pod}
 *       deletes the pod for every kind.</li>
 *   <li>Condition and event come next: they report what was done. On a SeiNode, a {@code rollout} step
 *       ({@link ConfirmRollout}) ends an image plan: it reads the controller's {@code status.currentImage} and
 *       {@code NodeUpdateInProgress} until the image is rolled out, and fails with the controller's message on
 *       {@code UpdateFailed} (an action-failed page).</li>
 * </ul>
 */
public final class StepPlanner {
    /** Purpose of the page steps a decision plans ({@code page-trigger:<sink>}, {@code page-resolve:<sink>} …). */
    public static final String PAGE = "page";
    /** Purpose of the action-failed page steps ({@code failure-page-trigger:<sink>}). */
    public static final String FAILURE_PAGE = "failure-page";
    /** Purpose of the change-reverted page steps ({@code reverted-page-trigger:<sink>}). */
    public static final String REVERTED_PAGE = "reverted-page";

    private StepPlanner() {
    }

    /** {@link #plan(Decision, TargetKind, Set, PagesTriggered)} as when no page of the incident was triggered. */
    public static Plan plan(Decision decision, TargetKind kind, Set<PagerSink> sinks) {
        return plan(decision, kind, sinks, PagesTriggered.NONE);
    }

    /**
     * The plan of {@code decision} for a node of kind {@code kind}, paging through {@code sinks} (empty:
     * one page step to {@link PagerSink#NONE}, which records that no pager is configured). {@code triggered}
     * says which of the decision's incident pages were triggered, through which sink: a resolve, a fleet
     * release or an acknowledgement goes only to those pages and sinks (none triggered: no page step).
     */
    public static Plan plan(Decision decision, TargetKind kind, Set<PagerSink> sinks, PagesTriggered triggered) {
        return plan(decision, kind, sinks, triggered, Reverts.NONE);
    }

    /**
     * As {@link #plan(Decision, TargetKind, Set, PagesTriggered)}, knowing what was reverted ({@code reverts}): a
     * {@code terminate-pod} of an incident with a {@code reverted} step deletes nothing ({@code HeldAfterRevert}); a
     * resolve leaves the incident's {@code /reverted} page open (it lives with the node's hold); a {@code release} of
     * the node resolves the node's open {@code /reverted} pages.
     */
    public static Plan plan(Decision decision, TargetKind kind, Set<PagerSink> sinks, PagesTriggered triggered,
            Reverts reverts) {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(triggered, "triggered");
        Objects.requireNonNull(reverts, "reverts");
        Objects.requireNonNull(kind, "kind");
        Set<PagerSink> to = effectiveSinks(sinks);
        List<Step> steps = new ArrayList<>();
        if (decision instanceof UpgradeDecided d) {
            steps.add(new SetImage(d.previousImage(), d.targetImage()));
            deleteOldPod(steps, kind, d.podName(), d.podUid(), d.targetImage());
            steps.add(new SetCondition(Status.True, "UpgradeStarted",
                    "halt code " + d.reasonCode() + " for plan " + d.planName() + ": image set to " + d.targetImage()
                            + " (mapping " + d.mapping().plan() + " from " + d.mapping().source() + ")"));
            steps.add(new EmitEvent(EventType.Normal, "Upgrade", "UpgradeStarted",
                    "Upgrade required by plan " + d.planName() + " (halt code " + d.reasonCode() + "): image "
                            + orUnknown(d.previousImage()) + " -> " + d.targetImage() + "; incident "
                            + d.incidentId(), d.podName(), d.podUid()));
            confirmRollout(steps, kind, d.targetImage(), d.podName(), d.podUid());
        } else if (decision instanceof MappingAwaited d) {
            pages(steps, to, PageAction.TRIGGER, List.of(awaitPage(d)));
            String why = awaitWhy(d);
            steps.add(new SetCondition(Status.Unknown, d.waitReason().name(), why));
            steps.add(new EmitEvent(EventType.Warning, "AwaitMapping", d.waitReason().name(),
                    why + "; incident " + d.incidentId(), d.podName(), null));
        } else if (decision instanceof RollbackDecided d) {
            pages(steps, to, PageAction.TRIGGER, List.of(rollbackPage(d)));
            steps.add(new SetImage(d.tooNewImage(), d.targetImage()));
            deleteOldPod(steps, kind, d.podName(), d.podUid(), d.targetImage());
            steps.add(new SetCondition(Status.True, "RollbackStarted",
                    "binary too new for plan " + orUnknown(d.planName()) + " (halt code " + d.reasonCode()
                            + "): rolling back to " + d.targetImage()));
            steps.add(new EmitEvent(EventType.Warning, "Rollback", "RollbackStarted",
                    "Binary too new (halt code " + d.reasonCode() + ", plan " + orUnknown(d.planName()) + "): image "
                            + orUnknown(d.tooNewImage()) + " -> " + d.targetImage()
                            + "; the too-new image is not applied again automatically; incident " + d.incidentId(),
                    d.podName(), d.podUid()));
            confirmRollout(steps, kind, d.targetImage(), d.podName(), d.podUid());
        } else if (decision instanceof QuarantineDecided d) {
            pages(steps, to, PageAction.TRIGGER, List.of(quarantinePage(d)));
            String why = "downgrade detected (halt code " + d.reasonCode() + ", plan " + orUnknown(d.planName())
                    + ") on image " + orUnknown(d.image()) + "; incident " + d.incidentId();
            steps.add(new Quarantine(why));
            steps.add(new SetCondition(Status.False, "Quarantined",
                    why + "; only an operator release lifts the quarantine"));
            steps.add(new EmitEvent(EventType.Warning, "Quarantine", "Quarantined",
                    "Quarantined: " + why + ". Restore a correct binary, then release the node.", d.podName(),
                    d.podUid()));
        } else if (decision instanceof HaltPaged d) {
            pages(steps, to, PageAction.TRIGGER, List.of(haltPage(d)));
            steps.add(new EmitEvent(EventType.Warning, "Page", d.pageReason().name(),
                    d.summary() + " (halt code " + d.reasonCode() + "); no automatic action; incident "
                            + d.incidentId(), null, null));
        } else if (decision instanceof PodTerminationDecided d && reverts.incidentReverted()) {
            // the incident is held for a human: the image change was set back by another writer, and a pod
            // recreated now would come back on the image that writer keeps (docs/requirements.md §4.3)
            steps.add(new EmitEvent(EventType.Warning, "TerminatePod", "HeldAfterRevert",
                    "Incident " + d.incidentId() + " unresolved after the stay-alive grace window of "
                            + d.graceSeconds() + "s, but held for a human: its image change was reverted by another"
                            + " writer (see the " + PageKind.REVERTED.dedupKey(d.incidentId()) + " page); pod "
                            + orUnknown(d.podName()) + " not terminated", d.podName(), d.podUid()));
        } else if (decision instanceof PodTerminationDecided d) {
            if (d.podName() != null) {
                steps.add(new DeletePod(d.podName(), d.podUid(), null));
            }
            steps.add(new EmitEvent(EventType.Warning, "TerminatePod", "GraceWindowExpired",
                    "Incident " + d.incidentId() + " unresolved after the stay-alive grace window of "
                            + d.graceSeconds() + "s: pod " + orUnknown(d.podName()) + " terminated once",
                    d.podName(), d.podUid()));
        } else if (decision instanceof IncidentEscalated d) {
            pages(steps, to, PageAction.TRIGGER, List.of(escalationPage(d)));
            steps.add(new EmitEvent(EventType.Warning, "Escalate", "IncidentEscalated",
                    "Incident " + d.incidentId() + " open since " + d.openedAt() + ": " + d.summary(), null, null));
        } else if (decision instanceof IncidentResolved d) {
            followUps(steps, to, triggered, PageAction.RESOLVE, incidentPages(d, d.incidentId(), d.nodeId()));
            steps.add(new SetCondition(Status.False, "Resolved", "incident " + d.incidentId() + " resolved: "
                    + d.resolution() + (d.image() == null ? "" : " (image " + d.image() + ")")));
            steps.add(new EmitEvent(EventType.Normal, "Resolve", "IncidentResolved",
                    "Incident " + d.incidentId() + " resolved: " + d.resolution()
                            + (d.image() == null ? "" : "; running " + d.image()), null, null));
        } else if (decision instanceof OperatorCommandApplied d) {
            planOperator(d, steps, to, triggered, reverts);
        } else if (decision instanceof FleetHoldDecided d) {
            pages(steps, to, PageAction.TRIGGER, List.of(fleetPage(d)));
        } else if (decision instanceof FleetReleased d) {
            followUps(steps, to, triggered, PageAction.RESOLVE, List.of(fleetReleasePage(d)));
        } else {
            throw new IllegalArgumentException("no plan for decision kind " + decision.kind());
        }
        return new Plan(decision, kind, steps);
    }

    /**
     * The page raised when a step of {@code decision} failed for good or was refused by policy: one
     * critical {@link PageKind#ACTION_FAILED} page per sink, except the sink whose own page step failed.
     */
    public static List<PageStep> failurePages(Decision decision, Step failed, String detail, Set<PagerSink> sinks) {
        Set<PagerSink> to = new TreeSet<>(effectiveSinks(sinks));
        if (failed instanceof PageStep p) {
            to.remove(p.sink());
            if (to.isEmpty()) {
                return List.of();
            }
        }
        Map<String, String> details = details(decision);
        details.put("failedStep", failed.name());
        details.put("failure", detail);
        String where = decision.nodeId() == null ? "the fleet" : decision.nodeId();
        Page page = new Page(PageKind.ACTION_FAILED, decision.incidentId(),
                PageKind.ACTION_FAILED.dedupKey(decision.incidentId()), Severity.critical,
                "halt-supervisor could not " + failed.describe() + " for " + where + " (" + decision.kind()
                        + " decision): " + detail,
                decision.nodeId(), "ActionFailed", planOf(decision), decision.decidedAt(), details);
        List<PageStep> steps = new ArrayList<>();
        for (PagerSink sink : to) {
            steps.add(new PageStep(PageAction.TRIGGER, sink, List.of(page), FAILURE_PAGE));
        }
        return steps;
    }

    /**
     * The page raised at once when a step's change was set back by another writer ({@code reverted}): one critical
     * {@link PageKind#REVERTED} page per sink (key = incident {@code /reverted}), saying what was reverted, by whom
     * (the step's {@code detail}) and what the operator can do. The node is then held (the actuator records a
     * {@code hold} command with the result): a later {@code terminate-pod} of the incident deletes nothing, the
     * incident's resolve leaves this page open, and the node's {@code release} resolves it.
     */
    public static List<PageStep> revertedPages(Decision decision, Step step, String detail, Set<PagerSink> sinks) {
        Map<String, String> details = details(decision);
        details.put("revertedStep", step.name());
        details.put("reverted", detail);
        String where = decision.nodeId() == null ? "the fleet" : decision.nodeId();
        Page page = new Page(PageKind.REVERTED, decision.incidentId(),
                PageKind.REVERTED.dedupKey(decision.incidentId()), Severity.critical,
                where + ": the supervisor's change did not hold (" + decision.kind() + ", step " + step.name()
                        + "); re-applied at most once, the incident is now held for a human. Put the image where"
                        + " that writer reads it from (Git, or the owning object) or make it ignore the image field"
                        + " (docs/operations.md, \"Running beside Argo CD or Flux\"), then `supervisor release "
                        + where + "` (this page resolves with it) and, if the node still needs the change,"
                        + " `supervisor retry " + where + "`. The node stays on hold until then. " + detail,
                decision.nodeId(), "ChangeReverted", planOf(decision), decision.decidedAt(), details);
        List<PageStep> steps = new ArrayList<>();
        for (PagerSink sink : new TreeSet<>(effectiveSinks(sinks))) {
            steps.add(new PageStep(PageAction.TRIGGER, sink, List.of(page), REVERTED_PAGE));
        }
        return steps;
    }

    private static void planOperator(OperatorCommandApplied d, List<Step> steps, Set<PagerSink> to,
            PagesTriggered triggered, Reverts reverts) {
        String who = d.by() + (d.reason() == null || d.reason().isBlank() ? "" : " (" + d.reason() + ")");
        boolean hasIncident = !d.incidentId().endsWith("#none");
        switch (d.command()) {
            case ACK -> {
                if (hasIncident) {
                    List<Page> pages = List.of(pageRef(d, PageKind.HALT), pageRef(d, PageKind.ESCALATION));
                    Set<PagerSink> acknowledging = new TreeSet<>(to);
                    acknowledging.removeIf(sink -> !sink.supportsAcknowledge());
                    followUps(steps, acknowledging, triggered, PageAction.ACKNOWLEDGE, pages);
                }
                steps.add(new EmitEvent(EventType.Normal, "Acknowledge", "OperatorAcknowledged",
                        "Acknowledged by " + who + "; " + d.effect() + incidentNote(d), null, null));
            }
            case HOLD -> {
                steps.add(new SetCondition(null, "OperatorHold",
                        "automatic actions held by " + who + ": " + d.effect()));
                steps.add(new EmitEvent(EventType.Normal, "Hold", "OperatorHold",
                        "Automatic actions held by " + who + "; " + d.effect() + incidentNote(d), null, null));
            }
            case RELEASE -> {
                revertedPagesResolved(d, steps, to, reverts);
                if (d.releasedQuarantine()) {
                    steps.add(new ReleaseQuarantine(d.by()));
                    steps.add(new SetCondition(null, "QuarantineReleased",
                            "quarantine released by " + who + ": " + d.effect()));
                    steps.add(new EmitEvent(EventType.Normal, "Release", "QuarantineReleased",
                            "Quarantine released by " + who + "; " + d.effect() + incidentNote(d), null, null));
                } else {
                    steps.add(new SetCondition(null, "OperatorReleased",
                            "released by " + who + ": " + d.effect()));
                    steps.add(new EmitEvent(EventType.Normal, "Release", "OperatorReleased",
                            "Released by " + who + "; " + d.effect() + incidentNote(d), null, null));
                }
            }
            case RETRY -> steps.add(new EmitEvent(EventType.Normal, "Retry", "OperatorRetry",
                    "Retry requested by " + who + "; " + d.effect() + incidentNote(d), null, null));
            default -> throw new IllegalArgumentException("no plan for operator command " + d.command());
        }
    }

    /**
     * A release of a node resolves the {@code /reverted} pages still open for it (one step per sink, the pages of
     * every incident of the node that had one): they stayed open while the node was held after the revert.
     */
    private static void revertedPagesResolved(OperatorCommandApplied d, List<Step> steps, Set<PagerSink> to,
            Reverts reverts) {
        for (PagerSink sink : to) {
            List<Page> open = new ArrayList<>();
            reverts.openPages().forEach((incident, sinks) -> {
                if (sinks.contains(sink)) {
                    open.add(new Page(PageKind.REVERTED, incident, PageKind.REVERTED.dedupKey(incident),
                            Severity.info, d.nodeId() + ": released by " + d.by() + " after the reverted change of "
                                    + incident, d.nodeId(), "OperatorReleased", null, d.decidedAt(), details(d)));
                }
            });
            if (!open.isEmpty()) {
                steps.add(new PageStep(PageAction.RESOLVE, sink, open, REVERTED_PAGE));
            }
        }
    }

    /**
     * The old pod after an image change: deleted for a plain StatefulSet ({@code OnDelete}); for a SeiNode only
     * where its controller will not replace it ({@link DeletePod#controllerFirst()}); a Deployment's rollout
     * replaces it.
     */
    private static void deleteOldPod(List<Step> steps, TargetKind kind, String podName, String podUid, String image) {
        if (podName == null) {
            return;
        }
        if (kind == TargetKind.SEINODE || kind == TargetKind.SEINETWORK_MEMBER) {
            steps.add(new DeletePod(podName, podUid, image, true));
        } else if (!kind.rollsPodItself()) {
            steps.add(new DeletePod(podName, podUid, image));
        }
    }

    /**
     * Last: confirm the change holds — for a SeiNode from its controller's status that the image rolled out and its
     * {@code spec.image} (or its SeiNetwork's) kept it ({@link ConfirmRollout}); for a StatefulSet or Deployment that
     * the pod template kept the image and the replacement pod runs it ({@link ConfirmHold}).
     */
    private static void confirmRollout(List<Step> steps, TargetKind kind, String image, String podName,
            String podUid) {
        if (kind == TargetKind.SEINODE || kind == TargetKind.SEINETWORK_MEMBER) {
            steps.add(new ConfirmRollout(image));
        } else if (kind == TargetKind.STATEFULSET || kind == TargetKind.DEPLOYMENT) {
            steps.add(new ConfirmHold(image, podName, podUid));
        }
    }

    private static void pages(List<Step> steps, Set<PagerSink> sinks, PageAction action, List<Page> pages) {
        for (PagerSink sink : sinks) {
            steps.add(new PageStep(action, sink, pages, PAGE));
        }
    }

    /**
     * One {@code action} step per sink for those of {@code pages} that were triggered through it; a sink
     * through which none was triggered gets no step (nothing to resolve or acknowledge there).
     */
    private static void followUps(List<Step> steps, Set<PagerSink> sinks, PagesTriggered triggered,
            PageAction action, List<Page> pages) {
        for (PagerSink sink : sinks) {
            Set<PageKind> kinds = triggered.kinds(sink);
            List<Page> open = pages.stream().filter(p -> kinds.contains(p.kind())).toList();
            if (!open.isEmpty()) {
                steps.add(new PageStep(action, sink, open, PAGE));
            }
        }
    }

    private static Set<PagerSink> effectiveSinks(Set<PagerSink> sinks) {
        Set<PagerSink> to = new TreeSet<>(sinks == null ? Set.of() : sinks);
        to.remove(PagerSink.NONE);
        return to.isEmpty() ? Set.of(PagerSink.NONE) : to;
    }

    private static Page awaitPage(MappingAwaited d) {
        return new Page(PageKind.HALT, d.incidentId(), PageKind.HALT.dedupKey(d.incidentId()), Severity.critical,
                d.nodeId() + ": " + awaitWhy(d), d.nodeId(), d.waitReason().name(), d.planName(), d.decidedAt(),
                details(d));
    }

    private static String awaitWhy(MappingAwaited d) {
        return switch (d.waitReason()) {
            case ImageMappingMissing -> "halted for upgrade plan " + orUnknown(d.planName()) + " (halt code "
                    + d.reasonCode() + ") and no image mapping exists for it: add a mapping for "
                    + orUnknown(d.planName());
            case PlanUnknown -> "halted for an upgrade (halt code " + d.reasonCode()
                    + ") but the plan is unknown (no halt_intent, no mapping at a height the node can have reached"
                    + " since it was last seen): find the plan"
                    + " and add its mapping";
        };
    }

    private static Page rollbackPage(RollbackDecided d) {
        return new Page(PageKind.HALT, d.incidentId(), PageKind.HALT.dedupKey(d.incidentId()), Severity.critical,
                d.nodeId() + ": binary too new for plan " + orUnknown(d.planName()) + " (halt code " + d.reasonCode()
                        + "), rolling back from " + orUnknown(d.tooNewImage()) + " to " + d.targetImage(),
                d.nodeId(), "BinaryTooNew", d.planName(), d.decidedAt(), details(d));
    }

    private static Page quarantinePage(QuarantineDecided d) {
        return new Page(PageKind.HALT, d.incidentId(), PageKind.HALT.dedupKey(d.incidentId()), Severity.critical,
                d.nodeId() + ": downgrade detected (halt code " + d.reasonCode() + ", plan " + orUnknown(d.planName())
                        + ") on " + orUnknown(d.image()) + ": node quarantined until an operator releases it",
                d.nodeId(), "DowngradeDetected", d.planName(), d.decidedAt(), details(d));
    }

    private static Page haltPage(HaltPaged d) {
        return new Page(PageKind.HALT, d.incidentId(), PageKind.HALT.dedupKey(d.incidentId()), d.severity(),
                d.nodeId() + ": " + d.summary(), d.nodeId(), d.pageReason().name(), d.planName(), d.decidedAt(),
                details(d));
    }

    private static Page escalationPage(IncidentEscalated d) {
        return new Page(PageKind.ESCALATION, d.incidentId(), PageKind.ESCALATION.dedupKey(d.incidentId()),
                Severity.critical, d.nodeId() + ": incident unresolved since " + d.openedAt() + ": " + d.summary(),
                d.nodeId(), "IncidentUnresolved", d.planName(), d.decidedAt(), details(d));
    }

    private static Page fleetPage(FleetHoldDecided d) {
        return new Page(PageKind.FLEET_HOLD, d.incidentId(), PageKind.FLEET_HOLD.dedupKey(d.incidentId()),
                Severity.critical, "Fleet circuit breaker open: " + d.nodes().size() + " nodes hit halt code 71/72"
                        + " within " + d.windowSeconds() + "s (threshold " + d.threshold()
                        + "); automatic image actions stopped fleet-wide until released: " + d.nodes(),
                null, "FleetCircuitBreakerOpen", null, d.decidedAt(), details(d));
    }

    private static Page fleetReleasePage(FleetReleased d) {
        return new Page(PageKind.FLEET_HOLD, d.incidentId(), PageKind.FLEET_HOLD.dedupKey(d.incidentId()),
                Severity.critical, "Fleet circuit breaker released by " + d.by(), null, "FleetCircuitBreakerOpen",
                null, d.decidedAt(), details(d));
    }

    /**
     * The pages an incident's resolve ends; it sends those that were triggered. Not its {@link PageKind#REVERTED} page:
     * that one stays open with the hold on the node until the operator's {@code release}
     * ({@link #revertedPagesResolved}).
     */
    private static List<Page> incidentPages(Decision d, String incidentId, String nodeId) {
        List<Page> pages = new ArrayList<>();
        for (PageKind kind : List.of(PageKind.HALT, PageKind.ESCALATION, PageKind.ACTION_FAILED)) {
            pages.add(new Page(kind, incidentId, kind.dedupKey(incidentId), Severity.info,
                    nodeId + ": incident " + incidentId + " resolved", nodeId, "Resolved", planOf(d), d.decidedAt(),
                    details(d)));
        }
        return pages;
    }

    private static Page pageRef(OperatorCommandApplied d, PageKind kind) {
        return new Page(kind, d.incidentId(), kind.dedupKey(d.incidentId()), Severity.info,
                d.nodeId() + ": acknowledged by " + d.by(), d.nodeId(), "OperatorAcknowledged", null, d.decidedAt(),
                details(d));
    }

    private static String incidentNote(OperatorCommandApplied d) {
        return d.incidentId().endsWith("#none") ? "" : "; incident " + d.incidentId();
    }

    /** PagerDuty custom_details / Alertmanager annotations: the decision's facts, no secrets. */
    static Map<String, String> details(Decision decision) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("decisionId", decision.decisionId());
        m.put("decisionKind", decision.kind());
        m.put("incidentId", decision.incidentId());
        if (decision.nodeId() != null) {
            m.put("node", decision.nodeId());
        }
        m.put("decidedAt", decision.decidedAt().toString());
        if (decision instanceof UpgradeDecided d) {
            putCode(m, d.reasonCode());
            put(m, "plan", d.planName());
            put(m, "targetImage", d.targetImage());
            put(m, "previousImage", d.previousImage());
            put(m, "mappingSource", d.mapping().source());
            put(m, "pod", d.podName());
        } else if (decision instanceof MappingAwaited d) {
            putCode(m, d.reasonCode());
            put(m, "plan", d.planName());
            put(m, "waitReason", d.waitReason().name());
            put(m, "pod", d.podName());
        } else if (decision instanceof RollbackDecided d) {
            putCode(m, d.reasonCode());
            put(m, "plan", d.planName());
            put(m, "targetImage", d.targetImage());
            put(m, "tooNewImage", d.tooNewImage());
            put(m, "pod", d.podName());
        } else if (decision instanceof QuarantineDecided d) {
            putCode(m, d.reasonCode());
            put(m, "plan", d.planName());
            put(m, "image", d.image());
            put(m, "pod", d.podName());
        } else if (decision instanceof HaltPaged d) {
            putCode(m, d.reasonCode());
            put(m, "plan", d.planName());
            put(m, "pageReason", d.pageReason().name());
        } else if (decision instanceof PodTerminationDecided d) {
            put(m, "pod", d.podName());
            put(m, "graceSeconds", d.graceSeconds());
        } else if (decision instanceof IncidentEscalated d) {
            putCode(m, d.reasonCode());
            put(m, "plan", d.planName());
            put(m, "openedAt", d.openedAt());
        } else if (decision instanceof IncidentResolved d) {
            put(m, "resolution", d.resolution());
            put(m, "image", d.image());
        } else if (decision instanceof OperatorCommandApplied d) {
            put(m, "command", d.command().token());
            put(m, "by", d.by());
            put(m, "effect", d.effect());
        } else if (decision instanceof FleetHoldDecided d) {
            put(m, "nodes", String.join(",", d.nodes()));
            put(m, "threshold", d.threshold());
            put(m, "windowSeconds", d.windowSeconds());
        } else if (decision instanceof FleetReleased d) {
            put(m, "by", d.by());
        }
        return m;
    }

    private static void putCode(Map<String, String> m, int code) {
        m.put("reasonCode", Integer.toString(code));
        m.put("halt", haltToken(code));
    }

    private static void put(Map<String, String> m, String key, Object value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }

    private static String planOf(Decision decision) {
        if (decision instanceof UpgradeDecided d) {
            return d.planName();
        } else if (decision instanceof MappingAwaited d) {
            return d.planName();
        } else if (decision instanceof RollbackDecided d) {
            return d.planName();
        } else if (decision instanceof QuarantineDecided d) {
            return d.planName();
        } else if (decision instanceof HaltPaged d) {
            return d.planName();
        } else if (decision instanceof IncidentEscalated d) {
            return d.planName();
        } else if (decision instanceof IncidentResolved d) {
            return d.planName();
        }
        return null;
    }

    private static String orUnknown(String s) {
        return s == null ? "(unknown)" : s;
    }

    /** The halt reason token of a code, for readers of pages ({@code upgrade_required}, …). */
    static String haltToken(int code) {
        return ShutdownReason.ofCode(code).token();
    }
}
