package io.haltsupervisor.cli;

import io.haltsupervisor.sandbox.kafka.EmbeddedKafka;
import io.haltsupervisor.sandbox.kafka.TopicCreator;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code supervisor dev}: everything in one process on embedded defaults — an in-process Kafka broker
 * with every topic, and an in-memory Kubernetes API — unless {@code --bootstrap} names an existing
 * Kafka. Prints {@code bootstrap=HOST:PORT} and {@code kubernetes=URL} on stdout and runs until SIGINT
 * or SIGTERM, then closes everything in reverse order and exits 0.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Run everything in one process on an embedded broker and an in-memory Kubernetes API.")
public final class DevCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DevCommand.class);

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Use an existing Kafka instead of the embedded broker.")
    String bootstrap;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--http-port", defaultValue = "0",
            description = "Port for /metrics, /healthy, /ready (default: a free port).")
    int httpPort;

    private final PrintStream out;

    public DevCommand() {
        this(System.out);
    }

    DevCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        if (partitions < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--partitions: expected a positive integer, got " + partitions);
        }
        Signals signals = Signals.install();
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            KafkaClientConfig kafka = startKafka(resources);
            InMemoryKubernetes kube = InMemoryKubernetes.start();
            resources.push(kube);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            resources.push(registry::close);
            OpsServer ops = new OpsServer(new InetSocketAddress("127.0.0.1", httpPort), registry, () -> true,
                    () -> true).start();
            resources.push(ops);

            out.println("bootstrap=" + kafka.bootstrapServers());
            out.println("kubernetes=" + kube.url());
            out.println("metrics=" + ops.url() + "metrics");
            out.flush();
            LOG.info("dev mode running; Ctrl-C to stop");
            String why = signals.await();
            LOG.info("{} received: shutting down", why);
            return 0;
        } finally {
            closeAll(resources);
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
        EmbeddedKafka broker = new EmbeddedKafka();
        resources.push(broker);
        broker.start();
        broker.createTopics(partitions);
        return KafkaClientConfig.of(broker.bootstrapServers());
    }

    static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", r, e.toString());
            }
        }
    }
}
