package io.haltsupervisor.actuator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventsTest {
    @Test
    void namesAreDeterministicPerDecisionAndStep() {
        String a = Events.name("rpc-0", "sei/rpc-0#1/upgrade/0", "event");
        assertThat(a).isEqualTo(Events.name("rpc-0", "sei/rpc-0#1/upgrade/0", "event"));
        assertThat(a).matches("rpc-0\\.[0-9a-f]{16}");
        assertThat(a).isNotEqualTo(Events.name("rpc-0", "sei/rpc-0#1/upgrade/1", "event"));
        assertThat(a).isNotEqualTo(Events.name("rpc-0", "sei/rpc-0#1/upgrade/0", "other"));
    }

    @Test
    void namesAreValidObjectNamesEvenForLongOrOddRegardingNames() {
        String name = Events.name("X_Y".repeat(200), "d", "s");
        assertThat(name).hasSizeLessThanOrEqualTo(253).matches("[a-z0-9.-]+");
    }

    @Test
    void utf8TruncationCutsOnCharacterBoundaries() {
        String s = "a".repeat(1020) + "😀😀";
        String cut = Text.truncateUtf8(s, 1024);
        assertThat(cut.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(1024);
        assertThat(cut).endsWith("…").doesNotContain("\uFFFD");
        assertThat(Text.truncateUtf8("short", 1024)).isEqualTo("short");
        assertThat(Text.truncateChars("abcdef", 4)).isEqualTo("abc…");
    }
}
