package io.haltsupervisor.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The production commands: {@code poller}, {@code decider}, {@code actuator} and {@code all}, each
 * against an existing Kafka ({@code KAFKA_BOOTSTRAP_SERVERS}, TLS/SASL passed through) and the
 * cluster the process runs in (in-cluster service account, else {@code KUBECONFIG}). Each serves
 * {@code /metrics}, {@code /healthy} and {@code /ready} on {@code --http-port} (default 8080) and stops
 * cleanly on SIGTERM.
 */
public final class ComponentCommands {
    private static final Logger LOG = LoggerFactory.getLogger(ComponentCommands.class);

    private ComponentCommands() {
    }

    abstract static class Base implements Callable<Integer> {
        @Option(names = "--http-port", defaultValue = "${env:SUPERVISOR_HTTP_PORT:-8080}",
                description = "Port for /metrics, /healthy, /ready (default: $SUPERVISOR_HTTP_PORT or 8080).")
        int httpPort;

        @Option(names = "--http-address", defaultValue = "${env:SUPERVISOR_HTTP_ADDRESS:-0.0.0.0}",
                description = "Address to listen on (default: $SUPERVISOR_HTTP_ADDRESS or 0.0.0.0).")
        String httpAddress;

        abstract Set<Components.Kind> kinds();

        @Override
        public Integer call() throws Exception {
            Signals signals = Signals.install();
            KafkaClientConfig kafka = KafkaClientConfig.fromEnv(System.getenv());
            Deque<AutoCloseable> resources = new ArrayDeque<>();
            try {
                PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                resources.push(registry::close);
                new JvmMemoryMetrics().bindTo(registry);
                new JvmGcMetrics().bindTo(registry);
                new JvmThreadMetrics().bindTo(registry);
                new ProcessorMetrics().bindTo(registry);
                KubernetesClient kube = null;
                if (kinds().contains(Components.Kind.POLLERS) || kinds().contains(Components.Kind.ACTUATOR)) {
                    kube = new KubernetesClientBuilder().build();
                    resources.push(kube);
                    LOG.info("kubernetes: {}", kube.getMasterUrl());
                }
                Components components = Components.start(kinds(), System.getenv(), kafka, registry, kube);
                resources.push(components);
                OpsServer ops = new OpsServer(new InetSocketAddress(httpAddress, httpPort), registry,
                        components::healthy, components::ready, components::problems);
                components.handlers().forEach(ops::mount);
                resources.push(ops.start());
                LOG.info("{} running; /metrics, /healthy, /ready on {}", kinds(), ops.url());
                LOG.info("{} received: shutting down", signals.await());
                return 0;
            } finally {
                Resources.closeAll(resources);
            }
        }
    }

    @Command(name = "poller", mixinStandardHelpOptions = true,
            description = "Run the status poller, pod watcher and image-mapping sync (config: POLLER_* env).")
    static final class Poller extends Base {
        @Override
        Set<Components.Kind> kinds() {
            return EnumSet.of(Components.Kind.POLLERS);
        }
    }

    @Command(name = "decider", mixinStandardHelpOptions = true,
            description = "Run the decider on Kafka Streams (config: DECIDER_* env).")
    static final class Decider extends Base {
        @Override
        Set<Components.Kind> kinds() {
            return EnumSet.of(Components.Kind.DECIDER);
        }
    }

    @Command(name = "actuator", mixinStandardHelpOptions = true,
            description = "Run the actuator: decisions into cluster changes and pages (config: ACTUATOR_* env).")
    static final class Actuator extends Base {
        @Override
        Set<Components.Kind> kinds() {
            return EnumSet.of(Components.Kind.ACTUATOR);
        }
    }

    @Command(name = "all", mixinStandardHelpOptions = true,
            description = "Run pollers, decider and actuator in one process against an existing Kafka (small fleets).")
    static final class All extends Base {
        @Override
        Set<Components.Kind> kinds() {
            return Components.all();
        }
    }
}
