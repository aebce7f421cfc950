package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SupervisorTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Supervisor.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** The operator's surface, docs/requirements.md §6, written out here rather than read from the code. */
    private static final List<String> SURFACE = List.of("poller", "decider", "actuator", "all", "mapping",
            "incidents", "timeline", "replay", "restore", "probe", "ack", "hold", "release", "retry");

    @Test
    void helpListsEveryCommandOfTheOperatorsSurface() {
        assertThat(run("--help")).isZero();
        String help = out.toString();
        for (String command : SURFACE) {
            assertThat(help).as("--help lists " + command).containsPattern("(?m)^\\s+" + command + "\\b");
        }
    }

    @Test
    void theProductionJarHasNoDeveloperCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).doesNotContainPattern("(?m)^\\s+(dev|bench)\\b");
        assertThat(run("dev")).isEqualTo(2);
        assertThat(err.toString()).contains("'dev'").contains("Usage: supervisor");
    }

    @Test
    void anUnknownCommandPrintsUsageOnStderrAndExits2() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("frobnicate").contains("Usage: supervisor");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aBadOptionPrintsUsageOnStderrAndExits2() {
        assertThat(run("replay", "--max-diff", "many")).isEqualTo(2);
        assertThat(err.toString()).contains("--max-diff").contains("many").contains("Usage: supervisor replay");
    }

    @Test
    void noCommandPrintsUsageAndExits2() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: supervisor");
    }
}
