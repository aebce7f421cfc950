/**
 * Stand-ins for the places the actuator pages, for dev mode (print the pages) and end-to-end tests (assert
 * them): loopback HTTP receivers that record every request and answer from a script —
 * {@link io.haltsupervisor.sandbox.pager.PagerDutyReceiver} for PagerDuty's Events API v2 and
 * {@link io.haltsupervisor.sandbox.pager.WebhookReceiver} for the actuator's generic JSON webhook (or any
 * other, Alertmanager's included) — and {@link io.haltsupervisor.sandbox.pager.AlertmanagerLauncher}, which
 * runs a real Alertmanager binary when one is installed.
 *
 * <p>The receivers are not the services: PagerDuty's rules are checked only as far as
 * {@link io.haltsupervisor.sandbox.pager.PagerDutyReceiver} says, nothing is deduplicated, escalated or
 * delivered to anyone, and there is no TLS.
 */
package io.haltsupervisor.sandbox.pager;
