package io.haltsupervisor.decider.service;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderMetrics;
import io.haltsupervisor.decider.streams.DeciderTopology;

import com.sun.net.httpserver.HttpHandler;
import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.KafkaAccess;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the decider: checks that the node-keyed input topics are co-partitioned, creates the control
 * topic beside them, starts Kafka Streams (exactly-once v2) on {@link DeciderTopology}, binds its
 * metrics, and serves interactive queries ({@link #httpHandlers()}).
 */
public final class DeciderService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeciderService.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final DeciderConfig config;
    private final KafkaClientConfig kafka;
    private final MeterRegistry registry;
    private final DeciderMetrics metrics;
    private final DeciderQueries queries;
    private final DeciderHealth health = new DeciderHealth();
    private final Acls.Principal principal;
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;
    private volatile boolean closed;

    public DeciderService(DeciderConfig config, KafkaClientConfig kafka, MeterRegistry registry) {
        this.config = config;
        this.kafka = kafka;
        this.registry = registry;
        this.metrics = new DeciderMetrics(registry);
        this.queries = new DeciderQueries(() -> streams, config.advertisedEndpoint());
        this.principal = Acls.decider("decider", config.applicationId());
        Gauge.builder("halt_supervisor.decider.open.incidents", this, DeciderService::openIncidents)
                .description("open incidents in this instance's active tasks (NaN while not running)")
                .register(registry);
    }

    /** Open incidents held by this instance's active tasks; NaN while the stores cannot be queried. */
    private double openIncidents() {
        KafkaStreams ks = streams;
        if (ks == null || ks.state() != KafkaStreams.State.RUNNING) {
            return Double.NaN;
        }
        try (KeyValueIterator<String, String> it = ks.store(StoreQueryParameters.fromNameAndType(
                DeciderTopology.OPEN_INCIDENTS_STORE, QueryableStoreTypes.<String, String>keyValueStore())).all()) {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return n;
        } catch (InvalidStateStoreException e) {
            return Double.NaN; // rebalancing: ask again at the next scrape
        }
    }

    /**
     * Checks the topics, creates the control topic and starts processing; returns without waiting for
     * the first rebalance ({@link #ready()} says when it is running).
     *
     * @throws IllegalStateException when the input topics are missing or not co-partitioned
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the decider service is closed");
        }
        if (streams != null) {
            return;
        }
        LOG.info("starting decider: {} {}", config, kafka);
        DeciderTopology.InputPartitions partitions = prepareTopics();
        Topology topology = DeciderTopology.build(config, metrics, partitions);
        LOG.info("decider topology ({} node-input partitions, {} image-mapping partitions):\n{}",
                partitions.nodeInputs(), partitions.imageMappings(), topology.describe());
        Properties properties = DeciderTopology.streamsProperties(config, kafka.toMap(), metrics, health);
        if (DeciderTopology.ordersByFetch(properties)) {
            LOG.warn("decider: {}={} (set through the client settings): a task catching up on a backlog decides "
                    + "what it has fetched without waiting for partitions that still have data on the broker, so "
                    + "a node's records on different topics may be decided out of timestamp order and a replay may "
                    + "not reproduce the decision log (docs/requirements.md §3); leave it unset (0) unless that is accepted",
                    StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, properties.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG));
        }
        KafkaStreams ks = new KafkaStreams(topology, properties);
        ks.setUncaughtExceptionHandler(e -> {
            health.failed("stream thread died: " + describe(e));
            // an access failure is fatal: say what was refused, in the first line, instead of retrying
            Acls.explain(principal, e).ifPresent(m -> LOG.error("decider: {}", m));
            LOG.error("decider stream thread died; shutting the decider down so it is restarted", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        ks.setStateListener((now, before) -> LOG.info("decider streams state {} -> {}", before, now));
        streamsMetrics = new KafkaStreamsMetrics(ks);
        streamsMetrics.bindTo(registry);
        streams = ks;
        ks.start();
    }

    /** True once Kafka Streams runs (tasks assigned, stores restored). */
    public boolean ready() {
        KafkaStreams ks = streams;
        return ks != null && ks.state() == KafkaStreams.State.RUNNING;
    }

    /** False once Kafka Streams failed or was closed; true while starting, rebalancing or running. */
    public boolean healthy() {
        if (closed) {
            return false;
        }
        KafkaStreams ks = streams;
        return failure().isEmpty();
    }

    /**
     * Why the decider has stopped processing, once it has (a stream thread died, an output could not be written,
     * Kafka Streams is not running); empty while starting, rebalancing or running. Shown by {@code /healthy}.
     */
    public Optional<String> failure() {
        if (closed) {
            return Optional.of("closed");
        }
        Optional<String> failed = health.failure();
        if (failed.isPresent()) {
            return failed.map(why -> "decider stopped: " + why);
        }
        KafkaStreams ks = streams;
        if (ks == null || ks.state() == KafkaStreams.State.CREATED || ks.state().isRunningOrRebalancing()) {
            return Optional.empty();
        }
        return Optional.of("decider stopped: Kafka Streams is " + ks.state());
    }

    /** The exception and its root cause, on one line. */
    private static String describe(Throwable e) {
        Throwable root = e;
        for (int i = 0; root.getCause() != null && root.getCause() != root && i < 32; i++) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " (cause: " + root + ")";
    }

    /** The Streams instance, once started (for tools and tests). */
    public Optional<KafkaStreams> streams() {
        return Optional.ofNullable(streams);
    }

    /** {@code /nodes/} and {@code /incidents} query handlers, by the path prefix to mount them at. */
    public Map<String, HttpHandler> httpHandlers() {
        return queries.handlers();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        KafkaStreams ks = streams;
        if (ks != null) {
            // leaving the group hands this instance's tasks to the others at once, instead of after the session
            // timeout (docs/operations.md, "Failover")
            boolean stopped = ks.close(CloseOptions.timeout(CLOSE_TIMEOUT).withGroupMembershipOperation(
                    config.membership().leaveGroupOnClose() ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                            : CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));
            if (!stopped) {
                LOG.warn("decider streams did not stop within {}", CLOSE_TIMEOUT);
            }
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        LOG.info("decider stopped");
    }

    /** Verifies the inputs and creates (or verifies) the control topic; returns the inputs' partition counts. */
    private DeciderTopology.InputPartitions prepareTopics() {
        try (Admin admin = Admin.create(kafka.toMap())) {
            List<String> inputs = List.of(Topics.HALT_OBSERVATIONS.name(), Topics.NODE_OBSERVATIONS.name(),
                    Topics.OPERATOR_COMMANDS.name(), Topics.IMAGE_MAPPINGS.name());
            // every topic ACL before anything is read or written (docs/operations.md, ACLs); the prefixed ones
            // once the control topic (under the prefix) exists
            KafkaAccess.verifyTopics(admin, principal, Map.of(), ADMIN_TIMEOUT);
            Map<String, TopicDescription> described = admin.describeTopics(inputs).allTopicNames()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            int partitions = described.get(Topics.HALT_OBSERVATIONS.name()).partitions().size();
            for (String node : inputs.subList(1, 3)) {
                int n = described.get(node).partitions().size();
                if (n != partitions) {
                    throw new IllegalStateException("the decider's node-keyed inputs must have the same number of "
                            + "partitions so that one node's story lands in one task: "
                            + Topics.HALT_OBSERVATIONS.name() + " has " + partitions + ", " + node + " has " + n);
                }
            }
            if (config.partitions() != 0 && config.partitions() != partitions) {
                throw new IllegalStateException(DeciderConfig.ENV_PARTITIONS + "=" + config.partitions()
                        + " but " + Topics.HALT_OBSERVATIONS.name() + " has " + partitions + " partitions");
            }
            ensureControlTopic(admin, partitions);
            KafkaAccess.verifyTopics(admin, principal, Map.of(config.applicationId() + "-", config.controlTopic()),
                    ADMIN_TIMEOUT);
            return new DeciderTopology.InputPartitions(partitions,
                    described.get(Topics.IMAGE_MAPPINGS.name()).partitions().size());
        } catch (ExecutionException e) {
            Optional<String> denied = Acls.explain(principal, e);
            if (denied.isPresent()) {
                throw new IllegalStateException(denied.get(), e.getCause());
            }
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalStateException("the decider's input topics must exist before it starts: "
                        + e.getCause().getMessage(), e.getCause());
            }
            throw new IllegalStateException("cannot check the decider's topics: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + kafka.bootstrapServers() + " within "
                    + ADMIN_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the decider's topics", e);
        }
    }

    private void ensureControlTopic(Admin admin, int partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        String name = config.controlTopic();
        NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
            admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("created the decider control topic {} with {} partitions", name, partitions);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicAuthorizationException) {
                throw KafkaAccess.denied(principal, principal.acls().stream()
                        .filter(a -> a.operation() == AclOperation.CREATE).toList());
            }
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            int existing = admin.describeTopics(List.of(name)).allTopicNames()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(name).partitions().size();
            if (existing != partitions) {
                throw new IllegalStateException("the decider control topic " + name + " has " + existing
                        + " partitions but the inputs have " + partitions
                        + ": every node task must receive every control record");
            }
        }
    }
}
