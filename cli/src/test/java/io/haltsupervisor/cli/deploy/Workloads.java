package io.haltsupervisor.cli.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.haltsupervisor.actuator.ActuatorConfig;
import io.haltsupervisor.cli.Components;
import io.haltsupervisor.cli.Supervisor;
import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.pollers.PollersConfig;
import io.haltsupervisor.schemas.KafkaClientConfig;
import java.util.AbstractMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;

/**
 * The supervisor's workloads as the manifests define them: which components a container runs (from its
 * command, parsed by the real command line), the environment it gets, and which environment variables the
 * code reads — found by running each config loader on that environment and recording every key it asks for.
 */
final class Workloads {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final Pattern PICOCLI_ENV = Pattern.compile("\\$\\{env:([A-Z0-9_]+)");

    private Workloads() {
    }

    /** The components a supervisor command runs. */
    static Set<Components.Kind> components(String command) {
        return switch (command) {
            case "poller" -> EnumSet.of(Components.Kind.POLLERS);
            case "decider" -> EnumSet.of(Components.Kind.DECIDER);
            case "actuator" -> EnumSet.of(Components.Kind.ACTUATOR);
            case "all" -> Components.all();
            default -> throw new AssertionError("not a component command: " + command);
        };
    }

    /** The one container of a supervisor workload. */
    static Container container(StatefulSet sts) {
        List<Container> containers = sts.getSpec().getTemplate().getSpec().getContainers();
        if (containers.size() != 1) {
            throw new AssertionError(sts.getMetadata().getName() + ": expected one container");
        }
        return containers.get(0);
    }

    /**
     * The environment of pod {@code ordinal} of {@code sts} as the kubelet would build it: {@code envFrom}
     * first (ConfigMaps from {@code objects}; Secrets must be optional and contribute nothing here — their
     * keys are checked where the docs create them), then {@code env} in order with {@code $(VAR)} expanded.
     */
    static Map<String, String> environment(StatefulSet sts, int ordinal, List<HasMetadata> objects) {
        Container c = container(sts);
        String namespace = sts.getMetadata().getNamespace();
        String pod = sts.getMetadata().getName() + "-" + ordinal;
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                String name = from.getConfigMapRef().getName();
                ConfigMap cm = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                        .filter(m -> m.getMetadata().getName().equals(name)
                                && namespace.equals(m.getMetadata().getNamespace()))
                        .findFirst().orElse(null);
                if (cm == null) {
                    if (Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
                        continue;
                    }
                    throw new AssertionError(pod + ": envFrom ConfigMap " + name + " is not in the manifests");
                }
                String prefix = from.getPrefix() == null ? "" : from.getPrefix();
                cm.getData().forEach((k, v) -> env.put(prefix + k, v));
            } else if (from.getSecretRef() != null) {
                if (!Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
                    throw new AssertionError(pod + ": envFrom Secret " + from.getSecretRef().getName()
                            + " must be optional: the manifests do not create Secrets");
                }
            }
        }
        for (EnvVar v : c.getEnv()) {
            String value;
            if (v.getValueFrom() == null) {
                value = expand(v.getValue() == null ? "" : v.getValue(), env);
            } else if (v.getValueFrom().getFieldRef() != null) {
                value = switch (v.getValueFrom().getFieldRef().getFieldPath()) {
                    case "metadata.name" -> pod;
                    case "metadata.namespace" -> namespace;
                    default -> throw new AssertionError(pod + ": unexpected fieldRef " + v.getValueFrom().getFieldRef());
                };
            } else if (v.getValueFrom().getSecretKeyRef() != null) {
                value = "secret-from-" + v.getValueFrom().getSecretKeyRef().getName();
            } else {
                throw new AssertionError(pod + ": unexpected valueFrom in " + v.getName());
            }
            env.put(v.getName(), value);
        }
        return env;
    }

    /** Names referenced as {@code $(NAME)} in the container's env values. */
    static Set<String> referenced(StatefulSet sts) {
        Set<String> out = new TreeSet<>();
        for (EnvVar v : container(sts).getEnv()) {
            if (v.getValue() != null) {
                Matcher m = REFERENCE.matcher(v.getValue());
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        return out;
    }

    private static String expand(String value, Map<String, String> env) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** An environment that remembers which variables were asked for. */
    static final class RecordingEnv extends AbstractMap<String, String> {
        private final Map<String, String> delegate;
        final Set<String> read = new TreeSet<>();

        RecordingEnv(Map<String, String> delegate) {
            this.delegate = delegate;
        }

        @Override
        public String get(Object key) {
            read.add((String) key);
            return delegate.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            read.add((String) key);
            return delegate.containsKey(key);
        }

        @Override
        public Set<Entry<String, String>> entrySet() {
            return delegate.entrySet();
        }
    }

    /** What the loaders of {@code kinds} made of an environment. */
    record Loaded(Set<String> read, PollersConfig pollers, DeciderConfig decider, ActuatorConfig actuator,
            KafkaClientConfig kafka) {
    }

    /**
     * Runs every config loader of {@code kinds} (and the Kafka client settings, which every component reads)
     * on {@code env}, exactly as the component commands do ({@link Components.Configs#read}); bad values fail here
     * as they would at start.
     */
    static Loaded load(Set<Components.Kind> kinds, Map<String, String> env) {
        RecordingEnv recording = new RecordingEnv(env);
        Components.Configs configs = Components.Configs.read(kinds, recording, true);
        return new Loaded(recording.read, configs.pollers(), configs.decider(), configs.actuator(), configs.kafka());
    }

    /**
     * The Kafka client properties a component may be given through {@code KAFKA_CLIENT_<PROP>}: those of
     * the clients it creates (every component has producers, consumers and an admin client; the decider
     * also Kafka Streams).
     */
    static Set<String> clientProperties(Set<Components.Kind> kinds) {
        Set<String> names = new TreeSet<>();
        names.addAll(ProducerConfig.configNames());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        if (kinds.contains(Components.Kind.DECIDER)) {
            names.addAll(StreamsConfig.configDef().names());
        }
        return names;
    }

    /** The client property a {@code KAFKA_CLIENT_*} variable sets, as {@link KafkaClientConfig} maps it. */
    static String clientProperty(String variable) {
        return variable.substring(KafkaClientConfig.ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** Environment variables the command line itself reads (picocli defaults such as SUPERVISOR_HTTP_PORT). */
    static Set<String> commandLineVariables(String command) {
        Set<String> out = new TreeSet<>();
        CommandLine sub = rawCommandLine().getSubcommands().get(command);
        sub.getCommandSpec().options().forEach(o -> {
            String raw = o.defaultValue();
            if (raw != null) {
                Matcher m = PICOCLI_ENV.matcher(raw);
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        });
        return out;
    }

    /** The command line with {@code ${env:…}} defaults left as written. */
    private static CommandLine rawCommandLine() {
        CommandLine cl = Supervisor.commandLine();
        cl.setInterpolateVariables(false);
        return cl;
    }

    /** The port the command serves /metrics, /healthy, /ready on, for a container's args and env. */
    static int httpPort(List<String> args, Map<String, String> env) {
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).startsWith("--http-port=")) {
                return Integer.parseInt(args.get(i).substring("--http-port=".length()));
            }
            if (args.get(i).equals("--http-port") && i + 1 < args.size()) {
                return Integer.parseInt(args.get(i + 1));
            }
        }
        String raw = rawCommandLine().getSubcommands().get(args.get(0)).getCommandSpec()
                .findOption("--http-port").defaultValue();
        Matcher m = Pattern.compile("\\$\\{env:([A-Z0-9_]+):-(\\d+)}").matcher(raw);
        if (!m.matches()) {
            throw new AssertionError("unexpected --http-port default " + raw);
        }
        return Integer.parseInt(env.getOrDefault(m.group(1), m.group(2)));
    }

    static <T> T only(List<T> list, Function<List<T>, String> message) {
        if (list.size() != 1) {
            throw new AssertionError(message.apply(list));
        }
        return list.get(0);
    }
}
