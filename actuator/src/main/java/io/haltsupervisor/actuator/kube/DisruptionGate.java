package io.haltsupervisor.actuator.kube;

import java.util.Optional;

/**
 * Admits a disruptive cluster call (image change, pod deletion, quarantine, release) under the rate limit:
 * waits for a token, or returns why the call is refused.
 */
@FunctionalInterface
public interface DisruptionGate {
    DisruptionGate OPEN = what -> Optional.empty();

    Optional<String> admit(String what) throws InterruptedException;
}
