package io.haltsupervisor.devtools;

import io.haltsupervisor.devtools.bench.DeciderBench;
import io.haltsupervisor.devtools.bench.LatencyBench;
import io.haltsupervisor.devtools.bench.PollerBench;
import io.haltsupervisor.devtools.bench.ReplayBench;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code supervisor bench NAME [OPTIONS]}: the benchmarks behind docs/benchmarks.md. Each prints what it
 * ran on, its figures beside the comparison it is judged by, and a machine-readable last line
 * ({@code name=… rate=…}). Benchmarks are never tests: run them on a quiet machine.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark: decider, poller, latency, replay (options after the name go to the benchmark;"
                + " NAME --help).")
public final class BenchCommand implements Callable<Integer> {
    /** The benchmarks by name. */
    static final Map<String, ToIntFunction<String[]>> BENCHMARKS = new LinkedHashMap<>();

    static {
        BENCHMARKS.put("decider", DeciderBench::run);
        BENCHMARKS.put("poller", PollerBench::run);
        BENCHMARKS.put("latency", LatencyBench::run);
        BENCHMARKS.put("replay", ReplayBench::run);
    }

    @Parameters(index = "0", paramLabel = "NAME", description = "One of: decider, poller, latency, replay.")
    String name;

    @CommandLine.Unmatched
    List<String> options = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ToIntFunction<String[]> bench = BENCHMARKS.get(name);
        if (bench == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "NAME: expected one of " + String.join(", ", BENCHMARKS.keySet()) + ", got '" + name + "'");
        }
        return bench.applyAsInt(options.toArray(String[]::new));
    }
}
