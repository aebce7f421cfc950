package io.haltsupervisor.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The start-up check of a component's topic ACLs: asks the brokers which operations this client may perform on
 * each topic its {@link Acls.Principal} names ({@code describeTopics} with authorized operations) and fails, before
 * anything is read or written, with every missing ACL named. So a component with an ACL short never acts halfway
 * (for example a Kubernetes change it then cannot record). Group and transactional-id ACLs are not listed by the
 * brokers; they are refused at the first join or transaction, which every component treats as fatal.
 */
public final class KafkaAccess {
    private KafkaAccess() {
    }

    /** Some ACLs a component needs are missing; the message names each (operation and resource). */
    public static final class AccessDeniedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final List<KafkaAcl> missing;

        AccessDeniedException(Acls.Principal principal, List<KafkaAcl> missing) {
            super("Kafka does not allow " + principal.role() + " what it needs: missing "
                    + missing.stream().map(KafkaAcl::describe).collect(Collectors.joining(", "))
                    + " (see the ACLs in docs/operations.md)");
            this.missing = List.copyOf(missing);
        }

        public List<KafkaAcl> missing() {
            return missing;
        }
    }

    /** The failure for ACLs found missing some other way (for example a {@code createTopics} refused). */
    public static AccessDeniedException denied(Acls.Principal principal, List<KafkaAcl> missing) {
        return new AccessDeniedException(principal, missing);
    }

    /**
     * Checks the principal's topic ACLs.
     *
     * @param prefixProbes for each prefixed topic ACL's prefix, an existing topic under it to check the ACL on
     *                     (a prefix without a probe is not checked)
     * @throws AccessDeniedException naming every missing ACL
     * @throws IllegalStateException when a topic does not exist or Kafka does not answer within {@code timeout}
     */
    public static void verifyTopics(Admin admin, Acls.Principal principal, Map<String, String> prefixProbes,
            Duration timeout) {
        Map<String, List<KafkaAcl>> byTopic = new LinkedHashMap<>();
        for (KafkaAcl acl : principal.acls()) {
            if (acl.resourceType() != ResourceType.TOPIC) {
                continue;
            }
            String topic = acl.patternType() == PatternType.LITERAL ? acl.name() : prefixProbes.get(acl.name());
            if (topic != null) {
                byTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(acl);
            }
        }
        if (byTopic.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<KafkaAcl> missing = new ArrayList<>();
        for (Map.Entry<String, List<KafkaAcl>> e : byTopic.entrySet()) {
            Set<AclOperation> allowed;
            try {
                allowed = describe(admin, e.getKey(), prefixProbes.containsValue(e.getKey()), deadline)
                        .authorizedOperations();
            } catch (ExecutionException ex) {
                if (ex.getCause() instanceof TopicAuthorizationException) {
                    missing.addAll(e.getValue());
                    continue;
                }
                if (ex.getCause() instanceof org.apache.kafka.common.errors.AuthenticationException) {
                    throw new IllegalStateException(Acls.explain(principal, ex.getCause()).orElseThrow(), ex.getCause());
                }
                if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new IllegalStateException("topic " + e.getKey() + " does not exist (" + principal.role()
                            + " needs it)", ex.getCause());
                }
                throw new IllegalStateException("cannot check the ACLs of " + principal.role() + " on topic "
                        + e.getKey() + ": " + ex.getCause(), ex.getCause());
            } catch (TimeoutException ex) {
                throw new IllegalStateException("Kafka did not answer within " + timeout + " while checking the ACLs of "
                        + principal.role(), ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while checking Kafka ACLs", ex);
            }
            if (allowed == null) {
                continue; // a broker that does not report authorized operations: nothing to check against
            }
            for (KafkaAcl acl : e.getValue()) {
                if (!allowed.contains(acl.operation()) && !allowed.contains(AclOperation.ALL)) {
                    missing.add(acl);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new AccessDeniedException(principal, missing);
        }
    }

    /**
     * The topic with this client's authorized operations; a probe topic just created may not be known to every
     * broker yet, so it is asked again until the deadline.
     */
    private static TopicDescription describe(Admin admin, String topic, boolean justCreated, long deadline)
            throws ExecutionException, InterruptedException, TimeoutException {
        while (true) {
            KafkaFuture<TopicDescription> future = admin.describeTopics(List.of(topic),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues().get(topic);
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try {
                return future.get(left, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!justCreated || !(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // metadata of a new topic reaches the brokers within moments
            }
        }
    }
}
