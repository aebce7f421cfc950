package io.haltsupervisor.devtools;

import io.haltsupervisor.cli.Components;
import io.haltsupervisor.cli.OpsServer;
import io.haltsupervisor.cli.Signals;
import io.haltsupervisor.cli.Resources;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.haltsupervisor.devtools.dev.DevFleet;
import io.haltsupervisor.devtools.dev.DevPager;
import io.haltsupervisor.devtools.dev.Scenario;
import io.haltsupervisor.devtools.dev.ScenarioTracker;
import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import io.haltsupervisor.sandbox.kafka.EmbeddedKafka;
import io.haltsupervisor.sandbox.kafka.KafkaSecurity;
import io.haltsupervisor.sandbox.kafka.TopicCreator;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.Durations;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.SaslConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code supervisor dev}: the whole supervisor in one process on embedded defaults — an in-process
 * Kafka broker with every topic, an in-memory Kubernetes API, a simulated fleet of {@code seid} nodes
 * with real loopback {@code /status} servers, the pollers, the decider, the actuator, a console pager
 * and the dashboard. {@code --bootstrap} uses an existing Kafka, {@code --kubeconfig} a real cluster.
 * Prints {@code bootstrap=}, {@code kubernetes=} and {@code dashboard=} on stdout, then one line per
 * observation, decision, action and page; runs until SIGINT/SIGTERM (or, with
 * {@code --exit-when-done}, until every scenario is complete) and exits 0. {@code --secure} runs it all on a secured
 * embedded broker, each component as its own SCRAM user with only its registry ACLs ({@link Acls}), and prints
 * {@code kafka-config=} and {@code kcat-config=} client settings files for the CLI and for {@code kcat -F}.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Run everything in one process on an embedded broker, an in-memory Kubernetes API and a "
                + "simulated fleet.")
public final class DevCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DevCommand.class);
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Use an existing Kafka instead of the embedded broker.")
    String bootstrap;

    @Option(names = "--kubeconfig", paramLabel = "PATH",
            description = "Use the cluster of this kubeconfig instead of the in-memory Kubernetes API.")
    Path kubeconfig;

    @Option(names = "--scenario", paramLabel = "NAME",
            description = "Drive the fleet through a story: upgrade, missing-mapping, too-new, downgrade, "
                    + "exit-code-only, crash-loop, network-upgrade or all. Without it the fleet runs healthy and waits"
                    + " for you.")
    String scenario;

    @Option(names = "--nodes", defaultValue = "6",
            description = "Simulated nodes, 0–1000 (default: ${DEFAULT-VALUE}); they live in namespace "
                    + SimulatedFleet.NAMESPACE + ". 0 without --scenario: no simulated fleet at all, for trying the "
                    + "supervisor on your own objects.")
    int nodes;

    @Option(names = "--namespaces", paramLabel = "NS[,NS…]", defaultValue = SimulatedFleet.NAMESPACE,
            description = "Namespaces the pollers watch and the actuator may change (default: ${DEFAULT-VALUE}, "
                    + "the simulated fleet's). Sets POLLER_NAMESPACES and ACTUATOR_NAMESPACES unless the "
                    + "environment sets them.")
    String namespaces;

    @Option(names = "--exit-when-done",
            description = "With --scenario: exit 0 once every scenario reached its decisions and actions "
                    + "(1 if --timeout passes first).")
    boolean exitWhenDone;

    @Option(names = "--timeout", defaultValue = "5m",
            description = "How long --exit-when-done waits (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--block-time", defaultValue = "400ms",
            description = "How fast the simulated chains make blocks (default: ${DEFAULT-VALUE}, Sei's pace).")
    String blockTime;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--http-port", defaultValue = "0",
            description = "Port of the dashboard, /metrics, /healthy, /ready (default: a free port).")
    int httpPort;

    @Option(names = "--quiet-events", description = "Do not print a console line per event.")
    boolean quietEvents;

    @Option(names = "--secure",
            description = "Run on a secured embedded broker (SASL_SSL SCRAM-SHA-512 and SSL with client certificates, "
                    + "ACLs required), each component as its own principal with only its ACLs; prints client "
                    + "settings files for the CLI (--kafka-config) and for kcat (-F).")
    boolean secure;

    /** With {@code --secure}: each component's own client settings (its SCRAM user). */
    private final Map<Components.Kind, KafkaClientConfig> principals = new java.util.EnumMap<>(Components.Kind.class);
    private final List<String> secureLines = new java.util.ArrayList<>();
    private KafkaSecurity devSecurity;

    @Spec
    CommandSpec spec;

    private final PrintStream out;

    public DevCommand() {
        this(System.out);
    }

    DevCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        List<Scenario> scenarios = validate();
        Duration waitLimit = parseDuration(timeout);
        Signals signals = Signals.install();
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            KafkaClientConfig kafka = startKafka(resources);
            KubernetesClient kube;
            String kubeUrl;
            if (kubeconfig != null) {
                kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
                        .build();
                resources.push(kube);
                kubeUrl = kube.getMasterUrl().toString();
            } else {
                InMemoryKubernetes memory = InMemoryKubernetes.start();
                resources.push(memory);
                kube = memory.client();
                kubeUrl = memory.url();
            }
            DevPager pager = new DevPager(out);
            resources.push(pager);

            Path stateDir = Files.createTempDirectory("halt-supervisor-dev-");
            resources.push(() -> deleteRecursively(stateDir));
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            resources.push(registry::close);
            new JvmMemoryMetrics().bindTo(registry);
            Map<String, String> env = devEnvironment(kafka, stateDir, pager);
            List<Components> running = new java.util.ArrayList<>();
            if (principals.isEmpty()) {
                running.add(Components.start(Components.all(), env, kafka, registry, kube));
                resources.push(running.get(0));
            } else {
                grantComponentAcls(env);
                for (Components.Kind kind : List.of(Components.Kind.DECIDER, Components.Kind.ACTUATOR,
                        Components.Kind.POLLERS)) {
                    Components c = Components.start(java.util.EnumSet.of(kind), env, principals.get(kind), registry,
                            kube);
                    resources.push(c);
                    running.add(c);
                }
            }
            java.util.function.BooleanSupplier healthy = () -> running.stream().allMatch(Components::healthy);
            java.util.function.BooleanSupplier ready = () -> running.stream().allMatch(Components::ready);

            Optional<DevFleet> fleet = Optional.empty();
            if (simulatesFleet(scenarios)) {
                DevFleet started = DevFleet.start(kube, nodes, scenarios, Duration.ofMillis(200), Duration.ofSeconds(1),
                        Durations.parse("--block-time", blockTime));
                resources.push(started);
                fleet = Optional.of(started);
            }
            ScenarioTracker tracker = new ScenarioTracker(fleet.map(DevFleet::scenarios).orElse(Map.of()), out);

            LiveView view = new LiveView(new HashMap<>(kafka.toMap()));
            if (!quietEvents) {
                view.addListener(this::print);
            }
            fleet.ifPresent(f -> view.addListener(f::onEvent));
            view.addListener(tracker::onEvent);
            resources.push(view.start());

            java.util.function.Supplier<List<String>> problems = () -> running.stream()
                    .flatMap(c -> c.problems().stream()).toList();
            OpsServer ops = new OpsServer(new InetSocketAddress("127.0.0.1", httpPort), registry, healthy, ready,
                    problems);
            running.forEach(c -> c.handlers().forEach(ops::mount));
            DashboardHandler dashboard = new DashboardHandler(view);
            ops.mount("/dashboard", dashboard).mount("/api/", dashboard);
            resources.push(ops.start());

            synchronized (out) {
                out.println("bootstrap=" + kafka.bootstrapServers());
                out.println("kubernetes=" + kubeUrl);
                out.println("dashboard=" + ops.url() + "dashboard");
                out.println("metrics=" + ops.url() + "metrics");
                secureLines.forEach(out::println);
                out.printf("# %s; watching and acting in namespaces %s; Ctrl-C to stop%n", fleet
                        .map(f -> f.fleet().names().size() + " simulated nodes in namespace " + SimulatedFleet.NAMESPACE
                                + (scenarios.isEmpty() ? "" : ", scenarios: " + String.join(", ",
                                        scenarios.stream().map(Scenario::token).toList())))
                        .orElse("no simulated fleet"), String.join(",", namespaceList()));
                out.flush();
            }
            resources.push(HealthWatch.start(problems, out, Duration.ofSeconds(1)));
            if (exitWhenDone) {
                return awaitScenarios(tracker, signals, waitLimit);
            }
            LOG.info("{} received: shutting down", signals.await());
            return 0;
        } finally {
            Resources.closeAll(resources);
        }
    }

    private List<Scenario> validate() {
        CommandLine cl = spec.commandLine();
        if (partitions < 1) {
            throw new CommandLine.ParameterException(cl, "--partitions: expected a positive integer, got " + partitions);
        }
        if (nodes < 0 || nodes > 1000) {
            throw new CommandLine.ParameterException(cl, "--nodes: expected 0–1000, got " + nodes);
        }
        List<String> watched = namespaceList();
        if (watched.isEmpty() || watched.stream().anyMatch(n -> !DNS_LABEL.matcher(n).matches())) {
            throw new CommandLine.ParameterException(cl, "--namespaces: expected comma-separated namespace names "
                    + "(lower-case DNS labels), got '" + namespaces + "'");
        }
        List<Scenario> scenarios;
        try {
            scenarios = scenario == null ? List.of() : Scenario.parse(scenario);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (exitWhenDone && scenarios.isEmpty()) {
            throw new CommandLine.ParameterException(cl, "--exit-when-done needs --scenario");
        }
        if (secure && bootstrap != null) {
            throw new CommandLine.ParameterException(cl, "--secure runs its own secured broker: it does not go with "
                    + "--bootstrap (use --kafka-config settings with the CLI commands against your own cluster)");
        }
        if (simulatesFleet(scenarios) && !watched.contains(SimulatedFleet.NAMESPACE)) {
            throw new CommandLine.ParameterException(cl, "--namespaces: the simulated fleet lives in namespace "
                    + SimulatedFleet.NAMESPACE + ", which '" + namespaces + "' leaves out; add it, or pass --nodes 0 "
                    + "(no simulated fleet)");
        }
        if (kubeconfig != null && !Files.isReadable(kubeconfig)) {
            throw new CommandLine.ParameterException(cl, "--kubeconfig: cannot read '" + kubeconfig + "'");
        }
        try {
            parseDuration(timeout);
            if (Durations.parse("--block-time", blockTime).compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("--block-time: expected at least 10ms, got '" + blockTime + "'");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        return scenarios;
    }

    /** The simulated fleet runs unless {@code --nodes 0} is given without a scenario. */
    private boolean simulatesFleet(List<Scenario> scenarios) {
        return nodes > 0 || !scenarios.isEmpty();
    }

    private List<String> namespaceList() {
        return Arrays.stream(namespaces.split(",", -1)).map(String::strip).filter(n -> !n.isEmpty()).toList();
    }

    static Duration parseDuration(String text) {
        return Durations.parse("--timeout", text);
    }

    private int awaitScenarios(ScenarioTracker tracker, Signals signals, Duration limit) throws InterruptedException {
        Thread waiter = new Thread(() -> {
            try {
                if (tracker.done().await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    signals.trigger();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "scenario-waiter");
        waiter.setDaemon(true);
        waiter.start();
        String why = signals.await(limit.plusSeconds(1));
        if (tracker.done().getCount() == 0) {
            synchronized (out) {
                out.println("# every scenario reached its decisions and actions");
                out.flush();
            }
            return 0;
        }
        LOG.error("scenarios not complete ({}): missing {}", why == null ? "timed out after " + limit : why,
                tracker.missing());
        return why != null && !"done".equals(why) ? 0 : 1;
    }

    private Map<String, String> devEnvironment(KafkaClientConfig kafka, Path stateDir, DevPager pager) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(KafkaClientConfig.ENV_BOOTSTRAP, kafka.bootstrapServers());
        env.putIfAbsent("POLLER_NAMESPACES", String.join(",", namespaceList()));
        env.putIfAbsent("POLLER_ALLOW_STATUS_URL_ANNOTATION", "true");
        env.putIfAbsent("POLLER_INTERVAL", "1s");
        env.putIfAbsent("POLLER_HEARTBEAT", "30s");
        env.putIfAbsent("DECIDER_STATE_DIR", stateDir.toString());
        env.putIfAbsent("DECIDER_APPLICATION_ID", "halt-supervisor-dev");
        // the simulated chain makes a block every --block-time: half that bounds its fastest pace, for plans found
        // by height
        env.putIfAbsent("DECIDER_MIN_BLOCK_TIME", Math.max(1, Durations.parse("--block-time", blockTime).toMillis() / 2)
                + "ms");
        env.putIfAbsent("ACTUATOR_NAMESPACES", String.join(",", namespaceList()));
        env.putIfAbsent("ACTUATOR_WEBHOOK_URL", pager.url().toString());
        env.putIfAbsent("ACTUATOR_GROUP_ID", "halt-supervisor-dev-actuator");
        env.putIfAbsent("ACTUATOR_RETRY_INITIAL_BACKOFF", "200ms");
        return env;
    }

    private void print(LiveView.Event e) {
        synchronized (out) {
            out.printf("%s  %-22s %s%n", TIME.format(e.timestamp()), e.label(), e.text());
            out.flush();
        }
    }

    private KafkaClientConfig startKafka(Deque<AutoCloseable> resources) {
        if (bootstrap != null) {
            KafkaClientConfig config = KafkaClientConfig.of(bootstrap);
            try (Admin admin = Admin.create(config.toProperties())) {
                TopicCreator.createAndAwait(admin, TopicCreator.registryTopics(partitions, Optional.empty()),
                        Duration.ofSeconds(15));
            }
            return config;
        }
        EmbeddedKafka broker = secure ? EmbeddedKafka.secured() : new EmbeddedKafka();
        resources.push(broker);
        broker.start();
        broker.createTopics(partitions);
        if (!secure) {
            return KafkaClientConfig.of(broker.bootstrapServers());
        }
        devSecurity = broker.security();
        return secureClients(devSecurity, broker.logDirectory().resolve("clients"));
    }

    /**
     * Makes the SCRAM users of the secured dev broker: one per component (granted in {@link #grantComponentAcls},
     * once the ids are known), one for the CLI with every CLI family's ACLs, written as {@code --kafka-config}
     * settings, and the read-only viewer written as librdkafka settings for {@code kcat -F} (mutual TLS, and SCRAM for
 * librdkafka 2.6.1 or later: older ones fail SCRAM against Kafka 4 brokers). The dev process's own
     * live view and dashboard read as the set-up super user.
     *
     * @return the super user's settings, for the live view
     */
    private KafkaClientConfig secureClients(KafkaSecurity security, Path dir) {
        principals.put(Components.Kind.POLLERS, clientConfig(security.scramUser(Acls.POLLERS)));
        principals.put(Components.Kind.DECIDER, clientConfig(security.scramUser(Acls.DECIDER)));
        principals.put(Components.Kind.ACTUATOR, clientConfig(security.scramUser(Acls.ACTUATOR)));
        String cliUser = "halt-supervisor-dev-cli";
        Map<String, String> cli = security.scramUser(cliUser);
        for (Acls.Principal family : List.of(Acls.mappingEditor(cliUser), Acls.operator(cliUser),
                Acls.viewer(cliUser))) {
            security.addAcls(family.bindings());
        }
        Path cliFile = KafkaSecurity.writeProperties(cli, dir.resolve("cli.properties"));
        Map<String, String> viewer = security.scramUser(Acls.VIEWER);
        security.addAcls(Acls.viewer(Acls.VIEWER).bindings());
        String jaas = viewer.get(SaslConfigs.SASL_JAAS_CONFIG);
        String password = jaas.substring(jaas.indexOf("password=\"") + 10, jaas.lastIndexOf('"'));
        Path kcatFile = security.writeLibrdkafkaTlsProperties(Acls.VIEWER, dir.resolve("kcat.properties"));
        Path kcatScram = security.writeLibrdkafkaProperties(Acls.VIEWER, password, dir.resolve("kcat-scram.properties"));
        secureLines.add("kafka-config=" + cliFile + "   # ./supervisor timeline NODE --kafka-config " + cliFile);
        secureLines.add("kcat-config=" + kcatFile + "   # kcat -F " + kcatFile + " -C -t "
                + Topics.DECISIONS.name() + " -e");
        secureLines.add("kcat-scram-config=" + kcatScram + "   # the same over SCRAM (librdkafka 2.6.1 or later)");
        return clientConfig(security.superUserProperties());
    }

    /** Grants each component's principal its registry ACLs, with the ids this dev run uses. */
    private void grantComponentAcls(Map<String, String> env) {
        // the users were made with the broker; the ACLs need the application id and group of this run
        KafkaSecurity security = devSecurity;
        security.addAcls(Acls.pollers(Acls.POLLERS).bindings());
        security.addAcls(Acls.decider(Acls.DECIDER, env.get("DECIDER_APPLICATION_ID")).bindings());
        security.addAcls(Acls.actuator(Acls.ACTUATOR, env.get("ACTUATOR_GROUP_ID")).bindings());
    }

    private static KafkaClientConfig clientConfig(Map<String, String> client) {
        Map<String, String> props = new HashMap<>(client);
        String servers = props.remove("bootstrap.servers");
        return new KafkaClientConfig(servers, props);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
