package io.haltsupervisor.actuator.page;

import io.haltsupervisor.actuator.ActuatorConfig;
import io.haltsupervisor.actuator.StepOutcome;
import io.haltsupervisor.actuator.StepOutcome.Failed;
import io.haltsupervisor.actuator.plan.PageAction;
import io.haltsupervisor.actuator.plan.Step.PageStep;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Optional;

/** Sends page steps to the sink each names. */
public final class Pagers {
    private final Optional<PagerDutyClient> pagerDuty;
    private final Optional<AlertmanagerClient> alertmanager;
    private final Optional<WebhookClient> webhook;

    public Pagers(ActuatorConfig config, HttpClient http, Clock clock) {
        HttpSender sender = new HttpSender(http, config.httpTimeout());
        this.pagerDuty = config.pagerDuty().map(s -> new PagerDutyClient(s, sender));
        this.alertmanager = config.alertmanager().map(s -> new AlertmanagerClient(s, sender, clock));
        this.webhook = config.webhook().map(s -> new WebhookClient(s, sender));
    }

    /** The Alertmanager client, for the periodic re-send; empty when Alertmanager is not configured. */
    public Optional<AlertmanagerClient> alertmanager() {
        return alertmanager;
    }

    /** One attempt at a page step. */
    public StepOutcome execute(PageStep step) throws InterruptedException {
        return switch (step.sink()) {
            case PAGERDUTY -> pagerDuty.isPresent() ? pagerDuty.get().send(step.action(), step.pages())
                    : notConfigured(step);
            case ALERTMANAGER -> {
                if (alertmanager.isEmpty()) {
                    yield notConfigured(step);
                }
                if (step.action() == PageAction.TRIGGER) {
                    yield alertmanager.get().trigger(step.pages().get(0));
                } else if (step.action() == PageAction.RESOLVE) {
                    yield alertmanager.get().resolve(step.pages());
                }
                yield StepOutcome.alreadyApplied("Alertmanager has no acknowledge: nothing to do");
            }
            case WEBHOOK -> webhook.isPresent() ? webhook.get().send(step.action(), step.pages())
                    : notConfigured(step);
            case NONE -> new Failed("no pager configured: page " + step.pages().get(0).dedupKey() + " ("
                    + step.pages().get(0).summary() + ") not delivered; set " + ActuatorConfig.PAGERDUTY_ROUTING_KEY
                    + ", " + ActuatorConfig.ALERTMANAGER_URLS + " or " + ActuatorConfig.WEBHOOK_URL);
        };
    }

    private static StepOutcome notConfigured(PageStep step) {
        return new Failed(step.sink().token() + " is not configured any more; page not delivered");
    }
}
