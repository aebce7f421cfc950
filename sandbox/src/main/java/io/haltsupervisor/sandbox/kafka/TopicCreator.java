package io.haltsupervisor.sandbox.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import io.haltsupervisor.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates topics and waits until they are usable: every partition has a leader in the broker's
 * metadata, so producers and consumers started right after see the topic. Works against the
 * embedded broker and against any external cluster.
 */
public final class TopicCreator {

    private static final long POLL_MILLIS = 50;

    private TopicCreator() {
    }

    /**
     * The topics of the registry ({@link Topics#ALL}) as {@link NewTopic}s: {@code partitions}
     * partitions each, compacted topics with {@code cleanup.policy=compact}.
     *
     * @param replicationFactor empty for the cluster's {@code default.replication.factor}
     */
    public static List<NewTopic> registryTopics(final int partitions, final Optional<Short> replicationFactor) {
        return Topics.ALL.stream()
                .map(topic -> new NewTopic(topic.name(), Optional.of(partitions), replicationFactor)
                        .configs(topic.compacted()
                                ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
                                : Map.of()))
                .collect(Collectors.toList());
    }

    /**
     * Creates {@code topics}, leaving any that already exist as they are, and waits until all of
     * them have a leader for every partition.
     *
     * @throws IllegalStateException if creation fails or the topics are not usable within {@code timeout}
     */
    public static void createAndAwait(final Admin admin, final Collection<NewTopic> topics, final Duration timeout) {
        if (topics.isEmpty()) {
            return;
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        final Map<String, KafkaFuture<Void>> created = admin.createTopics(topics).values();
        for (Map.Entry<String, KafkaFuture<Void>> entry : created.entrySet()) {
            try {
                entry.getValue().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + entry.getKey(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("creating topic " + entry.getKey() + " timed out", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + entry.getKey(), e);
            }
        }
        awaitLeaders(admin, topics.stream().map(NewTopic::name).collect(Collectors.toSet()), deadline, timeout);
    }

    private static void awaitLeaders(final Admin admin, final Set<String> names, final long deadline,
                                     final Duration timeout) {
        Exception last = null;
        while (true) {
            try {
                final Map<String, TopicDescription> descriptions = admin
                        .describeTopics(names, new DescribeTopicsOptions().timeoutMs(5_000))
                        .allTopicNames()
                        .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
                if (descriptions.keySet().containsAll(names) && descriptions.values().stream().allMatch(
                        d -> !d.partitions().isEmpty() && d.partitions().stream().allMatch(
                                p -> p.leader() != null && !p.leader().isEmpty()))) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("cannot describe topics " + names, e.getCause());
                }
                last = e;
            } catch (TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topics " + names, e);
            }
            if (System.nanoTime() >= deadline) {
                throw new IllegalStateException("topics " + names + " have no leader after " + timeout, last);
            }
            pause();
        }
    }

    /** A short back-off between two polls of the cluster. */
    static void pause() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    private static long remainingMillis(final long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
