package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GroupMembershipTest {

    @Test
    void defaultsNoticeADeadMemberInSixSecondsAndLeaveOnClose() {
        GroupMembership m = GroupMembership.defaults();
        assertThat(m).isEqualTo(new GroupMembership(Duration.ofSeconds(6), Duration.ofMillis(1500), Optional.empty(),
                true));
        assertThat(m.consumerProperties("")).containsOnly(Map.entry("session.timeout.ms", 6000),
                Map.entry("heartbeat.interval.ms", 1500));
    }

    @Test
    void staticMembershipUsesTheInstanceIdThenThePodNameThenTheHostname() {
        assertThat(GroupMembership.fromEnv(Map.of("X_STATIC_MEMBERSHIP", "true", "X_INSTANCE_ID", "a",
                "POD_NAME", "b", "HOSTNAME", "c"), "X_").instanceId()).contains("a");
        assertThat(GroupMembership.fromEnv(Map.of("X_STATIC_MEMBERSHIP", "true", "POD_NAME", "b", "HOSTNAME", "c"),
                "X_").instanceId()).contains("b");
        GroupMembership fromHost = GroupMembership.fromEnv(Map.of("X_STATIC_MEMBERSHIP", "yes", "HOSTNAME", "c"),
                "X_");
        assertThat(fromHost.consumerProperties("-results")).containsEntry("group.instance.id", "c-results");
        assertThat(GroupMembership.fromEnv(Map.of("POD_NAME", "b"), "X_").instanceId()).isEmpty();
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> GroupMembership.fromEnv(Map.of("X_SESSION_TIMEOUT", "500ms"), "X_"))
                .hasMessageContaining("X_SESSION_TIMEOUT");
        assertThatThrownBy(() -> GroupMembership.fromEnv(Map.of("X_SESSION_TIMEOUT", "6s",
                "X_HEARTBEAT_INTERVAL", "6s"), "X_")).hasMessageContaining("X_HEARTBEAT_INTERVAL");
        assertThatThrownBy(() -> GroupMembership.fromEnv(Map.of("X_STATIC_MEMBERSHIP", "true"), "X_"))
                .hasMessageContaining("X_STATIC_MEMBERSHIP").hasMessageContaining("POD_NAME");
        assertThatThrownBy(() -> GroupMembership.fromEnv(Map.of("X_LEAVE_GROUP_ON_CLOSE", "maybe"), "X_"))
                .hasMessageContaining("X_LEAVE_GROUP_ON_CLOSE");
    }
}
