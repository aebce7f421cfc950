package io.haltsupervisor.schemas;

import java.util.Locale;
import java.util.Objects;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One ACL a principal needs: allow {@code operation} on a topic, group or transactional id, named literally or by
 * prefix, from any host. {@code Describe} is never listed: Kafka implies it from {@code Read}, {@code Write} and
 * {@code Delete}.
 *
 * @param resourceType {@code TOPIC}, {@code GROUP} or {@code TRANSACTIONAL_ID}
 * @param patternType  {@code LITERAL} or {@code PREFIXED}
 * @param name         the resource name, or its prefix
 * @param operation    what is allowed
 */
public record KafkaAcl(ResourceType resourceType, PatternType patternType, String name, AclOperation operation) {
    public KafkaAcl {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(patternType, "patternType");
        Objects.requireNonNull(operation, "operation");
        Require.nonBlank(name, "name");
        if (patternType != PatternType.LITERAL && patternType != PatternType.PREFIXED) {
            throw new IllegalArgumentException("pattern type must be LITERAL or PREFIXED, got " + patternType);
        }
        if (resourceType != ResourceType.TOPIC && resourceType != ResourceType.GROUP
                && resourceType != ResourceType.TRANSACTIONAL_ID) {
            throw new IllegalArgumentException("resource type must be TOPIC, GROUP or TRANSACTIONAL_ID, got "
                    + resourceType);
        }
    }

    public static KafkaAcl topic(Topic<?, ?> topic, AclOperation operation) {
        return new KafkaAcl(ResourceType.TOPIC, PatternType.LITERAL, topic.name(), operation);
    }

    public static KafkaAcl topicsPrefixed(String prefix, AclOperation operation) {
        return new KafkaAcl(ResourceType.TOPIC, PatternType.PREFIXED, prefix, operation);
    }

    public static KafkaAcl group(String group, AclOperation operation) {
        return new KafkaAcl(ResourceType.GROUP, PatternType.LITERAL, group, operation);
    }

    public static KafkaAcl transactionalIdsPrefixed(String prefix, AclOperation operation) {
        return new KafkaAcl(ResourceType.TRANSACTIONAL_ID, PatternType.PREFIXED, prefix, operation);
    }

    /** The binding for {@code User:<user>}, any host. */
    public AclBinding binding(String user) {
        return new AclBinding(new ResourcePattern(resourceType, name, patternType),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    /** Whether this ACL's pattern matches the named resource. */
    public boolean matches(ResourceType type, String resourceName) {
        return type == resourceType && (patternType == PatternType.LITERAL ? name.equals(resourceName)
                : resourceName.startsWith(name));
    }

    /** Kafka's name of the operation, as {@code kafka-acls.sh} and Strimzi spell it ({@code Write}, {@code Create}). */
    public String operationName() {
        return camel(operation.name());
    }

    /** {@code Write on topic seid.decisions.v1}, {@code Write on transactional ids prefixed halt-supervisor-decider}. */
    public String describe() {
        String type = switch (resourceType) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactional id";
            default -> resourceType.name().toLowerCase(Locale.ROOT);
        };
        return operationName() + " on " + (patternType == PatternType.PREFIXED ? type + "s prefixed " : type + " ")
                + name;
    }

    private static String camel(String constant) {
        StringBuilder out = new StringBuilder();
        for (String part : constant.split("_")) {
            out.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }
}
