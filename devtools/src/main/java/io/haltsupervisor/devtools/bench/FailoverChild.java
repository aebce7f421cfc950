package io.haltsupervisor.devtools.bench;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.haltsupervisor.actuator.ActuatorConfig;
import io.haltsupervisor.actuator.ActuatorService;
import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.service.DeciderService;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One decider or actuator instance as a process of its own, for {@link FailoverRig}: {@code FailoverChild decider}
 * or {@code FailoverChild actuator}, configured from the environment as {@code supervisor decider} /
 * {@code supervisor actuator} are ({@code DECIDER_*}, {@code ACTUATOR_*}, {@code KAFKA_*}); the actuator talks to
 * the Kubernetes API at {@value #KUBE_URL_ENV}. It prints {@code READY} each time it becomes ready (the decider:
 * Kafka Streams RUNNING; the actuator: results caught up, consuming) and {@code NOT_READY} when it stops being
 * so. {@code SIGTERM} closes the component as its shutdown hook in production does (the decider leaves its group);
 * {@code SIGKILL} is a crash.
 */
public final class FailoverChild {
    /** The Kubernetes API the actuator child uses. */
    public static final String KUBE_URL_ENV = "FAILOVER_KUBE_URL";
    /** {@code true}: log Kafka's group membership, rebalance, task and transaction events (INFO). */
    public static final String TRACE_ENV = "FAILOVER_TRACE";

    private FailoverChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1 || !(args[0].equals("decider") || args[0].equals("actuator"))) {
            System.err.println("usage: FailoverChild decider|actuator");
            System.exit(2);
        }
        Map<String, String> env = System.getenv();
        if ("true".equals(env.get(TRACE_ENV))) {
            trace();
        }
        KafkaClientConfig kafka = KafkaClientConfig.fromEnv(env);
        AutoCloseable component;
        BooleanSupplier ready;
        if (args[0].equals("decider")) {
            DeciderService decider = new DeciderService(DeciderConfig.fromEnv(env), kafka, new SimpleMeterRegistry());
            component = decider;
            ready = decider::ready;
            Runtime.getRuntime().addShutdownHook(new Thread(decider::close, "decider-shutdown"));
            decider.start();
        } else {
            KubernetesClient kube = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                    .withMasterUrl(env.get(KUBE_URL_ENV)).withTrustCerts(true).build()).build();
            ActuatorService actuator = new ActuatorService(ActuatorConfig.fromEnv(env), kafka,
                    new SimpleMeterRegistry(), kube);
            component = actuator;
            ready = actuator::ready;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                actuator.close();
                kube.close();
            }, "actuator-shutdown"));
            actuator.start();
        }
        System.out.println("STARTED " + args[0] + " " + component.getClass().getSimpleName() + " pid "
                + ProcessHandle.current().pid() + " at " + java.time.Instant.now());
        boolean last = false;
        while (true) {
            boolean now = ready.getAsBoolean();
            if (now != last) {
                System.out.println(now ? "READY" : "NOT_READY");
                System.out.flush();
                last = now;
            }
            Thread.sleep(20);
        }
    }

    /** Group, rebalance, task and transaction events at INFO (timestamps from the logback pattern). */
    private static void trace() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
            for (String name : new String[] {"org.apache.kafka.streams.processor.internals.StreamThread",
                    "org.apache.kafka.streams.processor.internals.TaskManager",
                    "org.apache.kafka.streams.processor.internals.StreamTask",
                    "org.apache.kafka.streams.processor.internals.StoreChangelogReader",
                    "org.apache.kafka.streams.processor.internals.StreamsPartitionAssignor",
                    "org.apache.kafka.streams.processor.internals.StreamsRebalanceListener",
                    "org.apache.kafka.streams.processor.internals.assignment",
                    "org.apache.kafka.streams.processor.internals.StreamsProducer",
                    "org.apache.kafka.streams.KafkaStreams",
                    "org.apache.kafka.clients.consumer.internals.ConsumerCoordinator",
                    "org.apache.kafka.clients.consumer.internals.AbstractCoordinator",
                    "org.apache.kafka.clients.consumer.internals.StreamsMembershipManager",
                    "org.apache.kafka.clients.consumer.internals.ConsumerMembershipManager",
                    "org.apache.kafka.clients.consumer.internals.AbstractMembershipManager",
                    "org.apache.kafka.clients.producer.internals.TransactionManager",
                    "io.haltsupervisor"}) {
                ctx.getLogger(name).setLevel(ch.qos.logback.classic.Level.INFO);
            }
        }
    }
}
