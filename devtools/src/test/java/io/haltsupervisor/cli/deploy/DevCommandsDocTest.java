package io.haltsupervisor.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.devtools.DevSupervisor;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The docs' {@code ./supervisor dev …} and {@code ./supervisor bench …} commands, read by cli's
 * {@link DocCheckTest} and parsed by the developer jar's command line, which is where they run (cli's own check
 * leaves them to this one: cli cannot see the developer module).
 */
class DevCommandsDocTest {
    @Test
    void everyDocumentedDevAndBenchCommandParses() {
        List<DocCheckTest.Command> commands = DocCheckTest.commands().stream()
                .filter(c -> c.program().equals("./supervisor") && c.words().size() > 1
                        && DocCheckTest.DEVELOPER_COMMANDS.contains(c.words().get(1)))
                .toList();
        assertThat(commands).as("the docs show dev mode and a benchmark").isNotEmpty()
                .anyMatch(c -> c.words().get(1).equals("dev")).anyMatch(c -> c.words().get(1).equals("bench"));
        for (DocCheckTest.Command c : commands) {
            List<String> args = c.words().subList(1, c.words().size());
            if (args.stream().allMatch(a -> a.equals("…") || a.equals("...") || a.matches("<[^>]+>")
                    || DocCheckTest.DEVELOPER_COMMANDS.contains(a))
                    && args.stream().anyMatch(a -> !DocCheckTest.DEVELOPER_COMMANDS.contains(a))) {
                continue; // a usage pattern, not a command
            }
            try {
                DevSupervisor.commandLine().parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError(c + ": the developer jar rejects it: " + e.getMessage(), e);
            }
        }
    }
}
