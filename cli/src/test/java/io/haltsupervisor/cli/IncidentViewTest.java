package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import io.haltsupervisor.schemas.SampleEvents;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IncidentViewTest {
    static final Instant T = SampleEvents.T0;

    @Test
    void anIncidentOpensWithItsFirstDecisionAndClosesWithResolve() {
        IncidentView view = new IncidentView();
        view.apply(new Decision.MappingAwaited(1, "a#1/await/0", "a#1", "sei/a", T, 70, "v6",
                Decision.WaitReason.ImageMappingMissing, "a-0"));
        view.apply(new Decision.UpgradeDecided(1, "a#1/upgrade/1", "a#1", "sei/a", T.plusSeconds(5), 70, "v6",
                "seid:v6", "seid:v5", new Decision.ImageMappingRef("v6", "seid:v6", null, "cli:x"), "a-0", "u"));
        view.apply(new Decision.QuarantineDecided(1, "b#1/quarantine/0", "b#1", "sei/b", T.plusSeconds(1), 72, null,
                "seid:v5", "b-0", "u"));
        assertThat(view.open()).extracting(IncidentView.Incident::incidentId).containsExactly("a#1", "b#1");
        IncidentView.Incident a = view.open().get(0);
        assertThat(a.state()).isEqualTo("upgrading");
        assertThat(a.openedAt()).isEqualTo(T);
        assertThat(a.decisions()).isEqualTo(2);
        assertThat(a.reasonCode()).isEqualTo(70);

        view.apply(new Decision.IncidentResolved(1, "a#1/resolve/2", "a#1", "sei/a", T.plusSeconds(9), 70, "v6",
                "seid:v6", T, "running target image"));
        assertThat(view.open()).extracting(IncidentView.Incident::incidentId).containsExactly("b#1");
        assertThat(view.recentlyResolved()).singleElement().satisfies(r -> {
            assertThat(r.incident().incidentId()).isEqualTo("a#1");
            assertThat(r.resolution()).isEqualTo("running target image");
            assertThat(r.resolvedAt()).isEqualTo(T.plusSeconds(9));
        });
    }

    @Test
    void anOperatorCommandWithoutAnOpenIncidentOpensNothing() {
        IncidentView view = new IncidentView();
        view.apply(new Decision.OperatorCommandApplied(1, "c#none/operator/x", "c#none", "sei/c", T, "x",
                io.haltsupervisor.schemas.OperatorCommandIssued.Command.HOLD, "alice", null, false, "hold set"));
        assertThat(view.open()).isEmpty();
        assertThat(view.held()).as("but the node is on hold").extracting(IncidentView.Hold::nodeId)
                .containsExactly("sei/c");
    }

    @Test
    void aNodeStaysOnHoldAcrossItsIncidentsUntilReleasedAndAHoldAgainKeepsTheFirst() {
        IncidentView view = new IncidentView();
        view.apply(new Decision.OperatorCommandApplied(1, "sei/d#1/operator/h1", "sei/d#1", "sei/d", T, "h1",
                Command.HOLD, "halt-supervisor-actuator", "image change reverted by argocd-controller", false,
                "node on hold: no automatic action until release"));
        view.apply(new Decision.IncidentResolved(1, "sei/d#1/resolve/1", "sei/d#1", "sei/d", T.plusSeconds(5), 70,
                "v6", "seid:v6", T, "running target image seid:v6"));
        view.apply(new Decision.OperatorCommandApplied(1, "sei/d#none/operator/h2", "sei/d#none", "sei/d",
                T.plusSeconds(9), "h2", Command.HOLD, "alice", "again", false, "node already on hold"));
        assertThat(view.held()).singleElement().isEqualTo(new IncidentView.Hold("sei/d", T,
                "halt-supervisor-actuator", "image change reverted by argocd-controller", "sei/d#1"));

        view.apply(new Decision.OperatorCommandApplied(1, "sei/d#none/operator/r1", "sei/d#none", "sei/d",
                T.plusSeconds(60), "r1", Command.RELEASE, "alice", "image in Git", false, "hold lifted"));
        assertThat(view.held()).isEmpty();
    }

    @Test
    void theFleetHoldIsOpenUntilReleased() {
        IncidentView view = new IncidentView();
        view.apply(SampleEvents.decisions().get(9));
        assertThat(view.open()).singleElement().satisfies(i -> assertThat(i.nodeId()).isEqualTo("fleet"));
        view.apply(SampleEvents.decisions().get(10));
        assertThat(view.open()).isEmpty();
    }
}
