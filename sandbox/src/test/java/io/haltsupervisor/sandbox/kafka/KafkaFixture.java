package io.haltsupervisor.sandbox.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A Kafka broker for one integration-test class, from the first source available:
 * <ol>
 *   <li>{@value #BOOTSTRAP_ENV} set: that external cluster, used as is (topics and records
 *       survive between test classes there, so tests must not assume an empty topic);</li>
 *   <li>a Docker engine: a Testcontainers KRaft broker ({@value #IMAGE});</li>
 *   <li>otherwise: a fresh {@link EmbeddedKafka} in this JVM.</li>
 * </ol>
 *
 * <pre>
 * private static KafkaFixture.Broker kafka;
 *
 * &#64;BeforeAll
 * static void startKafka() {
 *     kafka = KafkaFixture.start();
 *     kafka.createTopics(3);
 * }
 *
 * &#64;AfterAll
 * static void stopKafka() {
 *     kafka.close();
 * }
 * </pre>
 */
public final class KafkaFixture {

    /** Points the fixture at an existing cluster instead of starting one. */
    public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    /** The image used when a Docker engine is available. */
    public static final String IMAGE = "apache/kafka:4.4.0";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaFixture.class);
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);

    /** Where a {@link Broker} comes from. */
    public enum Source { EXTERNAL, CONTAINER, EMBEDDED }

    /** A running broker; {@link #close()} stops it (an external cluster is only disconnected from). */
    public interface Broker extends AutoCloseable {

        Source source();

        /** {@code host:port[,host:port…]} for {@code bootstrap.servers}. */
        String bootstrapServers();

        /** Creates every registry topic with {@code partitions} partitions and waits until they are usable. */
        void createTopics(int partitions);

        /** Creates one topic (left as is if it exists) and waits until it is usable. */
        void createTopic(String name, int partitions, Map<String, String> configs);

        @Override
        void close();
    }

    private KafkaFixture() {
    }

    /** Starts (or connects to) a broker; see the class comment for the order of sources. */
    public static Broker start() {
        final String external = System.getenv(BOOTSTRAP_ENV);
        if (external != null && !external.isBlank()) {
            LOG.info("Using the external Kafka cluster {}={}", BOOTSTRAP_ENV, external);
            return new AdminBroker(Source.EXTERNAL, external.trim(), Optional.empty(), () -> { });
        }
        if (dockerAvailable()) {
            return Containers.start();
        }
        LOG.info("No {} and no Docker engine: starting an embedded Kafka broker", BOOTSTRAP_ENV);
        return new EmbeddedBroker(new EmbeddedKafka().start());
    }

    private static boolean dockerAvailable() {
        try {
            return Containers.dockerAvailable();
        } catch (LinkageError e) {
            LOG.info("Testcontainers is not on the test classpath: {}", e.toString());
            return false;
        }
    }

    /**
     * Everything that touches Testcontainers, so that this fixture loads and falls back to the
     * embedded broker when a module's test classpath lacks Testcontainers.
     */
    private static final class Containers {

        static boolean dockerAvailable() {
            try {
                return DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException e) {
                LOG.info("Testcontainers is not usable: {}", e.toString());
                return false;
            }
        }

        static Broker start() {
            final KafkaContainer container = new KafkaContainer(DockerImageName.parse(IMAGE))
                    .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                    .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                    .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                    .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                    .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1");
            container.start();
            LOG.info("Started Kafka container {} at {}", IMAGE, container.getBootstrapServers());
            return new AdminBroker(Source.CONTAINER, container.getBootstrapServers(), Optional.of((short) 1),
                    container::stop);
        }
    }

    private static final class EmbeddedBroker implements Broker {
        private final EmbeddedKafka kafka;

        EmbeddedBroker(final EmbeddedKafka kafka) {
            this.kafka = kafka;
        }

        @Override
        public Source source() {
            return Source.EMBEDDED;
        }

        @Override
        public String bootstrapServers() {
            return kafka.bootstrapServers();
        }

        @Override
        public void createTopics(final int partitions) {
            kafka.createTopics(partitions);
        }

        @Override
        public void createTopic(final String name, final int partitions, final Map<String, String> configs) {
            kafka.createTopic(name, partitions, configs);
        }

        @Override
        public void close() {
            kafka.close();
        }
    }

    /** A broker this JVM does not run: topics are created through an admin client. */
    private static final class AdminBroker implements Broker {
        private final Source source;
        private final String bootstrapServers;
        private final Optional<Short> replicationFactor;
        private final Runnable onClose;
        private Admin admin;
        private boolean closed;

        AdminBroker(final Source source, final String bootstrapServers, final Optional<Short> replicationFactor,
                    final Runnable onClose) {
            this.source = source;
            this.bootstrapServers = bootstrapServers;
            this.replicationFactor = replicationFactor;
            this.onClose = onClose;
        }

        @Override
        public Source source() {
            return source;
        }

        @Override
        public String bootstrapServers() {
            return bootstrapServers;
        }

        @Override
        public void createTopics(final int partitions) {
            TopicCreator.createAndAwait(admin(), TopicCreator.registryTopics(partitions, replicationFactor),
                    TOPIC_TIMEOUT);
        }

        @Override
        public void createTopic(final String name, final int partitions, final Map<String, String> configs) {
            TopicCreator.createAndAwait(admin(),
                    List.of(new NewTopic(name, Optional.of(partitions), replicationFactor).configs(Map.copyOf(configs))),
                    TOPIC_TIMEOUT);
        }

        private synchronized Admin admin() {
            if (closed) {
                throw new IllegalStateException("the " + source + " broker fixture is closed");
            }
            if (admin == null) {
                admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
            }
            return admin;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
            onClose.run();
        }
    }
}
