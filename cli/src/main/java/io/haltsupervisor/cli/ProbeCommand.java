package io.haltsupervisor.cli;

import io.haltsupervisor.pollers.PollersConfig;
import io.haltsupervisor.pollers.status.StatusProbe;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code supervisor probe URL}: polls one {@code /status} once, as the poller does, and prints exactly one JSON
 * object on stdout: {@code reason} (token, or null), {@code reasonCode}, {@code planName}, {@code height},
 * {@code announcedAt}, {@code latestBlockHeight}, {@code version}; or {@code {"error": "..."}} and exit 1.
 * The logic is {@link StatusProbe}'s.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Poll one seid /status once and print what the supervisor sees, as one JSON object.")
public final class ProbeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "URL",
            description = "http(s)://HOST:PORT[/status] (the path defaults to /status).")
    String url;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "2s",
            description = "Time to connect (default: ${DEFAULT-VALUE}).")
    String connectTimeout;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
            description = "Time for the response once connected (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--max-bytes", paramLabel = "N", defaultValue = "1048576",
            description = "Response size cap (default: ${DEFAULT-VALUE}).")
    int maxBytes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration connect;
        Duration response;
        try {
            connect = PollersConfig.parseDuration("--connect-timeout", connectTimeout);
            response = PollersConfig.parseDuration("--timeout", timeout);
            if (maxBytes < 1) {
                throw new IllegalArgumentException("--max-bytes: expected a positive size, got " + maxBytes);
            }
        } catch (IllegalArgumentException e) {
            err.println("supervisor probe: " + e.getMessage());
            err.flush();
            return 2;
        }
        StatusProbe.Outcome outcome = StatusProbe.probe(url, connect, response, maxBytes);
        out.println(outcome.json());
        out.flush();
        return outcome.exitCode();
    }
}
