package io.haltsupervisor.cli;

import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import io.haltsupervisor.schemas.Topics;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ack|hold|release|retry NODE} (and {@code release --fleet}): publish an operator command to
 * {@code seid.operator-commands.v1}, where the decider applies it and records a decision naming who
 * and why.
 */
public final class OperatorCommands {
    private OperatorCommands() {
    }

    /** What the four commands share. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Option(names = "--by", paramLabel = "WHO", description = "Who is issuing this (default: $USER).")
        String by;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why (kept in the audit log).")
        String reason;

        @Spec
        CommandSpec spec;

        abstract Command command();

        /** The node, or null for a fleet command. */
        abstract String node();

        boolean fleet() {
            return false;
        }

        @Override
        public Integer call() throws Exception {
            if (node() == null && !fleet()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'NODE'");
            }
            String who = by != null ? by : System.getenv().getOrDefault("USER", "unknown");
            if (who.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--by: expected a name, got nothing");
            }
            String id = UUID.randomUUID().toString();
            OperatorCommandIssued issued = fleet()
                    ? OperatorCommandIssued.forFleet(id, command(), who, reason, Instant.now())
                    : OperatorCommandIssued.forNode(id, node(), command(), who, reason, Instant.now());
            kafka.requireReachable();
            Map<String, Object> props = kafka.clientProperties();
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            RecordMetadata md;
            try (KafkaProducer<String, OperatorCommandIssued> producer = new KafkaProducer<>(props,
                    Topics.OPERATOR_COMMANDS.keySerde().serializer(),
                    Topics.OPERATOR_COMMANDS.valueSerde().serializer())) {
                md = producer.send(new ProducerRecord<>(Topics.OPERATOR_COMMANDS.name(), issued.key(), issued))
                        .get(KafkaOptions.REACH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("publishing the command failed: " + e.getCause().getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s %s by %s: command %s recorded at %s[%d]@%d%n", command().token(),
                    fleet() ? "--fleet" : node(), who, id, md.topic(), md.partition(), md.offset());
            out.flush();
            return 0;
        }
    }

    @CommandLine.Command(name = "ack", mixinStandardHelpOptions = true,
            description = "Acknowledge a node's page; automation continues.")
    static final class Ack extends Base {
        @Parameters(index = "0", paramLabel = "NODE", converter = NodeIdConverter.class,
                description = "namespace/name")
        String node;

        @Override
        Command command() {
            return Command.ACK;
        }

        @Override
        String node() {
            return node;
        }
    }

    @CommandLine.Command(name = "hold", mixinStandardHelpOptions = true,
            description = "Stop automatic actions for a node until it is released.")
    static final class Hold extends Base {
        @Parameters(index = "0", paramLabel = "NODE", converter = NodeIdConverter.class,
                description = "namespace/name")
        String node;

        @Override
        Command command() {
            return Command.HOLD;
        }

        @Override
        String node() {
            return node;
        }
    }

    @CommandLine.Command(name = "release", mixinStandardHelpOptions = true,
            description = "Lift a node's hold or quarantine, or with --fleet the fleet circuit breaker.")
    static final class Release extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NODE", converter = NodeIdConverter.class,
                description = "namespace/name (omit with --fleet)")
        String node;

        @Option(names = "--fleet", description = "Release the fleet circuit breaker.")
        boolean fleet;

        @Override
        Command command() {
            return Command.RELEASE;
        }

        @Override
        String node() {
            return node;
        }

        @Override
        boolean fleet() {
            return fleet;
        }

        @Override
        public Integer call() throws Exception {
            if (fleet && node != null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give either NODE or --fleet, not both");
            }
            return super.call();
        }
    }

    @CommandLine.Command(name = "retry", mixinStandardHelpOptions = true,
            description = "Decide a node's open incident again (after fixing a mapping or a policy).")
    static final class Retry extends Base {
        @Parameters(index = "0", paramLabel = "NODE", converter = NodeIdConverter.class,
                description = "namespace/name")
        String node;

        @Override
        Command command() {
            return Command.RETRY;
        }

        @Override
        String node() {
            return node;
        }
    }
}
