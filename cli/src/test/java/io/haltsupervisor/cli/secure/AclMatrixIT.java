package io.haltsupervisor.cli.secure;

import static io.haltsupervisor.cli.secure.SecureKit.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haltsupervisor.cli.Components;
import io.haltsupervisor.cli.secure.SecureKit.CliResult;
import io.haltsupervisor.cli.secure.SecureKit.LogCapture;
import io.haltsupervisor.cli.secure.SecureKit.Mechanism;
import io.haltsupervisor.sandbox.kafka.EmbeddedKafka;
import io.haltsupervisor.sandbox.kube.KubeApiExtension;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.KafkaAcl;
import io.haltsupervisor.schemas.SampleEvents;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The negative ACL matrix: for every ACL of every principal in the registry ({@link Acls}), that principal with
 * all its ACLs but that one, on one shared secured broker (SCRAM; a fresh user, application id and group per case).
 * Each case asserts that the component or command fails within seconds with a message naming the operation and
 * the resource (the ACL's own description, e.g. {@code Read on group m-decider-7}), and that it had no partial
 * effect: nothing was written to the topics it writes. The inputs it would act on are there (a mapping, a halt, a
 * decision), so a component that did start would write.
 */
@Timeout(600)
class AclMatrixIT {
    /** How long a failure may take to show: a component must not hang or retry quietly. */
    private static final Duration FAILS_WITHIN = Duration.ofSeconds(30);
    private static final String NODE = "m/rpc";

    private static EmbeddedKafka kafka;
    @RegisterExtension
    static final KubeApiExtension kube = new KubeApiExtension();
    private static SimulatedSeidServer seids;
    private static final AtomicInteger CASES = new AtomicInteger();

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        kafka = SecureKit.broker();
        seids = SimulatedSeidServer.start();
        SampleEvents.imageMappings().forEach(m -> SecureKit.produce(kafka, Topics.IMAGE_MAPPINGS, m.plan(), m));
        SampleEvents.haltObservations().forEach(h -> SecureKit.produce(kafka, Topics.HALT_OBSERVATIONS, h.nodeId(), h));
        SampleEvents.decisions().forEach(d -> SecureKit.produce(kafka, Topics.DECISIONS, d.nodeId(), d));
    }

    @AfterAll
    static void stop() {
        seids.close();
        kafka.close();
    }

    /** A principal of the registry, made for case {@code n} (its own user, application id, group). */
    private record Family(String name, Function<Integer, Acls.Principal> principal, List<Topic<?, ?>> writes) {
    }

    @TestFactory
    Stream<DynamicTest> eachMissingAclFailsItsComponentOrCommandNamingIt() {
        List<Family> families = List.of(
                new Family("pollers", n -> Acls.pollers("m-pollers-" + n),
                        List.of(Topics.HALT_OBSERVATIONS, Topics.NODE_OBSERVATIONS, Topics.IMAGE_MAPPINGS)),
                new Family("decider", n -> Acls.decider("m-decider-" + n, "m-decider-" + n),
                        List.of(Topics.DECISIONS, Topics.DEAD_LETTERS)),
                new Family("actuator", n -> Acls.actuator("m-actuator-" + n, "m-actuator-" + n),
                        List.of(Topics.ACTION_RESULTS, Topics.OPERATOR_COMMANDS, Topics.DEAD_LETTERS)),
                new Family("mapping editor", n -> Acls.mappingEditor("m-editor-" + n), List.of(Topics.IMAGE_MAPPINGS)),
                new Family("operator", n -> Acls.operator("m-operator-" + n), List.of(Topics.OPERATOR_COMMANDS)),
                new Family("viewer", n -> Acls.viewer("m-viewer-" + n), List.of()));
        List<DynamicTest> cases = new ArrayList<>();
        for (Family family : families) {
            Acls.Principal template = family.principal().apply(0);
            for (int i = 0; i < template.acls().size(); i++) {
                int index = i;
                cases.add(DynamicTest.dynamicTest(family.name() + " without " + template.acls().get(i).describe(),
                        () -> {
                            int n = CASES.incrementAndGet();
                            Acls.Principal full = family.principal().apply(n);
                            KafkaAcl missing = full.acls().get(index);
                            runCase(family, full, missing);
                        }));
            }
        }
        return cases.stream();
    }

    private void runCase(Family family, Acls.Principal full, KafkaAcl missing) throws Exception {
        Acls.Principal granted = full.without(missing);
        Map<String, String> client = SecureKit.grant(kafka.security(), Mechanism.SCRAM, granted);
        Map<Topic<?, ?>, Long> before = new HashMap<>();
        family.writes().forEach(t -> before.put(t, SecureKit.endOffsets(kafka, t)));
        long begin = System.nanoTime();
        List<String> failures = switch (family.name()) {
            case "pollers" -> component(Components.Kind.POLLERS, full, client);
            case "decider" -> component(Components.Kind.DECIDER, full, client);
            case "actuator" -> component(Components.Kind.ACTUATOR, full, client);
            default -> commands(family, full, client, missing);
        };
        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        assertThat(failures).as("what %s reported without %s", full.role(), missing.describe()).isNotEmpty()
                .allSatisfy(f -> assertThat(f).contains(missing.describe()));
        assertThat(took).as("time to fail").isLessThan(FAILS_WITHIN.plusSeconds(15));
        family.writes().forEach(t -> assertThat(SecureKit.endOffsets(kafka, t))
                .as("records written to %s without %s", t.name(), missing.describe()).isEqualTo(before.get(t)));
    }

    /**
     * Starts the component on the client settings; returns the message of its failed start, or, when it started,
     * waits until it reports unhealthy and returns its log lines that say what Kafka refused.
     */
    private static List<String> component(Components.Kind kind, Acls.Principal full, Map<String, String> client)
            throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("POLLER_NAMESPACES", "m");
        env.put("POLLER_ALLOW_STATUS_URL_ANNOTATION", "true");
        env.put("POLLER_INSTANCE", "pollers-0");
        env.put("DECIDER_APPLICATION_ID", full.user());
        env.put("DECIDER_STATE_DIR", Files.createDirectories(dir.resolve(full.user())).toString());
        env.put("ACTUATOR_GROUP_ID", full.user());
        env.put("ACTUATOR_INSTANCE", "actuator-0");
        env.put("ACTUATOR_NAMESPACES", "m");
        env.put("ACTUATOR_DRY_RUN", "true");
        try (LogCapture logs = new LogCapture()) {
            Components started;
            try {
                started = Components.start(EnumSet.of(kind), env, SecureKit.config(client), new SimpleMeterRegistry(),
                        kube.client());
            } catch (RuntimeException e) {
                return List.of(messages(e));
            }
            try (started) {
                await(kind + " unhealthy").atMost(FAILS_WITHIN).until(() -> !started.healthy());
                return logs.lines().stream().filter(l -> l.contains("Kafka denied")).toList();
            }
        }
    }

    /** Runs every command of the family that needs the missing ACL; returns what each printed, all must fail. */
    private List<String> commands(Family family, Acls.Principal full, Map<String, String> client, KafkaAcl missing) {
        Path file = SecureKit.propertiesFile(client, dir, full.user());
        List<String[]> runs = new ArrayList<>();
        switch (family.name()) {
            case "mapping editor" -> {
                runs.add(new String[] {"mapping", "put", "v9", "ghcr.io/sei-protocol/seid:v9.0.0", "--by", "it"});
                runs.add(new String[] {"mapping", "rm", SampleEvents.imageMappings().get(0).plan()});
            }
            case "operator" -> List.of("ack", "hold", "release", "retry").forEach(c -> runs.add(new String[] {c, NODE,
                    "--by", "it"}));
            case "viewer" -> Acls.VIEWER_COMMANDS.forEach((command, topics) -> {
                if (topics.stream().anyMatch(t -> t.name().equals(missing.name()))) {
                    List<String> args = new ArrayList<>(List.of(command.split(" ")));
                    if (command.equals("timeline")) {
                        args.add(NODE);
                    }
                    runs.add(args.toArray(String[]::new));
                }
            });
            default -> throw new IllegalArgumentException(family.name());
        }
        assertThat(runs).as("commands needing %s", missing.describe()).isNotEmpty();
        List<String> failures = new ArrayList<>();
        for (String[] args : runs) {
            CliResult r = cli(file, args);
            assertThat(r.exit()).as("exit of %s without %s: %s", String.join(" ", args), missing.describe(), r.err())
                    .isEqualTo(1);
            failures.add(r.err());
        }
        return failures;
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
