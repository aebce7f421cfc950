package io.haltsupervisor.cli;

import io.haltsupervisor.pollers.mappings.ImageMappingFormat;
import io.haltsupervisor.pollers.mappings.MappingAdmin;
import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.Json;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code supervisor mapping put|rm|ls}: writes and reads the compacted {@code seid.image-mappings.v1} directly,
 * with the validation of the ConfigMap path. Bad input: a clear error on stderr and exit 2; Kafka failures:
 * exit 1. The logic is {@link MappingAdmin}'s.
 */
@Command(name = "mapping", mixinStandardHelpOptions = true,
        description = "Read and write the plan -> image mappings (seid.image-mappings.v1).",
        subcommands = {MappingCommand.Put.class, MappingCommand.Rm.class, MappingCommand.Ls.class})
public final class MappingCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** What the three subcommands share: Kafka options, error reporting, exit codes. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Spec
        CommandSpec spec;

        abstract int run(MappingAdmin admin, PrintWriter out) throws Exception;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String name = "supervisor mapping " + spec.name();
            try {
                MappingAdmin admin = new MappingAdmin(kafka.config(), KafkaOptions.REACH_TIMEOUT, Clock.systemUTC(),
                        w -> err.println(name + ": warning: " + w));
                int code = run(admin, out);
                out.flush();
                return code;
            } catch (IllegalArgumentException e) {
                err.println(name + ": " + e.getMessage());
                return 2;
            } catch (Exception e) {
                // an access failure names what the command's ACL family needs (docs/operations.md, ACLs)
                String message = Acls.forCommand("mapping " + spec.name()).flatMap(p -> Acls.explain(p, e))
                        .orElse(e.getMessage() == null ? e.toString() : e.getMessage());
                err.println(name + ": " + message);
                return 1;
            } finally {
                err.flush();
            }
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = "Map an upgrade plan to the image that serves it.")
    static final class Put extends Base {
        @Parameters(index = "0", paramLabel = "PLAN", description = "The upgrade plan name, e.g. v6.")
        String plan;

        @Parameters(index = "1", paramLabel = "IMAGE",
                description = "The image, e.g. ghcr.io/sei-protocol/seid:v6.0.1 or repo@sha256:…")
        String image;

        @Option(names = "--height", paramLabel = "H", description = "The plan's upgrade height (a positive block height).")
        Long height;

        @Option(names = "--by", paramLabel = "WHO", description = "Who sets it (default: $USER); source cli:WHO.")
        String by;

        @Override
        int run(MappingAdmin admin, PrintWriter out) throws Exception {
            String who = by != null ? by : System.getenv().getOrDefault("USER", "unknown");
            ImageMappingFormat.validate(plan, image, height); // bad input is exit 2 even when Kafka is down
            MappingAdmin.checkUser(who);
            kafka.requireReachable();
            ImageMappingChanged m = admin.put(plan, image, height, who);
            out.printf(Locale.ROOT, "%s -> %s%s (%s)%n", m.plan(), m.image(),
                    m.upgradeHeight() == null ? "" : " at height " + m.upgradeHeight(), m.source());
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a plan's mapping (a tombstone).")
    static final class Rm extends Base {
        @Parameters(index = "0", paramLabel = "PLAN", description = "The upgrade plan name.")
        String plan;

        @Override
        int run(MappingAdmin admin, PrintWriter out) throws Exception {
            ImageMappingFormat.checkPlan(plan);
            kafka.requireReachable();
            Optional<ImageMappingChanged> removed = admin.remove(plan);
            if (removed.isEmpty()) {
                spec.commandLine().getErr().println("supervisor mapping rm: plan '" + plan
                        + "' has no mapping; nothing removed");
                return 0;
            }
            out.printf(Locale.ROOT, "%s removed (was %s from %s)%n", plan, removed.get().image(),
                    removed.get().source());
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the current mappings.")
    static final class Ls extends Base {
        @Option(names = "--json", description = "One JSON object per line instead of a table.")
        boolean json;

        @Override
        int run(MappingAdmin admin, PrintWriter out) {
            kafka.requireReachable();
            SortedMap<String, ImageMappingChanged> all = admin.list();
            if (json) {
                all.values().forEach(m -> out.println(Json.write(m)));
                return 0;
            }
            int plan = Math.max(4, all.keySet().stream().mapToInt(String::length).max().orElse(4));
            int image = Math.max(5, all.values().stream().mapToInt(m -> m.image().length()).max().orElse(5));
            String row = "%-" + plan + "s  %-" + image + "s  %-11s  %s%n";
            out.printf(Locale.ROOT, row, "PLAN", "IMAGE", "HEIGHT", "SOURCE");
            all.values().forEach(m -> out.printf(Locale.ROOT, row, m.plan(), m.image(),
                    m.upgradeHeight() == null ? "-" : m.upgradeHeight().toString(), m.source()));
            return 0;
        }
    }
}
