package io.haltsupervisor.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.actuator.ActuatorConfig;
import io.haltsupervisor.actuator.ActuatorService;
import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.service.DeciderService;
import io.haltsupervisor.pollers.PollersConfig;
import io.haltsupervisor.pollers.PollersService;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.config.ConfigException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the supervisor's components into one process: config (from the environment) → services →
 * start; {@link #close()} closes them in reverse order. Used by {@code poller}, {@code decider},
 * {@code actuator}, {@code all} and {@code dev}.
 */
public final class Components implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Components.class);

    /** What can run in a process. */
    public enum Kind { POLLERS, DECIDER, ACTUATOR }

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final List<BooleanSupplier> ready = new ArrayList<>();
    private final List<BooleanSupplier> healthy = new ArrayList<>();
    private final Map<String, HttpHandler> handlers = new LinkedHashMap<>();
    private PollersService pollers;
    private DeciderService decider;
    private ActuatorService actuator;

    /**
     * The configs of the components of one process, read and validated together: every bad setting of every
     * component (and of the Kafka connection, when it is read from the environment too) is reported in one
     * {@link ConfigException} before anything starts.
     *
     * @param kafka    the Kafka client settings; null when they were given rather than read
     * @param pollers  null unless the pollers run
     * @param decider  null unless the decider runs
     * @param actuator null unless the actuator runs
     */
    public record Configs(KafkaClientConfig kafka, PollersConfig pollers, DeciderConfig decider,
            ActuatorConfig actuator) {

        /**
         * Reads the configs of {@code kinds} from {@code env}, and the Kafka client settings too when
         * {@code withKafka}.
         *
         * @throws ConfigException listing every bad setting of them all
         */
        public static Configs read(Set<Kind> kinds, Map<String, String> env, boolean withKafka) {
            List<ConfigException.Problem> problems = new ArrayList<>();
            KafkaClientConfig kafka = withKafka ? collect(() -> KafkaClientConfig.fromEnv(env), problems) : null;
            PollersConfig pollers = kinds.contains(Kind.POLLERS)
                    ? collect(() -> PollersConfig.fromEnv(env), problems) : null;
            DeciderConfig decider = kinds.contains(Kind.DECIDER)
                    ? collect(() -> DeciderConfig.fromEnv(env), problems) : null;
            ActuatorConfig actuator = kinds.contains(Kind.ACTUATOR)
                    ? collect(() -> ActuatorConfig.fromEnv(env), problems) : null;
            ConfigException.throwIfAny(problems);
            return new Configs(kafka, pollers, decider, actuator);
        }

        private static <T> T collect(Supplier<T> read, List<ConfigException.Problem> problems) {
            try {
                return read.get();
            } catch (ConfigException e) {
                problems.addAll(e.problems());
                return null;
            }
        }
    }

    /**
     * Builds and starts the given components.
     *
     * @param env  the environment the configs are read from (validated: every bad value of every component is
     *             reported together, in one {@link ConfigException}, before anything starts)
     * @param kube the Kubernetes client (pollers and actuator; may be null when neither runs)
     */
    public static Components start(Set<Kind> kinds, Map<String, String> env, KafkaClientConfig kafka,
            MeterRegistry registry, KubernetesClient kube) {
        return start(Configs.read(kinds, env, false), kafka, registry, kube);
    }

    /** Starts the components whose configs {@code configs} holds. */
    public static Components start(Configs configs, KafkaClientConfig kafka, MeterRegistry registry,
            KubernetesClient kube) {
        Components c = new Components();
        try {
            PollersConfig pollersConfig = configs.pollers();
            DeciderConfig deciderConfig = configs.decider();
            ActuatorConfig actuatorConfig = configs.actuator();
            LOG.info("kafka: {}", kafka);
            if (deciderConfig != null) {
                LOG.info("decider: {}", deciderConfig);
                c.decider = new DeciderService(deciderConfig, kafka, registry);
                c.started.push(c.decider);
                c.decider.start();
                c.ready.add(c.decider::ready);
                c.healthy.add(c.decider::healthy);
                c.probeGauges(registry, "decider", c.decider::ready, c.decider::healthy);
                c.handlers.putAll(c.decider.httpHandlers());
            }
            if (actuatorConfig != null) {
                LOG.info("actuator: {}", actuatorConfig);
                c.actuator = new ActuatorService(actuatorConfig, kafka, registry, kube);
                c.started.push(c.actuator);
                c.actuator.start();
                c.ready.add(c.actuator::ready);
                c.healthy.add(c.actuator::healthy);
                c.probeGauges(registry, "actuator", c.actuator::ready, c.actuator::healthy);
            }
            if (pollersConfig != null) {
                LOG.info("pollers: {}", pollersConfig);
                c.pollers = new PollersService(pollersConfig, kafka, registry, kube);
                c.started.push(c.pollers);
                c.pollers.start();
                c.ready.add(c.pollers::ready);
                c.healthy.add(c.pollers::healthy);
                c.probeGauges(registry, "pollers", c.pollers::ready, c.pollers::healthy);
                c.handlers.putAll(c.pollers.httpHandlers());
            }
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * {@code halt_supervisor_component_ready{component}} and {@code halt_supervisor_component_healthy{component}}:
     * the readiness and liveness the probes answer, per component, 1 or 0 (what the alert rules watch).
     */
    private void probeGauges(MeterRegistry registry, String component, BooleanSupplier isReady,
            BooleanSupplier isHealthy) {
        Gauge.builder("halt_supervisor.component.ready", () -> probe(isReady)).tag("component", component)
                .description("1 when the component is ready (what /ready answers for it)").register(registry);
        Gauge.builder("halt_supervisor.component.healthy", () -> probe(isHealthy)).tag("component", component)
                .description("1 when the component is healthy (what /healthy answers for it)").register(registry);
    }

    private static int probe(BooleanSupplier check) {
        try {
            return check.getAsBoolean() ? 1 : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    public static Set<Kind> all() {
        return EnumSet.allOf(Kind.class);
    }

    public boolean ready() {
        return ready.stream().allMatch(BooleanSupplier::getAsBoolean);
    }

    public boolean healthy() {
        return healthy.stream().allMatch(BooleanSupplier::getAsBoolean);
    }

    /** Why components cannot go on, one line each (empty while all are healthy): for {@code /healthy} and dev mode. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        if (decider != null) {
            decider.failure().ifPresent(out::add);
        }
        if (actuator != null) {
            actuator.failure().ifPresent(out::add);
        }
        if (pollers != null && !pollers.healthy()) {
            out.add("pollers: an informer or the poll scheduler has stopped");
        }
        return out;
    }

    /** HTTP handlers the components serve beside /metrics, /healthy, /ready. */
    public Map<String, HttpHandler> handlers() {
        return handlers;
    }

    public DeciderService decider() {
        return decider;
    }

    public PollersService pollers() {
        return pollers;
    }

    public ActuatorService actuator() {
        return actuator;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable r = started.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", r.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
