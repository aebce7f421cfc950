package io.haltsupervisor.cli;

import io.haltsupervisor.schemas.Acls;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code supervisor} command: the entry point of the production jar, {@code halt-supervisor.jar} — the
 * components, the operator commands and the read-only tools. Usage errors (unknown command, bad option) print the
 * usage on stderr and exit 2. The developer jar ({@code devtools}) adds {@code dev} and {@code bench} to this
 * command line.
 */
@Command(name = "supervisor",
        mixinStandardHelpOptions = true,
        versionProvider = Supervisor.Version.class,
        description = "Event-sourced supervisor for Sei nodes (seid) on Kubernetes, on Kafka Streams.",
        subcommands = {
            ComponentCommands.All.class,
            ComponentCommands.Poller.class,
            ComponentCommands.Decider.class,
            ComponentCommands.Actuator.class,
            IncidentsCommand.class,
            TimelineCommand.class,
            ReplayCommand.class,
            RestoreCommand.class,
            MappingCommand.class,
            ProbeCommand.class,
            OperatorCommands.Ack.class,
            OperatorCommands.Hold.class,
            OperatorCommands.Release.class,
            OperatorCommands.Retry.class,
            CommandLine.HelpCommand.class
        })
public final class Supervisor implements Callable<Integer> {
    /** Exit code for bad usage. */
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    /**
     * Builds the command line with the project's error handling; tests use this too. {@code extraCommands} (picocli
     * {@code @Command} objects) are added before the handlers are set, so they get the same error handling.
     */
    public static CommandLine commandLine(Object... extraCommands) {
        CommandLine cl = new CommandLine(new Supervisor());
        for (Object command : extraCommands) {
            cl.addSubcommand(command);
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println(cmd.getColorScheme().errorText("supervisor: " + ex.getMessage()));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            cmd.usage(err);
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            // "supervisor mapping put" → "mapping put": the ACL family it belongs to names what it needs
            String command = cmd.getCommandSpec().qualifiedName(" ").replaceFirst("^\\S+\\s*", "");
            Optional<String> denied = Acls.forCommand(command).map(p -> Acls.explain(p, ex))
                    .orElseGet(() -> Acls.explain(ex));
            if (denied.isPresent()) {
                // wrong credentials, untrusted certificate, missing ACL: what Kafka refused, never a secret
                err.println("supervisor " + cmd.getCommandName() + ": " + denied.get());
                return 1;
            }
            if (ex instanceof IllegalArgumentException) {
                err.println("supervisor " + cmd.getCommandName() + ": " + ex.getMessage());
                err.println(cmd.getHelp().synopsis(0).stripTrailing());
                return USAGE;
            }
            err.println("supervisor " + cmd.getCommandName() + ": " + ex.getMessage());
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(run(commandLine(), args));
    }

    /** Runs {@code commandLine} with {@code args} as a process entry point does; returns the exit code. */
    public static int run(CommandLine commandLine, String[] args) {
        formatInUsEnglish();
        // fabric8's client and a few libraries log through java.util.logging: route it to SLF4J
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        return commandLine.execute(args);
    }

    /**
     * Makes en-US the default locale for formatting. Kafka Streams 4.4 calls {@code String.format} for every
     * record of a task that has an empty input partition ({@code PartitionGroup.readyToProcess} builds its trace
     * message whether or not it is logged), and the decider's tasks nearly always have one (operator commands,
     * the control topic). Under any other default locale — {@code C.UTF-8} and {@code POSIX} containers give plain
     * {@code en} — each such call looks up {@code DecimalFormatSymbols}, which measured about 9 % of the stream
     * threads' time (docs/benchmarks-history.md). Our own output formats with {@code Locale.ROOT} and does not change.
     */
    static void formatInUsEnglish() {
        Locale.setDefault(Locale.Category.FORMAT, Locale.US);
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Supervisor.class.getPackage().getImplementationVersion();
            return new String[] {"halt-supervisor " + (v == null ? "(development build)" : v)};
        }
    }
}
