/**
 * The actuator: turns decisions from {@code seid.decisions.v1} into Kubernetes changes and pages, and
 * records one action result per step in {@code seid.action-results.v1}.
 *
 * <p>Entry points for the CLI: {@link io.haltsupervisor.actuator.ActuatorConfig#fromEnv(java.util.Map)} and
 * {@link io.haltsupervisor.actuator.ActuatorService}. The pure part (what to change) is in
 * {@link io.haltsupervisor.actuator.plan}; the IO adapters are in {@code kube} and {@code page}. Why it is
 * built this way — targets, step table, crash windows, Alertmanager re-sending — is in the module's
 * {@code DESIGN.md}.
 */
package io.haltsupervisor.actuator;
