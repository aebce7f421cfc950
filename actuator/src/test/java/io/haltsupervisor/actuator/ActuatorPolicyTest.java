package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ActuatorPolicyTest {
    private static final ActuatorPolicy OPEN = new ActuatorPolicy(Set.of(), List.of(), Duration.ofHours(24));

    @Test
    void byDefaultOnlyTheRepositoryTheNodeRunsIsAllowed() {
        assertThat(OPEN.refuseImage("ghcr.io/sei-protocol/seid:v5.9.0", "ghcr.io/sei-protocol/seid:v6.0.1")).isEmpty();
        assertThat(OPEN.refuseImage("ghcr.io/sei-protocol/seid:v5.9.0",
                "ghcr.io/sei-protocol/seid@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"))
                .isEmpty();
        assertThat(OPEN.refuseImage("ghcr.io/sei-protocol/seid:v5.9.0", "docker.io/evil/seid:v6"))
                .hasValueSatisfying(r -> assertThat(r).contains("not in the repository").contains("ghcr.io/sei-protocol/seid"));
        assertThat(OPEN.refuseImage(null, "ghcr.io/sei-protocol/seid:v6")).isPresent();
    }

    @Test
    void malformedTargetImagesAreRefused() {
        assertThat(OPEN.refuseImage("ghcr.io/sei-protocol/seid:v5", "ghcr.io/Sei/seid:v6"))
                .hasValueSatisfying(r -> assertThat(r).contains("ghcr.io/Sei/seid:v6").contains("not valid"));
    }

    @Test
    void anAllowListReplacesTheSameRepositoryRule() {
        ActuatorPolicy p = new ActuatorPolicy(Set.of(), List.of(Pattern.compile("registry\\.local:5000/seid:v[0-9.]+")),
                Duration.ZERO);
        assertThat(p.refuseImage("ghcr.io/sei-protocol/seid:v5", "registry.local:5000/seid:v6.0.1")).isEmpty();
        assertThat(p.refuseImage("ghcr.io/sei-protocol/seid:v5", "ghcr.io/sei-protocol/seid:v6"))
                .hasValueSatisfying(r -> assertThat(r).contains("allow-list"));
        assertThat(p.refuseImage("registry.local:5000/seid:v5", "registry.local:5000/seid:v6-rc1"))
                .as("patterns match the whole reference").isPresent();
    }

    @Test
    void namespaceScope() {
        ActuatorPolicy p = new ActuatorPolicy(Set.of("sei"), List.of(), Duration.ZERO);
        assertThat(p.refuseNamespace("sei/rpc-0")).isEmpty();
        assertThat(p.refuseNamespace("other/rpc-0")).hasValueSatisfying(r -> assertThat(r).contains("other")
                .contains("ACTUATOR_NAMESPACES"));
        assertThat(OPEN.refuseNamespace("anything/x")).isEmpty();
    }

    @Test
    void staleDecisionsAreRefusedUnlessTheGuardIsOff() {
        Instant decided = Instant.parse("2026-11-20T10:00:00Z");
        assertThat(OPEN.refuseStale(decided, decided.plus(Duration.ofHours(23)))).isEmpty();
        assertThat(OPEN.refuseStale(decided, decided.plus(Duration.ofHours(25))))
                .hasValueSatisfying(r -> assertThat(r).contains("ACTUATOR_MAX_DECISION_AGE"));
        ActuatorPolicy off = new ActuatorPolicy(Set.of(), List.of(), Duration.ZERO);
        assertThat(off.refuseStale(decided, decided.plus(Duration.ofDays(300)))).isEmpty();
    }
}
