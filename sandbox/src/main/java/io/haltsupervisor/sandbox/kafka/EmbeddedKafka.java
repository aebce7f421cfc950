package io.haltsupervisor.sandbox.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process, single-node Kafka KRaft cluster: one {@link KafkaRaftServer} acting as broker and
 * controller, listening on free loopback ports, with its log in a temporary directory that
 * {@link #close()} deletes. Used by dev mode and by integration tests; no Docker.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
 *     kafka.createTopics(3);
 *     ... kafka.bootstrapServers() ...
 * }
 * }</pre>
 *
 * <p>Settings are those of a one-broker cluster (replication factor and min ISR 1 everywhere, no
 * initial rebalance delay, no automatic topic creation) and support transactions, so Kafka
 * Streams can run with {@code exactly_once_v2}. The storage is formatted like
 * {@code kafka-storage format --standalone}: a fresh cluster id and this node as the only voter
 * of a dynamic controller quorum.
 *
 * <p>For fault tests, {@link #stop()} shuts the server down keeping its ports and log directory, and
 * {@link #restart()} brings the same cluster back on them: clients configured with {@link #bootstrapServers()}
 * reconnect by themselves, and every topic, record, committed offset and transaction outcome is still there.
 *
 * <p>{@link #secured()} makes a broker as a production cluster is: no plaintext client listener, a
 * {@code SASL_SSL} listener (SCRAM-SHA-512) and an {@code SSL} listener requiring client certificates,
 * {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}; see {@link KafkaSecurity} for
 * its certificates, users and ACLs.
 *
 * <p>Note: like any Kafka server, the embedded one halts the JVM on a fatal metadata fault (for
 * example if its log directory is deleted under it).
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** The node id of the broker/controller. */
    public static final int NODE_ID = 1;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String LOOPBACK = "127.0.0.1";
    private static final String SERVER_PROPERTIES = "server.properties";
    private static final String DATA_DIR = "data";
    private static final int START_ATTEMPTS = 3;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private static final String SASL_LISTENER = "SASL_SSL";
    private static final String SSL_LISTENER = "SSL";

    private final Map<String, String> overrides;
    private final boolean secured;

    private enum State { NEW, STARTED, STOPPED, CLOSED }

    private State state = State.NEW;
    private Path logDir;
    private KafkaRaftServer server;
    private Admin admin;
    private String bootstrapServers;
    private String clusterId;
    private KafkaConfig config;
    private KafkaSecurity security;

    /** A broker with the default single-node settings. */
    public EmbeddedKafka() {
        this(Map.of());
    }

    /**
     * A broker whose server properties are the defaults with {@code overrides} applied on top
     * (for example {@code num.io.threads}). Listener, node and directory settings are owned by
     * this class and cannot be overridden.
     */
    public EmbeddedKafka(final Map<String, String> overrides) {
        this(overrides, false);
    }

    private EmbeddedKafka(final Map<String, String> overrides, final boolean secured) {
        this.overrides = Map.copyOf(overrides);
        this.secured = secured;
    }

    /**
     * A secured broker (see the class comment): {@link #bootstrapServers()} is then its {@code SASL_SSL}
     * listener, {@link #security()} hands out its certificates, SCRAM users, client settings and ACLs.
     */
    public static EmbeddedKafka secured() {
        return secured(Map.of());
    }

    /** A {@link #secured()} broker with {@code overrides} applied to the default server properties. */
    public static EmbeddedKafka secured(final Map<String, String> overrides) {
        return new EmbeddedKafka(overrides, true);
    }

    /**
     * The secured broker's certificates, users, client settings and ACLs.
     *
     * @throws IllegalStateException if this broker is not {@link #secured()} or not started
     */
    public synchronized KafkaSecurity security() {
        requireStartedOrStopped();
        if (security == null) {
            throw new IllegalStateException("this embedded Kafka is not secured (use EmbeddedKafka.secured())");
        }
        return security;
    }

    /**
     * Formats a fresh log directory, starts the server and returns once a client can talk to it
     * (the broker is registered, unfenced and answers {@code describeCluster}).
     *
     * @return this, for {@code try (var kafka = new EmbeddedKafka().start())}
     * @throws IllegalStateException if already started or closed
     */
    public synchronized EmbeddedKafka start() {
        if (state != State.NEW) {
            throw new IllegalStateException("EmbeddedKafka can be started once; state is " + state);
        }
        final long begin = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                startOnce();
                break;
            } catch (RuntimeException e) {
                stopQuietly();
                // A free port can be taken by someone else between probing and binding it.
                if (attempt < START_ATTEMPTS && causedBy(e, BindException.class)) {
                    LOG.warn("Embedded Kafka could not bind its ports (attempt {}), retrying: {}", attempt, e.toString());
                    continue;
                }
                state = State.CLOSED;
                throw e;
            }
        }
        state = State.STARTED;
        LOG.info("Embedded Kafka started in {} ms: bootstrap={} clusterId={} logDir={}",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), bootstrapServers, clusterId, logDir);
        return this;
    }

    /**
     * {@code 127.0.0.1:PORT} of the PLAINTEXT listener, or of the {@code SASL_SSL} one on a {@link #secured()}
     * broker (the same after a {@link #restart()}).
     */
    public synchronized String bootstrapServers() {
        requireStartedOrStopped();
        return bootstrapServers;
    }

    /**
     * The temporary directory of this broker, deleted by {@link #close()}: its
     * {@code server.properties} and, under {@code data/}, the log and metadata log.
     */
    public synchronized Path logDirectory() {
        requireStartedOrStopped();
        return logDir;
    }

    /** The cluster id written when the storage was formatted. */
    public synchronized String clusterId() {
        requireStartedOrStopped();
        return clusterId;
    }

    /**
     * Creates every topic of the registry ({@code io.haltsupervisor.schemas.Topics.ALL}) with
     * {@code partitions} partitions, compacted ones with {@code cleanup.policy=compact}, and waits
     * until all of them have a leader for every partition. Topics that already exist are left as
     * they are.
     */
    public void createTopics(final int partitions) {
        createAndAwait(TopicCreator.registryTopics(partitions, Optional.of((short) 1)));
    }

    /**
     * Creates one topic with the given topic configs (for example {@code cleanup.policy}) and
     * waits until it is usable. An existing topic of that name is left as it is.
     */
    public void createTopic(final String name, final int partitions, final Map<String, String> configs) {
        createAndAwait(List.of(new NewTopic(name, partitions, (short) 1).configs(Map.copyOf(configs))));
    }

    private void createAndAwait(final Collection<NewTopic> topics) {
        final Admin client;
        synchronized (this) {
            requireStarted();
            client = admin;
        }
        TopicCreator.createAndAwait(client, topics, READY_TIMEOUT);
    }

    /** True between {@link #start()} (or {@link #restart()}) and {@link #stop()} or {@link #close()}. */
    public synchronized boolean running() {
        return state == State.STARTED;
    }

    /**
     * Shuts the server down as a broker stops (controlled shutdown), keeping its ports and log directory for
     * {@link #restart()}. Clients see the broker gone: their requests time out or are retried.
     *
     * @throws IllegalStateException if not running
     */
    public synchronized void stop() {
        requireStarted();
        final long begin = System.nanoTime();
        stopServer();
        state = State.STOPPED;
        LOG.info("Embedded Kafka at {} stopped in {} ms (log directory kept for a restart)", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
    }

    /**
     * Starts a {@link #stop() stopped} server again on the same ports and log directory and returns once a
     * client can talk to it. Binding the ports is retried for a while: a port just released may still be held.
     *
     * @return this
     * @throws IllegalStateException if not stopped, or if the server cannot start
     */
    public synchronized EmbeddedKafka restart() {
        if (state != State.STOPPED) {
            throw new IllegalStateException("EmbeddedKafka can be restarted once stopped; state is " + state);
        }
        final long begin = System.nanoTime();
        final long deadline = begin + READY_TIMEOUT.toNanos();
        while (true) {
            try {
                startServer();
                break;
            } catch (RuntimeException e) {
                stopServer();
                if (!causedBy(e, BindException.class) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("embedded Kafka could not restart at " + bootstrapServers, e);
                }
                LOG.warn("Embedded Kafka could not bind {} again yet, retrying: {}", bootstrapServers, e.toString());
                TopicCreator.pause();
            }
        }
        state = State.STARTED;
        LOG.info("Embedded Kafka restarted in {} ms at {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
                bootstrapServers);
        return this;
    }

    /**
     * Shuts the server down, waits for its threads to stop and deletes the log directory.
     * Idempotent; a no-op if never started.
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        final boolean wasStarted = state == State.STARTED || state == State.STOPPED;
        state = State.CLOSED;
        final long begin = System.nanoTime();
        stopQuietly();
        if (wasStarted) {
            LOG.info("Embedded Kafka at {} stopped in {} ms", bootstrapServers,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        }
    }

    private void startOnce() {
        try {
            logDir = Files.createTempDirectory("embedded-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a log directory for embedded Kafka", e);
        }
        final int brokerPort = freePort();
        final int controllerPort = freePort();
        final Map<String, Object> props = serverProperties(brokerPort, controllerPort);
        if (secured) {
            final int sslPort = freePort();
            security = new KafkaSecurity(logDir.resolve("tls"), LOOPBACK + ":" + brokerPort, LOOPBACK + ":" + sslPort);
            secure(props, brokerPort, sslPort, controllerPort);
        }
        clusterId = Uuid.randomUuid().toString();
        format(props);
        config = new KafkaConfig(props, false);
        bootstrapServers = LOOPBACK + ":" + brokerPort;
        startServer();
    }

    /** Starts the server on {@link #config} (formatted storage) and waits until it is ready. */
    private void startServer() {
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        final Map<String, Object> adminProps = new LinkedHashMap<>(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
        if (security != null) {
            adminProps.putAll(security.superUserProperties());
        }
        admin = Admin.create(adminProps);
        if (security != null) {
            security.connect(admin);
        }
        awaitBrokerReady();
    }

    private Map<String, Object> serverProperties(final int brokerPort, final int controllerPort) {
        final Map<String, Object> props = new LinkedHashMap<>();
        // Single-node tuning first, so that callers' overrides win over it.
        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.put("log.cleaner.dedupe.buffer.size", "4194304");
        props.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        props.put("log.index.size.max.bytes", String.valueOf(1024 * 1024));
        props.put("num.recovery.threads.per.data.dir", "1");
        // The broker heartbeats the controller to get unfenced; a short interval shortens startup.
        props.put("broker.heartbeat.interval.ms", "250");
        props.put("broker.session.timeout.ms", "6000");
        props.putAll(overrides);

        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        props.put("listeners", BROKER_LISTENER + "://" + LOOPBACK + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + LOOPBACK + ":" + controllerPort);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + LOOPBACK + ":" + brokerPort);
        props.put("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("controller.quorum.bootstrap.servers", LOOPBACK + ":" + controllerPort);
        props.put("log.dirs", logDir.resolve(DATA_DIR).toString());
        return props;
    }

    /**
     * Replaces the plaintext listeners by a {@code SASL_SSL} (SCRAM-SHA-512) and an {@code SSL} (client certificate
     * required) client listener, with the controller and inter-broker traffic on mutual TLS as the broker's own
     * principal ({@code User:broker}, a super user like the set-up principal {@code User:admin}), and turns on
     * the standard authorizer, denying whatever no ACL allows.
     */
    private void secure(final Map<String, Object> props, final int saslPort, final int sslPort,
                        final int controllerPort) {
        props.put("listeners", SASL_LISTENER + "://" + LOOPBACK + ":" + saslPort + ","
                + SSL_LISTENER + "://" + LOOPBACK + ":" + sslPort + ","
                + CONTROLLER_LISTENER + "://" + LOOPBACK + ":" + controllerPort);
        props.put("advertised.listeners", SASL_LISTENER + "://" + LOOPBACK + ":" + saslPort + ","
                + SSL_LISTENER + "://" + LOOPBACK + ":" + sslPort);
        props.put("listener.security.protocol.map", SASL_LISTENER + ":SASL_SSL," + SSL_LISTENER + ":SSL,"
                + CONTROLLER_LISTENER + ":SSL");
        props.put("inter.broker.listener.name", SSL_LISTENER);
        props.putAll(security.brokerProperties());
        final String sasl = "listener.name." + SASL_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        props.put(sasl + "ssl.client.auth", "none");
        props.put("sasl.enabled.mechanisms", KafkaSecurity.SCRAM_MECHANISM);
        props.put(sasl + KafkaSecurity.SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("allow.everyone.if.no.acl.found", "false");
        props.put("super.users", "User:" + KafkaSecurity.BROKER_PRINCIPAL + ";User:" + KafkaSecurity.SUPER_USER);
    }

    /**
     * Runs Kafka's own {@code kafka-storage format --standalone} on the written server properties:
     * a fresh cluster id, this controller as the only voter of a dynamic quorum.
     */
    private void format(final Map<String, Object> props) {
        final Path propsFile = logDir.resolve(SERVER_PROPERTIES);
        final Properties properties = new Properties();
        props.forEach((key, value) -> properties.setProperty(key, String.valueOf(value)));
        try (Writer out = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
            properties.store(out, "embedded Kafka " + clusterId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + propsFile, e);
        }
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final int exitCode;
        try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(new String[] {
                "format", "--config", propsFile.toString(), "--cluster-id", clusterId, "--standalone"},
                    printStream);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("formatting the embedded Kafka storage failed (" + exitCode + "): "
                    + output.toString(StandardCharsets.UTF_8));
        }
    }

    private void awaitBrokerReady() {
        final long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                // Fenced brokers are not listed, so seeing our node means it accepts partitions.
                final Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                        .nodes().get(10, TimeUnit.SECONDS);
                if (nodes.stream().anyMatch(node -> node.id() == NODE_ID)) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
            }
            TopicCreator.pause();
        }
        throw new IllegalStateException("embedded Kafka did not become ready within " + READY_TIMEOUT, last);
    }

    /** Releases whatever the current (possibly partial) start created. */
    private void stopQuietly() {
        stopServer();
        security = null;
        if (logDir != null) {
            try {
                Utils.delete(logDir.toFile());
            } catch (IOException e) {
                LOG.warn("Could not delete the embedded Kafka log directory {}", logDir, e);
            }
            logDir = null;
        }
    }

    /** Closes the admin client and shuts the server down, keeping the log directory. */
    private void stopServer() {
        if (admin != null) {
            try {
                admin.close(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                LOG.warn("Closing the embedded Kafka admin client failed", e);
            }
            admin = null;
        }
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                LOG.warn("Shutting down embedded Kafka failed", e);
            }
            server = null;
        }
    }

    private void requireStartedOrStopped() {
        if (state != State.STARTED && state != State.STOPPED) {
            throw new IllegalStateException("EmbeddedKafka was never started or is closed; state is " + state);
        }
    }

    private void requireStarted() {
        if (state != State.STARTED) {
            throw new IllegalStateException("EmbeddedKafka is not running; state is " + state);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static boolean causedBy(final Throwable e, final Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized String toString() {
        return "EmbeddedKafka[" + (bootstrapServers == null ? state : bootstrapServers) + "]";
    }
}
