package io.haltsupervisor.devtools;

import io.haltsupervisor.cli.Supervisor;
import picocli.CommandLine;

/**
 * The entry point of the developer jar, {@code halt-supervisor-dev.jar}: the production command line
 * ({@link Supervisor}) plus {@code dev} (the whole supervisor on an embedded broker, an in-memory Kubernetes API
 * and a simulated fleet) and {@code bench} (the benchmarks behind docs/benchmarks.md). {@code ./supervisor dev}
 * and {@code ./supervisor bench} run this jar; it is never deployed.
 */
public final class DevSupervisor {
    private DevSupervisor() {
    }

    /** The production command line with {@code dev} and {@code bench} added; tests use this too. */
    public static CommandLine commandLine() {
        return Supervisor.commandLine(new DevCommand(), new BenchCommand());
    }

    public static void main(String[] args) {
        System.exit(Supervisor.run(commandLine(), args));
    }
}
