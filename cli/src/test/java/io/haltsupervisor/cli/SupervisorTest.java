package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
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

    @Test
    void helpListsEveryCommand() {
        assertThat(run("--help")).isZero();
        for (String command : Supervisor.commandLine().getSubcommands().keySet()) {
            assertThat(out.toString()).contains(command);
        }
        assertThat(out.toString()).contains("dev");
    }

    @Test
    void anUnknownCommandPrintsUsageOnStderrAndExits2() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("frobnicate").contains("Usage: supervisor");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aBadOptionPrintsUsageOnStderrAndExits2() {
        assertThat(run("dev", "--partitions", "many")).isEqualTo(2);
        assertThat(err.toString()).contains("--partitions").contains("many").contains("Usage: supervisor dev");
    }

    @Test
    void noCommandPrintsUsageAndExits2() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: supervisor");
    }
}
