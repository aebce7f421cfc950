package io.haltsupervisor.schemas;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACL registry: for every principal of the supervisor (each component and each family of CLI commands), the
 * Kafka ACLs it needs and nothing more. The one source of truth: {@code deploy/kafka-users} (Strimzi
 * {@code KafkaUser}s) and the {@code kafka-acls.sh} commands in docs/operations.md are rendered from it
 * ({@code AclManifests} in cli), and the secured-broker ITs run every component and command with exactly these
 * ACLs, and with each one removed.
 *
 * <p>Principals are {@code User:<name>}: a SCRAM user name, or a client certificate's CN on a broker mapping
 * {@code CN=<name>} to {@code <name>} ({@code ssl.principal.mapping.rules}; Strimzi's User Operator applies the
 * ACLs of a TLS {@code KafkaUser} to its certificate's principal by itself).
 */
public final class Acls {
    /** Default principal names, as rendered into the manifests. */
    public static final String POLLERS = "halt-supervisor-pollers";
    public static final String DECIDER = "halt-supervisor-decider";
    public static final String ACTUATOR = "halt-supervisor-actuator";
    public static final String MAPPING_EDITOR = "halt-supervisor-mapping-editor";
    public static final String OPERATOR = "halt-supervisor-operator";
    public static final String VIEWER = "halt-supervisor-viewer";

    /** The decider's default Kafka Streams {@code application.id} (DECIDER_APPLICATION_ID). */
    public static final String DEFAULT_DECIDER_APPLICATION_ID = "halt-supervisor-decider";
    /** The actuator's default consumer group (ACTUATOR_GROUP_ID); its transactional ids are {@code <group>-<instance>}. */
    public static final String DEFAULT_ACTUATOR_GROUP_ID = "halt-supervisor-actuator";

    /** The read-only CLI commands, each with the topics it reads. */
    public static final Map<String, List<Topic<?, ?>>> VIEWER_COMMANDS = viewerCommands();

    /**
     * A principal and its ACLs.
     *
     * @param user     the principal's name ({@code User:<user>})
     * @param role     what runs as it, for people ({@code "the decider"})
     * @param commands the CLI commands run as it, empty for a component
     * @param acls     every ACL it needs, in a stable order
     */
    public record Principal(String user, String role, List<String> commands, List<KafkaAcl> acls) {
        public Principal {
            Require.nonBlank(user, "user");
            Require.nonBlank(role, "role");
            commands = List.copyOf(commands);
            acls = List.copyOf(new LinkedHashSet<>(acls));
        }

        /** The ACL bindings for {@code User:<user>}. */
        public List<AclBinding> bindings() {
            return acls.stream().map(a -> a.binding(user)).toList();
        }

        /** The same ACLs for another principal name. */
        public Principal as(String otherUser) {
            return new Principal(otherUser, role, commands, acls);
        }

        /** These ACLs less one (for the negative proofs). */
        public Principal without(KafkaAcl acl) {
            List<KafkaAcl> rest = new ArrayList<>(acls);
            if (!rest.remove(acl)) {
                throw new IllegalArgumentException(user + " has no ACL " + acl.describe());
            }
            return new Principal(user, role, commands, rest);
        }
    }

    private Acls() {
    }

    /**
     * The pollers: produce observations, and (the mapping sync on replica 0) read and write the image mappings.
     * The idempotent producer needs nothing on the cluster since Kafka 2.8: {@code Write} on a topic suffices.
     */
    public static Principal pollers(String user) {
        return new Principal(user, "the pollers", List.of(), List.of(
                KafkaAcl.topic(Topics.HALT_OBSERVATIONS, WRITE),
                KafkaAcl.topic(Topics.NODE_OBSERVATIONS, WRITE),
                KafkaAcl.topic(Topics.IMAGE_MAPPINGS, READ),
                KafkaAcl.topic(Topics.IMAGE_MAPPINGS, WRITE)));
    }

    /**
     * The decider (Kafka Streams, exactly-once v2): reads its inputs, writes decisions and dead letters; its
     * private topics (the control topic, changelogs and repartition topics) are all named
     * {@code <applicationId>-…}: it creates them, reads and writes them, and purges consumed repartition records
     * ({@code Delete}); its consumer group is the application id, and its transactional ids start with it.
     */
    public static Principal decider(String user, String applicationId) {
        Require.nonBlank(applicationId, "applicationId");
        List<KafkaAcl> acls = new ArrayList<>();
        Topics.DECIDER_INPUTS.forEach(t -> acls.add(KafkaAcl.topic(t, READ)));
        acls.add(KafkaAcl.topic(Topics.DECISIONS, WRITE));
        acls.add(KafkaAcl.topic(Topics.DEAD_LETTERS, WRITE));
        acls.add(KafkaAcl.topicsPrefixed(applicationId + "-", CREATE));
        acls.add(KafkaAcl.topicsPrefixed(applicationId + "-", READ));
        acls.add(KafkaAcl.topicsPrefixed(applicationId + "-", WRITE));
        acls.add(KafkaAcl.topicsPrefixed(applicationId + "-", DELETE));
        acls.add(KafkaAcl.group(applicationId, READ));
        acls.add(KafkaAcl.transactionalIdsPrefixed(applicationId + "-", WRITE));
        return new Principal(user, "the decider", List.of(), acls);
    }

    /**
     * The actuator: reads decisions in its group, reads and (transactionally, with the decision's offset) writes
     * action results, dead-letters unreadable decisions, and writes the {@code hold} command it records when a change
     * of its was reverted by another writer (the node is then held for a human, docs/requirements.md §4.3); its
     * transactional ids are {@code <groupId>-<instance>}.
     */
    public static Principal actuator(String user, String groupId) {
        Require.nonBlank(groupId, "groupId");
        return new Principal(user, "the actuator", List.of(), List.of(
                KafkaAcl.topic(Topics.DECISIONS, READ),
                KafkaAcl.topic(Topics.ACTION_RESULTS, READ),
                KafkaAcl.topic(Topics.ACTION_RESULTS, WRITE),
                KafkaAcl.topic(Topics.OPERATOR_COMMANDS, WRITE),
                KafkaAcl.topic(Topics.DEAD_LETTERS, WRITE),
                KafkaAcl.group(groupId, READ),
                KafkaAcl.transactionalIdsPrefixed(groupId + "-", WRITE)));
    }

    /** {@code mapping put} and {@code mapping rm}: read the current mappings, write the change. */
    public static Principal mappingEditor(String user) {
        return new Principal(user, "people changing image mappings", List.of("mapping put", "mapping rm"), List.of(
                KafkaAcl.topic(Topics.IMAGE_MAPPINGS, READ),
                KafkaAcl.topic(Topics.IMAGE_MAPPINGS, WRITE)));
    }

    /** {@code ack}, {@code hold}, {@code release}, {@code retry}: write operator commands. */
    public static Principal operator(String user) {
        return new Principal(user, "on-call operators", List.of("ack", "hold", "release", "retry"), List.of(
                KafkaAcl.topic(Topics.OPERATOR_COMMANDS, WRITE)));
    }

    /** The read-only commands ({@link #VIEWER_COMMANDS}): read topics, no group, nothing written. */
    public static Principal viewer(String user) {
        Set<Topic<?, ?>> read = new LinkedHashSet<>();
        VIEWER_COMMANDS.values().forEach(read::addAll);
        List<Topic<?, ?>> ordered = Topics.ALL.stream().filter(read::contains).toList();
        return new Principal(user, "anyone reading the audit log", List.copyOf(VIEWER_COMMANDS.keySet()),
                ordered.stream().map(t -> KafkaAcl.topic(t, READ)).toList());
    }

    /** Every principal with the default names and ids, as rendered into the manifests and docs. */
    public static List<Principal> defaults() {
        return List.of(pollers(POLLERS), decider(DECIDER, DEFAULT_DECIDER_APPLICATION_ID),
                actuator(ACTUATOR, DEFAULT_ACTUATOR_GROUP_ID), mappingEditor(MAPPING_EDITOR), operator(OPERATOR),
                viewer(VIEWER));
    }

    /** The default principal a CLI command ({@code "mapping put"}, {@code "ack"}, {@code "timeline"}) runs as. */
    public static Optional<Principal> forCommand(String command) {
        return defaults().stream().filter(p -> p.commands().contains(command)).findFirst();
    }

    private static Map<String, List<Topic<?, ?>>> viewerCommands() {
        Map<String, List<Topic<?, ?>>> m = new LinkedHashMap<>();
        m.put("incidents", List.of(Topics.DECISIONS));
        m.put("timeline", Topics.ALL.stream().filter(t -> t != Topics.IMAGE_MAPPINGS).toList());
        List<Topic<?, ?>> replay = new ArrayList<>(Topics.DECIDER_INPUTS);
        replay.add(Topics.DECISIONS);
        m.put("replay", List.copyOf(replay));
        m.put("mapping ls", List.of(Topics.IMAGE_MAPPINGS));
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * A message for an authentication or authorization failure anywhere in {@code error}'s causes: what Kafka
     * refused and which of {@code principal}'s ACLs cover it (so the operation and the resource are named), or
     * empty when the failure is not about access. Never contains a credential.
     */
    public static Optional<String> explain(Principal principal, Throwable error) {
        Objects.requireNonNull(principal, "principal");
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationException) {
                return Optional.of("Kafka refused to authenticate " + principal.role() + " (" + t.getClass()
                        .getSimpleName() + ": " + t.getMessage() + "): check the credentials and the truststore");
            }
            if (t instanceof AuthorizationException denied) {
                return Optional.of(denial(principal, denied, error));
            }
        }
        return Optional.empty();
    }

    /**
     * Like {@link #explain(Principal, Throwable)} for a principal whose ACL list is unknown (a CLI command run
     * with someone's credentials): names the refused resource as Kafka reported it.
     */
    public static Optional<String> explain(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationException) {
                return Optional.of("Kafka refused to authenticate (" + t.getClass().getSimpleName() + ": "
                        + t.getMessage() + "): check the credentials and the truststore");
            }
            if (t instanceof AuthorizationException denied) {
                return Optional.of("Kafka denied access: " + resources(denied, List.of(), error)
                        + " (" + denied.getMessage() + "); see the ACLs in docs/operations.md");
            }
        }
        return Optional.empty();
    }

    private static String denial(Principal principal, AuthorizationException denied, Throwable whole) {
        List<KafkaAcl> needed = needed(principal, denied, whole);
        String what = resources(denied, needed, whole);
        String grants = needed.isEmpty() ? "none of its ACLs covers it"
                : "it needs " + needed.stream().map(KafkaAcl::describe).collect(Collectors.joining(", "));
        return "Kafka denied " + principal.role() + " " + what + ": " + grants
                + " (" + denied.getMessage() + "; see the ACLs in docs/operations.md)";
    }

    private static List<KafkaAcl> needed(Principal principal, AuthorizationException denied, Throwable whole) {
        if (denied instanceof TopicAuthorizationException topics) {
            Collection<String> names = deniedTopics(topics, principal, whole);
            return principal.acls().stream()
                    .filter(a -> names.stream().anyMatch(n -> a.matches(ResourceType.TOPIC, n))).toList();
        }
        if (denied instanceof GroupAuthorizationException group) {
            String id = group.groupId();
            return principal.acls().stream().filter(a -> a.resourceType() == ResourceType.GROUP
                    && (id == null || a.matches(ResourceType.GROUP, id))).toList();
        }
        if (denied instanceof TransactionalIdAuthorizationException) {
            return principal.acls().stream().filter(a -> a.resourceType() == ResourceType.TRANSACTIONAL_ID).toList();
        }
        if (denied instanceof ClusterAuthorizationException) {
            // an idempotent producer is refused its producer id when it may write to no topic at all
            return principal.acls().stream().filter(a -> a.resourceType() == ResourceType.TOPIC
                    && a.operation() == WRITE).toList();
        }
        return List.of();
    }

    private static Collection<String> deniedTopics(TopicAuthorizationException e, Principal principal,
            Throwable whole) {
        if (!e.unauthorizedTopics().isEmpty()) {
            return e.unauthorizedTopics();
        }
        // some clients report the denial without the topic set: take the names the messages mention
        Set<String> named = new LinkedHashSet<>();
        for (Throwable t = whole; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            for (KafkaAcl acl : principal.acls()) {
                if (acl.resourceType() == ResourceType.TOPIC && message.contains(acl.name())) {
                    named.add(acl.name());
                }
            }
        }
        return named;
    }

    private static String resources(AuthorizationException denied, List<KafkaAcl> needed, Throwable whole) {
        if (denied instanceof TopicAuthorizationException topics) {
            Collection<String> names = topics.unauthorizedTopics().isEmpty()
                    ? needed.stream().map(KafkaAcl::name).distinct().toList() : topics.unauthorizedTopics();
            return "access to topic " + String.join(", ", names);
        }
        if (denied instanceof GroupAuthorizationException group) {
            return "access to group " + group.groupId();
        }
        if (denied instanceof TransactionalIdAuthorizationException) {
            return "its transactional id";
        }
        if (denied instanceof ClusterAuthorizationException) {
            return "a producer id (Write on no topic)";
        }
        return "access (" + denied.getClass().getSimpleName() + ")";
    }
}
