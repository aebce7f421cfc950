package io.haltsupervisor.cli.deploy;

import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.KafkaAcl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.resource.PatternType;

/**
 * Renders the ACL registry ({@link Acls#defaults()}) as the operator applies it: Strimzi {@code KafkaUser}s
 * ({@code deploy/kafka-users/tls} and {@code deploy/kafka-users/scram}) and {@code kafka-acls.sh} commands
 * (docs/operations.md, between {@link #DOC_BEGIN} and {@link #DOC_END}). {@code AclManifestsTest} holds the
 * files equal to this rendering; run it with {@code -Dacls.write=true} to rewrite them after the registry changed.
 */
final class AclManifests {
    static final String DOC_BEGIN = "<!-- kafka-acls: generated from schemas Acls by cli AclManifests; do not edit -->";
    static final String DOC_END = "<!-- kafka-acls: end -->";

    /** The two ways a Strimzi {@code KafkaUser} authenticates. */
    enum Variant {
        TLS("tls", "mutual TLS: the User Operator issues a client certificate CN=<user> (Secret <user>: ca.crt, "
                + "user.crt, user.key, user.p12, user.password)"),
        SCRAM("scram-sha-512", "SCRAM-SHA-512: the User Operator generates a password (Secret <user>: password, "
                + "sasl.jaas.config)");

        final String type;
        final String secret;

        Variant(String type, String secret) {
            this.type = type;
            this.secret = secret;
        }

        String dir() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private AclManifests() {
    }

    /** A resource and the operations a principal needs on it, in registry order. */
    private record Grant(KafkaAcl resource, List<String> operations) {
    }

    private static List<Grant> grants(Acls.Principal principal) {
        Map<String, Grant> byResource = new LinkedHashMap<>();
        for (KafkaAcl acl : principal.acls()) {
            String key = acl.resourceType() + "|" + acl.patternType() + "|" + acl.name();
            byResource.computeIfAbsent(key, k -> new Grant(acl, new ArrayList<>())).operations()
                    .add(acl.operationName());
        }
        return List.copyOf(byResource.values());
    }

    static String kafkaUsers(Variant variant) {
        StringBuilder y = new StringBuilder();
        y.append("# Generated from the ACL registry (schemas io.haltsupervisor.schemas.Acls) by cli AclManifests;\n")
                .append("# AclManifestsTest fails when this file and the registry differ. Do not edit by hand.\n")
                .append("# One Strimzi KafkaUser per principal, authentication ").append(variant.secret).append(".\n");
        boolean first = true;
        for (Acls.Principal p : Acls.defaults()) {
            if (!first) {
                y.append("---\n");
            }
            first = false;
            y.append("# ").append(capitalized(p.role()))
                    .append(p.commands().isEmpty() ? "" : ": " + String.join(", ", p.commands())).append(".\n");
            y.append("apiVersion: kafka.strimzi.io/v1beta2\n")
                    .append("kind: KafkaUser\n")
                    .append("metadata:\n")
                    .append("  name: ").append(p.user()).append('\n')
                    .append("  labels:\n")
                    .append("    strimzi.io/cluster: my-cluster\n")
                    .append("    app.kubernetes.io/name: halt-supervisor\n")
                    .append("spec:\n")
                    .append("  authentication:\n")
                    .append("    type: ").append(variant.type).append('\n')
                    .append("  authorization:\n")
                    .append("    type: simple\n")
                    .append("    acls:\n");
            for (Grant g : grants(p)) {
                y.append("      - resource:\n")
                        .append("          type: ").append(strimziType(g.resource())).append('\n')
                        .append("          name: ").append(g.resource().name()).append('\n')
                        .append("          patternType: ").append(strimziPattern(g.resource())).append('\n')
                        .append("        operations: [").append(String.join(", ", g.operations())).append("]\n")
                        .append("        host: \"*\"\n");
            }
        }
        return y.toString();
    }

    static String kustomization(Variant variant) {
        return "# Strimzi KafkaUsers for every principal of the supervisor, authenticated by " + variant.type + ".\n"
                + "# Generated with kafka-users.yaml (cli AclManifests). Apply in the namespace the Strimzi User\n"
                + "# Operator watches (usually the Kafka cluster's), after setting the strimzi.io/cluster label:\n"
                + "#   kubectl apply -k deploy/kafka-users/" + variant.dir() + "\n"
                + "# Without Strimzi, grant the same ACLs with the kafka-acls commands in docs/operations.md.\n"
                + "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                + "kind: Kustomization\n"
                + "namespace: kafka\n"
                + "resources:\n"
                + "  - kafka-users.yaml\n";
    }

    /** One {@code kafka-acls.sh --add} per principal and resource, all operations on it together. */
    static List<String> aclCommands() {
        List<String> commands = new ArrayList<>();
        for (Acls.Principal p : Acls.defaults()) {
            for (Grant g : grants(p)) {
                StringBuilder c = new StringBuilder("kafka-acls.sh --bootstrap-server \"$KAFKA_BOOTSTRAP_SERVERS\" "
                        + "--command-config admin.properties --add --allow-principal User:" + p.user());
                g.operations().forEach(o -> c.append(" --operation ").append(o));
                if (g.resource().patternType() == PatternType.PREFIXED) {
                    c.append(" --resource-pattern-type prefixed");
                }
                c.append(switch (g.resource().resourceType()) {
                    case TOPIC -> " --topic ";
                    case GROUP -> " --group ";
                    case TRANSACTIONAL_ID -> " --transactional-id ";
                    default -> throw new IllegalStateException("no kafka-acls option for " + g.resource());
                }).append(g.resource().name());
                commands.add(c.toString());
            }
        }
        return commands;
    }

    /** The generated part of docs/operations.md: a table of principals and the commands. */
    static String docSection() {
        StringBuilder d = new StringBuilder(DOC_BEGIN).append('\n');
        d.append("| principal | runs as it | needs |\n|---|---|---|\n");
        for (Acls.Principal p : Acls.defaults()) {
            d.append("| `").append(p.user()).append("` | ").append(p.role())
                    .append(p.commands().isEmpty() ? "" : " (" + p.commands().stream().map(c -> "`" + c + "`")
                            .collect(Collectors.joining(", ")) + ")")
                    .append(" | ").append(p.acls().stream().map(KafkaAcl::describe).collect(Collectors.joining("; ")))
                    .append(" |\n");
        }
        d.append("\n```sh\n");
        aclCommands().forEach(c -> d.append(c).append('\n'));
        d.append("```\n").append(DOC_END);
        return d.toString();
    }

    private static String strimziType(KafkaAcl acl) {
        return switch (acl.resourceType()) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactionalId";
            default -> throw new IllegalStateException("no Strimzi resource type for " + acl);
        };
    }

    /** Strimzi spells the pattern types {@code literal} and {@code prefix}. */
    static String strimziPattern(KafkaAcl acl) {
        return acl.patternType() == PatternType.PREFIXED ? "prefix" : "literal";
    }

    private static String capitalized(String s) {
        return s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }
}
