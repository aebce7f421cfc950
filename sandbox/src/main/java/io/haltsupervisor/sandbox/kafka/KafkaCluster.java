package io.haltsupervisor.sandbox.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A three-node Kafka KRaft cluster on loopback, each node ({@link KafkaClusterNode}: broker and controller, a
 * static three-voter controller quorum) in a JVM of its own, so a fault test or a benchmark can
 * {@link #kill(int) SIGKILL} one broker, or {@link #stop(int) stop} it cleanly, and {@link #restart(int) bring it
 * back} on the same ports and log directory.
 *
 * <p>Settings are those of a small production cluster: replication factor 3 and {@code min.insync.replicas=2}
 * for every topic (registry topics, the consumer offsets, the transaction state), so a producer with
 * {@code acks=all} keeps writing, and exactly-once Kafka Streams keeps committing, while any one node is down.
 * A broker that stops heartbeating is fenced by the controller after {@code broker.session.timeout.ms}
 * ({@value #BROKER_SESSION_TIMEOUT_MS} ms here, Kafka's default is 9000): only then do its partitions get a new
 * leader, so that setting bounds how long a dead broker's partitions stay unwritable. A transaction left open by a
 * producer that died is aborted at the coordinator's first check ({@value #TRANSACTION_ABORT_CHECK_INTERVAL_MS} ms
 * here, Kafka's default 10 s) after its {@code transaction.timeout.ms}. Overrides may change any
 * setting but the listeners, node ids, quorum and directories.
 *
 * <pre>{@code
 * try (KafkaCluster cluster = new KafkaCluster().start()) {
 *     cluster.createTopics(4);
 *     cluster.kill(cluster.leaderOf("seid.decisions.v1", 0));
 *     ... cluster.bootstrapServers() ...
 * }
 * }</pre>
 *
 * <p>The nodes run on this JVM's classpath ({@code java.class.path}: under Surefire/Failsafe the booter's
 * manifest jar, under {@code supervisor} the one jar); their output is in {@code node-N.log} under
 * {@link #directory()}, which {@link #close()} deletes.
 */
public final class KafkaCluster implements AutoCloseable {

    /** The number of nodes. */
    public static final int SIZE = 3;
    /** How long the controller waits for a silent broker before fencing it (and moving its leaderships). */
    public static final int BROKER_SESSION_TIMEOUT_MS = 6000;
    /** How often a transaction coordinator aborts the transactions open longer than their timeout (Kafka: 10 s). */
    public static final int TRANSACTION_ABORT_CHECK_INTERVAL_MS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);
    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Map<String, String> overrides;
    private final Map<Integer, NodeProcess> nodes = new TreeMap<>();
    private Path directory;
    private String bootstrapServers;
    private Admin admin;
    private boolean started;
    private boolean closed;

    /** A cluster with the default settings. */
    public KafkaCluster() {
        this(Map.of());
    }

    /** A cluster whose server properties are the defaults with {@code overrides} applied on top. */
    public KafkaCluster(final Map<String, String> overrides) {
        this.overrides = Map.copyOf(overrides);
    }

    /**
     * Formats three log directories, starts the three nodes and returns once every broker is registered and
     * unfenced.
     *
     * @return this
     * @throws IllegalStateException if already started, or if the cluster does not come up
     */
    public synchronized KafkaCluster start() {
        if (started || closed) {
            throw new IllegalStateException("a KafkaCluster can be started once");
        }
        started = true;
        final long begin = System.nanoTime();
        try {
            directory = Files.createTempDirectory("kafka-cluster-");
            final Map<Integer, int[]> ports = new TreeMap<>();
            for (int id = 1; id <= SIZE; id++) {
                ports.put(id, new int[] {freePort(), freePort()});
            }
            final String voters = ports.entrySet().stream()
                    .map(e -> e.getKey() + "@" + LOOPBACK + ":" + e.getValue()[1]).collect(Collectors.joining(","));
            bootstrapServers = ports.values().stream().map(p -> LOOPBACK + ":" + p[0])
                    .collect(Collectors.joining(","));
            final String clusterId = Uuid.randomUuid().toString();
            for (Map.Entry<Integer, int[]> e : ports.entrySet()) {
                final int id = e.getKey();
                final Path nodeDir = directory.resolve("node-" + id);
                Files.createDirectories(nodeDir);
                final Path propsFile = nodeDir.resolve("server.properties");
                write(propsFile, serverProperties(id, e.getValue()[0], e.getValue()[1], voters, nodeDir), clusterId);
                format(propsFile, clusterId);
                nodes.put(id, new NodeProcess(id, propsFile, directory.resolve("node-" + id + ".log")));
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot prepare the Kafka cluster's directories", e);
        }
        try {
            nodes.values().forEach(NodeProcess::spawn);
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.CLIENT_ID_CONFIG, "kafka-cluster-admin",
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
            awaitBrokers(nodes.keySet());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("Kafka cluster of {} nodes started in {} ms: bootstrap={} directory={}", SIZE,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), bootstrapServers, directory);
        return this;
    }

    /** {@code 127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3}: every node's client listener. */
    public synchronized String bootstrapServers() {
        requireStarted();
        return bootstrapServers;
    }

    /** The node ids, 1 to {@value #SIZE}. */
    public Set<Integer> nodeIds() {
        return Set.of(1, 2, 3);
    }

    /** The cluster's temporary directory (node logs, storage), deleted by {@link #close()}. */
    public synchronized Path directory() {
        requireStarted();
        return directory;
    }

    /** The process id of a node, while it runs. */
    public synchronized Optional<Long> pid(final int nodeId) {
        return node(nodeId).pid();
    }

    /** True while the node's process runs. */
    public synchronized boolean running(final int nodeId) {
        return node(nodeId).alive();
    }

    /**
     * Creates every topic of the registry with {@code partitions} partitions, replication factor 3 (and the
     * cluster's {@code min.insync.replicas=2}), and waits until every partition has a leader.
     */
    public void createTopics(final int partitions) {
        TopicCreator.createAndAwait(admin(), TopicCreator.registryTopics(partitions, Optional.of((short) SIZE)),
                READY_TIMEOUT);
    }

    /** Creates one topic with replication factor 3 (left as is if it exists) and waits until it is usable. */
    public void createTopic(final String name, final int partitions, final Map<String, String> configs) {
        TopicCreator.createAndAwait(admin(), List.of(new NewTopic(name, partitions, (short) SIZE)
                .configs(Map.copyOf(configs))), READY_TIMEOUT);
    }

    /**
     * The node that leads {@code topic}'s {@code partition} now, as the metadata says.
     *
     * @throws IllegalStateException if it has no leader or the metadata cannot be read
     */
    public int leaderOf(final String topic, final int partition) {
        try {
            final TopicDescription d = admin().describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic);
            final TopicPartitionInfo info = d.partitions().get(partition);
            if (info.leader() == null || info.leader().isEmpty()) {
                throw new IllegalStateException(topic + "-" + partition + " has no leader");
            }
            return info.leader().id();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        }
    }

    /** The node that is the controller quorum's leader (the active controller) now. */
    public int activeController() {
        try {
            return admin().describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the metadata quorum", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the metadata quorum", e);
        }
    }

    /** {@code SIGKILL}s a node and waits until its process is gone: no shutdown, no leader handover. */
    public void kill(final int nodeId) {
        final NodeProcess n;
        synchronized (this) {
            requireStarted();
            n = node(nodeId);
        }
        n.destroy(true);
        LOG.info("Kafka cluster node {} killed (SIGKILL)", nodeId);
    }

    /** {@code SIGTERM}s a node and waits until it has shut down (controlled shutdown: leaderships move first). */
    public void stop(final int nodeId) {
        final NodeProcess n;
        synchronized (this) {
            requireStarted();
            n = node(nodeId);
        }
        n.destroy(false);
        LOG.info("Kafka cluster node {} stopped (SIGTERM)", nodeId);
    }

    /**
     * Starts a killed or stopped node again on its ports and log directory and waits until its broker is
     * registered and unfenced again.
     */
    public void restart(final int nodeId) {
        final NodeProcess n;
        synchronized (this) {
            requireStarted();
            n = node(nodeId);
            if (n.alive()) {
                throw new IllegalStateException("Kafka cluster node " + nodeId + " is running");
            }
        }
        final long begin = System.nanoTime();
        n.spawn();
        awaitBrokers(Set.of(nodeId));
        LOG.info("Kafka cluster node {} restarted in {} ms", nodeId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
    }

    /**
     * Waits until every partition of {@code topics} has all {@value #SIZE} replicas in sync again (after a node
     * came back), so the next fault starts from a healthy cluster.
     */
    public void awaitFullyReplicated(final Collection<String> topics, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                final Map<String, TopicDescription> all = admin().describeTopics(topics).allTopicNames()
                        .get(10, TimeUnit.SECONDS);
                if (all.values().stream().flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.isr().size() == SIZE && p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("describing {} failed, retrying: {}", topics, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the ISR of " + topics, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + topics + " not fully replicated within " + timeout);
            }
            TopicCreator.pause();
        }
    }

    /** Kills every node and deletes the directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
        for (NodeProcess n : nodes.values()) {
            n.destroy(true);
        }
        if (directory != null) {
            try {
                Utils.delete(directory.toFile());
            } catch (IOException e) {
                LOG.warn("Could not delete the Kafka cluster directory {}", directory, e);
            }
        }
    }

    private synchronized Admin admin() {
        requireStarted();
        return admin;
    }

    private NodeProcess node(final int nodeId) {
        final NodeProcess n = nodes.get(nodeId);
        if (n == null) {
            throw new IllegalArgumentException("node id: expected one of " + nodes.keySet() + ", got " + nodeId);
        }
        return n;
    }

    private void requireStarted() {
        if (!started || closed || admin == null && nodes.isEmpty()) {
            throw new IllegalStateException("the Kafka cluster is not running");
        }
    }

    private Map<String, Object> serverProperties(final int id, final int brokerPort, final int controllerPort,
            final String voters, final Path nodeDir) {
        final Map<String, Object> props = new LinkedHashMap<>();
        props.put("num.partitions", "1");
        props.put("default.replication.factor", String.valueOf(SIZE));
        props.put("min.insync.replicas", "2");
        props.put("offsets.topic.replication.factor", String.valueOf(SIZE));
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", String.valueOf(SIZE));
        props.put("transaction.state.log.min.isr", "2");
        props.put("transaction.state.log.num.partitions", "5");
        // a producer that died inside a transaction leaves it open until the coordinator aborts it, at its first
        // check after transaction.timeout.ms; Kafka checks every 10 s, we recommend 1 s (docs/operations.md,
        // "Failover": a cheap in-memory scan; the next owner's reads and offset fetch wait for the abort)
        props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms",
                String.valueOf(TRANSACTION_ABORT_CHECK_INTERVAL_MS));
        props.put("share.coordinator.state.topic.replication.factor", String.valueOf(SIZE));
        props.put("share.coordinator.state.topic.min.isr", "2");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.put("log.cleaner.dedupe.buffer.size", "4194304");
        props.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        props.put("log.index.size.max.bytes", String.valueOf(1024 * 1024));
        props.put("num.recovery.threads.per.data.dir", "1");
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        props.put("num.replica.fetchers", "1");
        props.put("background.threads", "2");
        props.put("broker.heartbeat.interval.ms", "500");
        props.put("broker.session.timeout.ms", String.valueOf(BROKER_SESSION_TIMEOUT_MS));
        props.put("controller.quorum.election.timeout.ms", "1000");
        props.put("controller.quorum.fetch.timeout.ms", "2000");
        props.put("unclean.leader.election.enable", "false");
        props.putAll(overrides);

        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(id));
        props.put("listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort + ",CONTROLLER://" + LOOPBACK + ":"
                + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("controller.quorum.voters", voters);
        props.put("log.dirs", nodeDir.resolve("data").toString());
        return props;
    }

    private static void write(final Path file, final Map<String, Object> props, final String clusterId)
            throws IOException {
        final Properties properties = new Properties();
        props.forEach((k, v) -> properties.setProperty(k, String.valueOf(v)));
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "Kafka cluster " + clusterId);
        }
    }

    /** {@code kafka-storage format} for a static quorum ({@code controller.quorum.voters}): no voter flags. */
    private static void format(final Path propsFile, final String clusterId) {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final int exitCode;
        try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(new String[] {
                "format", "--config", propsFile.toString(), "--cluster-id", clusterId}, printStream);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("formatting " + propsFile + " failed (" + exitCode + "): "
                    + output.toString(StandardCharsets.UTF_8));
        }
    }

    /** Waits until each of {@code ids} is a registered, unfenced broker (fenced brokers are not listed). */
    private void awaitBrokers(final Set<Integer> ids) {
        final long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            for (int id : ids) {
                final NodeProcess n = node(id);
                if (!n.alive()) {
                    // e.g. a port still held by the previous incarnation: try again
                    LOG.warn("Kafka cluster node {} exited ({}) while starting, starting it again (see {})", id,
                            n.exitValue(), n.log);
                    n.spawn();
                }
            }
            try {
                final Collection<Node> listed = admin().describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                        .nodes().get(10, TimeUnit.SECONDS);
                final Set<Integer> up = listed.stream().map(Node::id).collect(Collectors.toSet());
                if (up.containsAll(ids)) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Kafka cluster", e);
            }
            TopicCreator.pause();
        }
        throw new IllegalStateException("Kafka cluster nodes " + ids + " did not become ready within "
                + READY_TIMEOUT + " (node logs in " + directory + ")", last);
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

    @Override
    public synchronized String toString() {
        return "KafkaCluster[" + (bootstrapServers == null ? "not started" : bootstrapServers) + "]";
    }

    /** One node's process: started on its properties file, output appended to its log. */
    private static final class NodeProcess {
        private final int id;
        private final Path properties;
        private final Path log;
        private Process process;

        NodeProcess(final int id, final Path properties, final Path log) {
            this.id = id;
            this.properties = properties;
            this.log = log;
        }

        synchronized void spawn() {
            final List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dkafka.cluster.node=" + id,
                    "-cp", System.getProperty("java.class.path"),
                    KafkaClusterNode.class.getName(), properties.toString()));
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start Kafka cluster node " + id, e);
            }
        }

        synchronized boolean alive() {
            return process != null && process.isAlive();
        }

        synchronized Optional<Long> pid() {
            return alive() ? Optional.of(process.pid()) : Optional.empty();
        }

        synchronized String exitValue() {
            return process == null || process.isAlive() ? "running" : "exit code " + process.exitValue();
        }

        void destroy(final boolean forcibly) {
            final Process p;
            synchronized (this) {
                p = process;
            }
            if (p == null || !p.isAlive()) {
                return;
            }
            if (forcibly) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
            try {
                if (!p.waitFor(forcibly ? 30 : 60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
