package io.haltsupervisor.devtools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The developer jar's command line: the production commands plus dev and bench, with the same error handling. */
class DevSupervisorTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = DevSupervisor.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** The operator's surface, docs/requirements.md §6, and the developer commands, written out here. */
    private static final List<String> SURFACE = List.of("dev", "poller", "decider", "actuator", "all", "mapping",
            "incidents", "timeline", "replay", "restore", "probe", "ack", "hold", "release", "retry", "bench");

    @Test
    void helpListsEveryProductionCommandAndDevAndBench() {
        assertThat(run("--help")).isZero();
        String help = out.toString();
        for (String command : SURFACE) {
            assertThat(help).as("--help lists " + command).containsPattern("(?m)^\\s+" + command + "\\b");
        }
    }

    @Test
    void devRefusesANegativeNodeCount() {
        assertThat(run("dev", "--nodes", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--nodes: expected 0–1000, got -1").contains("Usage: supervisor dev");
    }

    @Test
    void devRefusesANamespaceThatIsNotAName() {
        assertThat(run("dev", "--namespaces", "sei,Team_A")).isEqualTo(2);
        assertThat(err.toString()).contains("--namespaces: expected comma-separated namespace names")
                .contains("sei,Team_A").contains("Usage: supervisor dev");
    }

    @Test
    void devRefusesNamespacesThatLeaveOutTheSimulatedFleet() {
        assertThat(run("dev", "--namespaces", "team-a")).isEqualTo(2);
        assertThat(err.toString()).contains("the simulated fleet lives in namespace sei").contains("--nodes 0");
    }

    @Test
    void aBadOptionPrintsUsageOnStderrAndExits2() {
        assertThat(run("dev", "--partitions", "many")).isEqualTo(2);
        assertThat(err.toString()).contains("--partitions").contains("many").contains("Usage: supervisor dev");
    }
}
