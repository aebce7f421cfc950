package io.haltsupervisor.actuator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.actuator.kube.DisruptionGate;
import io.haltsupervisor.actuator.kube.KubeStepExecutor;
import io.haltsupervisor.actuator.kube.KubeTargets;
import io.haltsupervisor.actuator.page.AlertmanagerClient;
import io.haltsupervisor.actuator.page.Pagers;
import io.haltsupervisor.actuator.plan.PagerSink;
import io.haltsupervisor.actuator.plan.Step.PageStep;
import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.KafkaAccess;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.LogThrottle;
import io.haltsupervisor.schemas.Partitioning;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actuator: consumes {@code seid.decisions.v1} (read-committed), carries out each decision's plan on
 * the cluster and the pagers, and records one action result per step in {@code seid.action-results.v1}.
 *
 * <p>Exactly-once where it can be, idempotent where it cannot (see {@code DESIGN.md}, "Idempotence and crash
 * windows" and "Concurrency"): before consuming, the results topic is read to its end (read-committed) to learn which
 * steps already have a final outcome. A decision's results are committed in as few transactions as its effects
 * allow — a page's result before the decision's next step acts, the rest with the decision's offset when it ends —
 * and a partition's offset only up to its lowest decision not fully recorded. A crash between acting and recording
 * re-runs the unrecorded steps, whose executors find their changes already made.
 *
 * <p>Decisions of different nodes run concurrently, decisions of one node in order ({@link NodeLanes}, at most
 * {@code ACTUATOR_CONCURRENCY} at a time; a fleet decision runs alone). One thread polls the decisions consumer and
 * dispatches; the lanes share one transactional producer through {@link GroupCommit}, which writes what they hand in
 * meanwhile in one transaction, with the offsets {@link OffsetTracker} says are fully recorded. After a Kafka error
 * the session (clients, lanes, index) is rebuilt with backoff. An {@link Error} stops the actuator and makes it
 * unhealthy.
 */
public final class ActuatorService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActuatorService.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The results producer's {@code transaction.timeout.ms} (Kafka's default 60 s): how long a transaction left open
     * by a replica that died (its decision offsets pending) holds up the next owner of those partitions, when the
     * same pod does not come back to abort it. A transaction here lasts milliseconds (its records are built before it
     * begins), but a commit held up by a broker failover must outlast it, or the broker aborts it and the session is
     * rebuilt: 10 s did that once in six broker kills (a broker that was also the active controller: writes stalled
     * 12–13 s); 30 s is twice the longest stall measured (docs/operations.md, "Failover").
     */
    static final int TRANSACTION_TIMEOUT_MS = 30_000;
    private static final Duration ACL_CHECK_TIMEOUT = Duration.ofSeconds(20);
    private static final int UNHEALTHY_AFTER_FAILURES = 5;
    private static final String COMPONENT = "actuator";
    private static final int MAX_PENDING_DEAD_LETTERS = 500;
    private static final LogThrottle DEAD_LETTER_LOG = new LogThrottle(20);
    private static final long MAX_PENDING_NANOS = Duration.ofMillis(200).toNanos();

    private final ActuatorConfig config;
    private final KafkaClientConfig kafka;
    private final Acls.Principal principal;
    private final ActuatorMetrics metrics;
    private final KubernetesClient kubernetes;
    private final KubeTargets targets;
    private final Clock clock;
    private final Sleeper sleeper;
    private final StepHook hook;
    private final RateLimiter rateLimiter;
    private final Pagers pagers;
    private final HttpClient http;
    private final ExecutorService httpExecutor;
    private volatile ResultsIndex currentIndex;

    private final Object lifecycle = new Object();
    private Thread worker;
    private volatile boolean closing;
    private volatile boolean ready;
    private volatile boolean fatal;
    private volatile String fatalReason;
    private volatile String lastFailure;
    private volatile int consecutiveFailures;
    private volatile KafkaConsumer<String, byte[]> currentConsumer;
    private volatile NodeLanes currentLanes;

    /**
     * @param kubernetes used for its configuration only (server, credentials, TLS): the actuator makes its own
     *                   client from it with fabric8's request retries off, since it retries and records every
     *                   attempt itself; the caller keeps and closes {@code kubernetes}
     */
    public ActuatorService(ActuatorConfig config, KafkaClientConfig kafka, MeterRegistry registry,
            KubernetesClient kubernetes) {
        this(config, kafka, registry, kubernetes, Clock.systemUTC(), Sleeper.SYSTEM, StepHook.NONE);
    }

    ActuatorService(ActuatorConfig config, KafkaClientConfig kafka, MeterRegistry registry, KubernetesClient kubernetes,
            Clock clock, Sleeper sleeper, StepHook hook) {
        this.config = config;
        this.kafka = kafka;
        this.principal = Acls.actuator("actuator", config.groupId());
        this.metrics = new ActuatorMetrics(registry, config.pagerSinks());
        this.kubernetes = KubeTargets.actuatorClient(kubernetes, config.httpTimeout());
        this.targets = new KubeTargets(this.kubernetes);
        this.clock = clock;
        this.sleeper = sleeper;
        this.hook = hook;
        this.rateLimiter = new RateLimiter(config.rateLimitPerMinute(), config.rateLimitBurst(),
                config.rateLimitMaxWait(), System::nanoTime);
        this.httpExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "actuator-http");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().connectTimeout(config.httpTimeout()).executor(httpExecutor)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.pagers = new Pagers(config, http, clock);
        Gauge.builder("halt_supervisor.actuator.results.index.size", () -> {
            ResultsIndex index = currentIndex;
            return index == null ? 0 : index.size();
        })
                .description("Steps with a final outcome known to this actuator").register(registry);
        Gauge.builder("halt_supervisor.actuator.pagers.configured", () -> config.pagerSinks().size())
                .description("Pager sinks configured (0: pages cannot be delivered)").register(registry);
        Gauge.builder("halt_supervisor.actuator.dry.run", () -> config.dryRun() ? 1 : 0)
                .description("1 when the actuator only records what it would do").register(registry);
        Gauge.builder("halt_supervisor.actuator.decisions.in.flight", () -> {
            NodeLanes lanes = currentLanes;
            return lanes == null ? 0 : lanes.pending();
        }).description("Decisions running or waiting for their node's earlier decisions").register(registry);
        Gauge.builder("halt_supervisor.actuator.concurrency", config::concurrency)
                .description("Nodes acted on at once at most (ACTUATOR_CONCURRENCY)").register(registry);
    }

    /**
     * Detects the target kind (SeiNode CRD or not), warns loudly when no pager is configured, and starts
     * the worker thread.
     *
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the CRD cannot be read (RBAC)
     */
    public void start() {
        synchronized (lifecycle) {
            if (worker != null) {
                throw new IllegalStateException("the actuator is already started");
            }
            LOG.info("Starting the actuator: {}", config);
            targets.detect();
            checkTopicAcls();
            if (config.pagerSinks().isEmpty()) {
                LOG.warn("!!! NO PAGER CONFIGURED: pages cannot reach anyone. Every page step will be recorded as"
                        + " failed. Set {} (or {}{}), {} or {}. !!!", ActuatorConfig.PAGERDUTY_ROUTING_KEY,
                        ActuatorConfig.PAGERDUTY_ROUTING_KEY, ActuatorConfig.FILE_SUFFIX,
                        ActuatorConfig.ALERTMANAGER_URLS, ActuatorConfig.WEBHOOK_URL);
            }
            if (config.dryRun()) {
                LOG.warn("Dry-run: the actuator records what it would do and changes nothing, pages no one");
            }
            worker = new Thread(this::work, "actuator");
            worker.setDaemon(true);
            worker.start();
        }
    }

    /**
     * Fails the start, naming each missing ACL, when Kafka would refuse one of the actuator's topic operations: so
     * it never changes a cluster it then cannot record the change of (docs/operations.md, ACLs).
     */
    private void checkTopicAcls() {
        Map<String, Object> props = kafka.toMap();
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, config.groupId() + "-" + config.instance() + "-admin");
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ACL_CHECK_TIMEOUT.toMillis());
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ACL_CHECK_TIMEOUT.toMillis() / 2);
        try (Admin admin = Admin.create(props)) {
            KafkaAccess.verifyTopics(admin, principal, Map.of(), ACL_CHECK_TIMEOUT);
        }
    }

    /** True once the results index is rebuilt and decisions are being consumed. */
    public boolean ready() {
        return ready && !closing;
    }

    /** False after a fatal error, or while Kafka sessions keep failing. */
    public boolean healthy() {
        return failure().isEmpty();
    }

    /**
     * Why the actuator cannot go on, when it cannot: a fatal error stopped its loop, or its Kafka session keeps
     * failing ({@value #UNHEALTHY_AFTER_FAILURES} in a row). Shown by {@code /healthy}.
     */
    public Optional<String> failure() {
        if (fatal) {
            return Optional.of("actuator stopped: " + fatalReason);
        }
        if (consecutiveFailures >= UNHEALTHY_AFTER_FAILURES) {
            return Optional.of("actuator: its Kafka session failed " + consecutiveFailures + " times in a row, last: "
                    + lastFailure);
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            if (closing) {
                return;
            }
            closing = true;
            t = worker;
        }
        ready = false;
        KafkaConsumer<String, byte[]> consumer = currentConsumer;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (t != null) {
            try {
                t.join(CLOSE_TIMEOUT.toMillis());
                if (t.isAlive()) {
                    t.interrupt();
                    t.join(CLOSE_TIMEOUT.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        httpExecutor.shutdownNow();
        kubernetes.close();
        LOG.info("Actuator stopped");
    }

    private void work() {
        while (!closing) {
            try (Session session = new Session()) {
                session.run();
                consecutiveFailures = 0;
            } catch (InterruptedException | WakeupException e) {
                if (!closing) {
                    LOG.warn("Actuator interrupted while running; stopping");
                }
                return;
            } catch (Exception e) {
                if (closing) {
                    return;
                }
                Optional<String> denied = Acls.explain(principal, e);
                if (denied.isPresent()) {
                    // retrying cannot help until someone changes the ACLs or credentials: stop, unhealthy
                    fatal = true;
                    LOG.error("Actuator stopped: {}", denied.get(), e);
                    return;
                }
                consecutiveFailures++;
                lastFailure = e.toString();
                metrics.sessionRestart();
                Duration backoff = config.retry().backoff(Math.min(consecutiveFailures, 10),
                        ThreadLocalRandom.current()::nextDouble);
                LOG.error("Actuator Kafka session failed ({} in a row); restarting in {} ms", consecutiveFailures,
                        backoff.toMillis(), e);
                try {
                    sleeper.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (Error e) {
                fatalReason = e.toString();
                fatal = true;
                LOG.error("Actuator stopped by a fatal error; it is unhealthy until restarted", e);
                return;
            } finally {
                ready = false;
            }
        }
    }

    /**
     * The Kafka clients, the index, the lanes and the committer of one run; rebuilt after an error. The consuming
     * thread polls, checks and dispatches; decisions run on the lanes ({@link NodeLanes}); their results go through
     * {@link GroupCommit} with the offsets {@link OffsetTracker} says are fully recorded.
     */
    private final class Session implements AutoCloseable, ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> decisions;
        private final KafkaConsumer<String, byte[]> results;
        private final KafkaProducer<String, byte[]> producer;
        private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();
        private final ResultsIndex index = new ResultsIndex();
        private final Set<TopicPartition> assigned = new HashSet<>();
        private final Set<TopicPartition> paused = new HashSet<>();
        private final StepExecutor executor;
        private final OffsetTracker offsets = new OffsetTracker();
        private final GroupCommit commits;
        private final NodeLanes lanes;
        private final int maxInFlight;
        private volatile ConsumerGroupMetadata groupMetadata;
        private volatile RuntimeException laneFailure;
        private volatile Error laneError;
        private volatile boolean sessionClosing;
        private int decisionPartitions;
        private int pendingDeadLetters;
        private long pendingSince;
        private Instant nextResend = Instant.MIN;
        /** Held by an Alertmanager page step and by the periodic re-send of active alerts: one at a time. */
        private final Object alertmanagerPosts = new Object();

        Session() {
            KafkaConsumer<String, byte[]> d = null;
            KafkaConsumer<String, byte[]> r = null;
            KafkaProducer<String, byte[]> p = null;
            try {
                Map<String, Object> consumerProps = kafka.toMap();
                consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
                consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + "-" + config.instance());
                consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
                consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
                consumerProps.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 900_000);
                // failover (docs/operations.md, "Failover"): a dead replica's partitions move after the session
                // timeout; client settings (KAFKA_CLIENT_*) win
                config.membership().consumerProperties("").forEach(consumerProps::putIfAbsent);
                d = new KafkaConsumer<>(consumerProps, Topics.DECISIONS.keySerde().deserializer(),
                        new ByteArrayDeserializer());

                Map<String, Object> resultsProps = kafka.toMap();
                resultsProps.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + "-" + config.instance()
                        + "-results");
                resultsProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                resultsProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
                resultsProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                r = new KafkaConsumer<>(resultsProps, Topics.ACTION_RESULTS.keySerde().deserializer(),
                        new ByteArrayDeserializer());

                Map<String, Object> producerProps = kafka.toMap();
                producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, config.transactionalId());
                producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
                producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
                producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
                // a replica that dies inside a transaction (its decision offsets pending) blocks the next owner's
                // offset fetch of those partitions until the broker aborts it, after this timeout (Kafka's producer
                // default is 60 s; docs/operations.md, "Failover"); KAFKA_CLIENT_TRANSACTION_TIMEOUT_MS wins
                producerProps.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
                p = new KafkaProducer<>(producerProps, new StringSerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer());
            } catch (RuntimeException e) {
                closeQuietly(d, r, p, CloseOptions.GroupMembershipOperation.DEFAULT);
                throw e;
            }
            decisions = d;
            results = r;
            producer = p;
            for (AutoCloseable c : List.<AutoCloseable>of(decisions, results, producer)) {
                KafkaClientMetrics m = c instanceof KafkaProducer<?, ?> kp ? new KafkaClientMetrics(kp)
                        : new KafkaClientMetrics((KafkaConsumer<?, ?>) c);
                m.bindTo(metrics.registry());
                clientMetrics.add(m);
            }
            DisruptionGate gate = what -> {
                Duration wait = rateLimiter.reserve();
                if (wait == null) {
                    return Optional.of("rate limit of " + rateLimiter + " exceeded (ACTUATOR_RATE_LIMIT_PER_MINUTE):"
                            + " " + what + " refused");
                }
                sleeper.sleep(wait);
                return Optional.empty();
            };
            KubeStepExecutor kube = new KubeStepExecutor(targets, config.containerName(), config.policy(), gate, clock,
                    config.instance(), config.httpTimeout(), config.rollout());
            executor = (decision, step) -> {
                if (step instanceof PageStep page) {
                    if (page.sink() != PagerSink.ALERTMANAGER) {
                        return pagers.execute(page);
                    }
                    synchronized (alertmanagerPosts) { // not between a re-send's read of the active alerts and its post
                        return pagers.execute(page);
                    }
                }
                return kube.execute(decision, step);
            };
            currentIndex = index;
            commits = new GroupCommit(transactor(), offsets, metrics::transaction);
            maxInFlight = config.concurrency() * 4;
            lanes = new NodeLanes(config.concurrency(), maxInFlight, "actuator-lane");
            currentLanes = lanes;
        }

        private GroupCommit.Transactor transactor() {
            return new GroupCommit.Transactor() {
                @Override
                public void begin() {
                    producer.beginTransaction();
                }

                @Override
                public void send(ProducerRecord<String, byte[]> record) {
                    producer.send(record);
                }

                @Override
                public void offsets(Map<TopicPartition, OffsetAndMetadata> next) {
                    producer.sendOffsetsToTransaction(next, groupMetadata);
                }

                @Override
                public void commit() {
                    producer.commitTransaction();
                }

                @Override
                public void abort() {
                    producer.abortTransaction();
                }
            };
        }

        void run() throws InterruptedException {
            producer.initTransactions();
            catchUpResults();
            currentConsumer = decisions;
            if (closing) {
                return;
            }
            decisions.subscribe(List.of(Topics.DECISIONS.name()), this);
            while (!closing) {
                pauseWideSpans();
                ConsumerRecords<String, byte[]> records = decisions.poll(POLL);
                groupMetadata = decisions.groupMetadata();
                checkLanes();
                ready = true;
                consecutiveFailures = 0;
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (closing) {
                        return;
                    }
                    if (!assigned.contains(new TopicPartition(record.topic(), record.partition()))) {
                        continue;
                    }
                    handle(record, decisionPartitions());
                }
                if (records.isEmpty() || pendingDeadLetters >= MAX_PENDING_DEAD_LETTERS
                        || System.nanoTime() - pendingSince > MAX_PENDING_NANOS) {
                    commitPendingDeadLetters();
                }
                resendAlertsIfDue();
            }
        }

        /**
         * Pauses a partition whose decisions in flight span {@link OffsetTracker#MAX_SPAN} offsets (one slow decision
         * holds its commit point while later ones finish: this bounds what the commit's metadata lists), and resumes
         * it when the span narrows.
         */
        private void pauseWideSpans() {
            for (TopicPartition tp : assigned) {
                boolean wide = offsets.span(tp) >= OffsetTracker.MAX_SPAN;
                if (wide && paused.add(tp)) {
                    decisions.pause(List.of(tp));
                    LOG.warn("Decisions of {} paused: {} offsets between its oldest decision still running and its"
                            + " newest", tp, offsets.span(tp));
                } else if (!wide && paused.remove(tp)) {
                    decisions.resume(List.of(tp));
                    LOG.info("Decisions of {} resumed", tp);
                }
            }
        }

        /** A lane's recording failed, it hit an Error, or the partitions were lost: the session is rebuilt. */
        private void checkLanes() {
            Error fatalError = laneError;
            if (fatalError != null) {
                throw fatalError;
            }
            RuntimeException f = laneFailure;
            if (f != null) {
                throw f;
            }
        }

        /** Stops the session as a crash would: nothing more is committed, no lane starts another step. */
        private void laneFailed(RuntimeException e) {
            if (laneFailure == null) {
                laneFailure = e;
            }
            commits.breakWith(e);
        }

        private void handle(ConsumerRecord<String, byte[]> record, int partitions) throws InterruptedException {
            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
            if (offsets.alreadyDone(tp, record.offset())) {
                // fully recorded by an earlier session (the commit's metadata says so): running it again could plan
                // differently (later decisions of its node are recorded too)
                LOG.info("Decision record at {}@{} was fully recorded before: not run again", tp, record.offset());
                return;
            }
            byte[] keyBytes = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
            Optional<String> misrouted = Partitioning.misrouted(record.topic(), record.partition(), keyBytes,
                    partitions);
            if (misrouted.isPresent()) {
                // another replica may hold this node's partition and run its decisions: never act out of its order
                deadLetter(record, DeadLetterRecorded.Category.MISROUTED, new IllegalArgumentException(misrouted.get()));
                return;
            }
            Decision decision;
            try {
                decision = Topics.DECISIONS.valueSerde().deserializer().deserialize(record.topic(), record.value());
            } catch (RuntimeException e) {
                deadLetter(record, DeadLetterRecorded.categoryOfReadError(e), e);
                return;
            }
            if (decision == null) {
                deadLetter(record, DeadLetterRecorded.Category.REJECTED, new IllegalArgumentException("record with key '"
                        + record.key() + "' on " + record.topic() + " has no value: expected a decision, got a tombstone"));
                return;
            }
            if (!decision.key().equals(record.key())) {
                deadLetter(record, DeadLetterRecorded.Category.REJECTED, new IllegalArgumentException("record on "
                        + record.topic() + " is keyed '" + record.key() + "' but decision " + decision.decisionId()
                        + " is about '" + decision.key() + "': expected the key to be the node id (or "
                        + Topics.FLEET_KEY + " for a fleet decision)"));
                return;
            }
            boolean fleet = decision.nodeId() == null;
            if (fleet) {
                lanes.awaitIdle(); // a fleet decision runs alone: it may act on any node
                checkLanes();
            }
            lanes.awaitAtMost(maxInFlight - 1);
            checkLanes();
            offsets.dispatched(tp, record.offset());
            lanes.submit(decision.key(), () -> runDecision(record, decision));
            if (fleet) {
                lanes.awaitIdle();
                checkLanes();
            }
        }

        /** On a lane: runs the decision, then commits its last results with its offset. */
        private void runDecision(ConsumerRecord<String, byte[]> record, Decision decision) {
            if (laneFailure != null || closing) {
                return; // the session is going away: the decision is consumed again by the next one
            }
            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
            LaneSink sink = new LaneSink();
            DecisionRunner runner = new DecisionRunner(config, index, targets::kindOf, actingWhileHealthy(), sink,
                    sleeper, clock, ThreadLocalRandom.current()::nextDouble, hook, metrics);
            try {
                runner.run(decision);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // closing
                return;
            } catch (RecordingFailedException e) {
                laneFailed(e);
                return;
            } catch (Error e) {
                // as if the process died here: nothing more is written, the actuator stops (unhealthy)
                laneError = e;
                laneFailed(new IllegalStateException("a decision lane hit a fatal error: " + e, e));
                return;
            } catch (RuntimeException e) {
                // a decision the actuator cannot even plan (a bug): keep it, do not loop on it
                LOG.error("Decision {} for node {} incident {} could not be run; sent to {}", decision.decisionId(),
                        decision.nodeId(), decision.incidentId(), Topics.DEAD_LETTERS.name(), e);
                List<ProducerRecord<String, byte[]>> out = new ArrayList<>(sink.drain());
                out.add(deadLetterRecord(record, DeadLetterRecorded.Category.FAILED, e));
                try {
                    commits.submit(out, tp, record.offset());
                    metrics.deadLetter();
                } catch (RuntimeException f) {
                    laneFailed(f);
                }
                return;
            }
            try {
                commits.submit(sink.drain(), tp, record.offset());
            } catch (RuntimeException e) {
                laneFailed(e);
            }
        }

        /** The executor, refusing to act once the session is failing: a crash acts on nothing after it. */
        private StepExecutor actingWhileHealthy() {
            return (decision, step) -> {
                RuntimeException f = laneFailure;
                if (f != null || sessionClosing) {
                    throw new RecordingFailedException(f != null ? f : new IllegalStateException("session closing"));
                }
                return executor.execute(decision, step);
            };
        }

        /**
         * One decision's results not written yet. The runner flushes them after a page step (a page's result is
         * committed before the decision's next step acts) and before it backs off; the rest are committed with the
         * decision's offset when it ends ({@link #runDecision}).
         */
        private final class LaneSink implements ResultSink {
            private final List<ActionResultRecorded> held = new ArrayList<>();
            private final List<OperatorCommandIssued> holds = new ArrayList<>();

            @Override
            public void record(ActionResultRecorded result) {
                held.add(result);
            }

            @Override
            public void hold(OperatorCommandIssued command) {
                holds.add(command);
            }

            @Override
            public void flush() {
                if (held.isEmpty() && holds.isEmpty()) {
                    return;
                }
                try {
                    commits.submit(drain(), null, -1);
                } catch (RuntimeException e) {
                    throw new RecordingFailedException(e);
                }
            }

            List<ProducerRecord<String, byte[]>> drain() {
                List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
                for (ActionResultRecorded r : held) {
                    out.add(new ProducerRecord<>(Topics.ACTION_RESULTS.name(), r.key(),
                            Topics.ACTION_RESULTS.valueSerde().serializer().serialize(Topics.ACTION_RESULTS.name(), r)));
                }
                held.clear();
                for (OperatorCommandIssued c : holds) {
                    out.add(new ProducerRecord<>(Topics.OPERATOR_COMMANDS.name(), c.key(),
                            Topics.OPERATOR_COMMANDS.valueSerde().serializer().serialize(
                                    Topics.OPERATOR_COMMANDS.name(), c)));
                }
                holds.clear();
                return out;
            }
        }

        /**
         * Queues the record's dead letter (within its budget, so it always fits) with its offset: committed with the
         * next transaction (see {@link #commitPendingDeadLetters}).
         */
        private void deadLetter(ConsumerRecord<String, byte[]> record, DeadLetterRecorded.Category category,
                RuntimeException error) {
            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
            offsets.dispatched(tp, record.offset());
            commits.enqueue(List.of(deadLetterRecord(record, category, error)), tp, record.offset());
            if (pendingDeadLetters++ == 0) {
                pendingSince = System.nanoTime();
            }
            metrics.deadLetter();
        }

        private ProducerRecord<String, byte[]> deadLetterRecord(ConsumerRecord<String, byte[]> record,
                DeadLetterRecorded.Category category, RuntimeException error) {
            byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
            DeadLetterRecorded dl = DeadLetterRecorded.of(record.topic(), record.partition(), record.offset(),
                    record.timestamp() < 0 ? null : Instant.ofEpochMilli(record.timestamp()), key, record.value(),
                    category, error, COMPONENT, clock.instant());
            long held = DEAD_LETTER_LOG.admit(clock.millis());
            if (held >= 0) {
                LOG.warn("Decision record at {}-{}@{} ({}, {} bytes) sent to {}: {}{}", record.topic(),
                        record.partition(), record.offset(), category.name(),
                        record.value() == null ? "no" : record.value().length, Topics.DEAD_LETTERS.name(), dl.error(),
                        held == 0 ? "" : " (" + held + " more sent without a log line)");
            }
            ProducerRecord<byte[], byte[]> letter = dl.toProducerRecord(key);
            return new ProducerRecord<>(letter.topic(), null, letter.timestamp(),
                    letter.key() == null ? null : record.key(), letter.value());
        }

        /**
         * Commits the dead letters queued since the last commit (with their offsets) in one transaction: a run of
         * poison costs one commit, not one per record. Called when a poll returns nothing, at least every
         * {@value #MAX_PENDING_DEAD_LETTERS} dead letters or 200 ms, and before partitions are revoked; a lane's
         * transaction takes them along too. A crash before it loses them, and they are written again.
         */
        private void commitPendingDeadLetters() {
            if (pendingDeadLetters == 0) {
                return;
            }
            pendingDeadLetters = 0;
            commits.flush();
        }

        /** Partitions of the decisions topic (from the consumer's metadata cache). */
        private int decisionPartitions() {
            if (decisionPartitions < 1) {
                List<PartitionInfo> infos = decisions.partitionsFor(Topics.DECISIONS.name());
                decisionPartitions = infos == null ? 0 : infos.size();
                if (decisionPartitions < 1) {
                    throw new IllegalStateException("topic " + Topics.DECISIONS.name() + " has no partitions");
                }
            }
            return decisionPartitions;
        }

        /** Reads the action-results topic, read-committed, up to its current end. */
        private void catchUpResults() {
            List<PartitionInfo> infos = results.partitionsFor(Topics.ACTION_RESULTS.name());
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.ACTION_RESULTS.name() + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            if (!results.assignment().containsAll(partitions)) {
                results.assign(partitions);
                results.seekToBeginning(partitions);
            }
            Map<TopicPartition, Long> end = results.endOffsets(partitions);
            long read = 0;
            long bad = 0;
            long begin = System.nanoTime();
            while (!caughtUp(end)) {
                if (closing) {
                    return;
                }
                for (ConsumerRecord<String, byte[]> r : results.poll(POLL)) {
                    try {
                        ActionResultRecorded result = Topics.ACTION_RESULTS.valueSerde().deserializer()
                                .deserialize(r.topic(), r.value());
                        if (result != null) {
                            index.apply(result);
                            read++;
                        }
                    } catch (RuntimeException e) {
                        bad++;
                        LOG.warn("Unreadable action result at {}-{}@{} ignored for the index: {}", r.topic(),
                                r.partition(), r.offset(), e.getMessage());
                    }
                }
            }
            LOG.info("Action results read to their end in {} ms: {} new result(s), {} unreadable; {} step(s) with a"
                    + " final outcome, {} resolved incident(s)", Duration.ofNanos(System.nanoTime() - begin).toMillis(),
                    read, bad, index.size(), index.resolvedIncidents().size());
        }

        private boolean caughtUp(Map<TopicPartition, Long> end) {
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                if (results.position(e.getKey()) < e.getValue()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            groupMetadata = decisions.groupMetadata();
            assigned.addAll(partitions);
            decisionPartitions = 0; // partitions may have been added: read the count again
            LOG.info("Decision partitions assigned: {}", partitions);
            // which decisions above each committed offset were fully recorded (the commit's metadata)
            Map<TopicPartition, OffsetAndMetadata> committed = partitions.isEmpty() ? Map.of()
                    : decisions.committed(new HashSet<>(partitions));
            for (TopicPartition tp : partitions) {
                try {
                    offsets.seed(tp, committed.get(tp));
                } catch (IllegalArgumentException e) {
                    LOG.warn("Decisions of {}: {}; every decision from the committed offset on is run (recorded steps"
                            + " are skipped)", tp, e.getMessage());
                }
            }
            // results for these partitions may have been written by the replica that held them before
            catchUpResults();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (sessionClosing) {
                // the consumer is closing (the lanes are stopped): leave the group at once
                return;
            }
            // while this member still owns their offsets: the decisions running finish and commit, then the rest
            try {
                lanes.awaitIdle();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new org.apache.kafka.common.errors.InterruptException(e);
            }
            checkLanes();
            commitPendingDeadLetters();
            commits.flush();
            offsets.forget(partitions);
            assigned.removeAll(partitions);
            paused.removeAll(partitions);
            LOG.info("Decision partitions revoked: {}", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // their offsets can no longer be committed by this member, and decisions of theirs may be running: the
            // session is rebuilt, the next owner redoes what was not recorded
            assigned.removeAll(partitions);
            paused.removeAll(partitions);
            LOG.info("Decision partitions lost: {}", partitions);
            laneFailed(new IllegalStateException("decision partitions " + partitions + " were lost"));
        }

        private void resendAlertsIfDue() throws InterruptedException {
            Optional<AlertmanagerClient> am = pagers.alertmanager();
            if (am.isEmpty() || config.dryRun() || assigned.isEmpty()) {
                return;
            }
            Instant now = clock.instant();
            if (now.isBefore(nextResend)) {
                return;
            }
            nextResend = now.plus(config.alertmanager().orElseThrow().resendInterval());
            List<PartitionInfo> infos = decisions.partitionsFor(Topics.DECISIONS.name());
            int partitions = infos.size();
            Set<Integer> owned = new HashSet<>();
            assigned.forEach(tp -> owned.add(tp.partition()));
            Map<String, Boolean> cache = new HashMap<>();
            try {
                AlertmanagerClient.Resent r;
                // alone with the lanes' Alertmanager pages: a resolve posted between this read of the active alerts
                // and the re-post would be undone by it
                synchronized (alertmanagerPosts) {
                    r = am.get().resend(key -> cache.computeIfAbsent(key,
                            k -> owned.contains(partitionOf(k, partitions))), index::pageEnded);
                }
                metrics.alertmanagerResend("ok");
                if (r.refreshed() + r.resolved() > 0) {
                    LOG.info("Alertmanager re-send: {} active alert(s) refreshed, {} of resolved incidents resolved"
                            + " again, {} owned by other replicas", r.refreshed(), r.resolved(), r.skipped());
                }
            } catch (RuntimeException e) {
                metrics.alertmanagerResend("failed");
                LOG.warn("Alertmanager re-send failed (alerts stay active until their endsAt): {}", e.getMessage());
            }
        }

        @Override
        public void close() {
            sessionClosing = true;
            currentConsumer = null;
            currentLanes = null;
            // running decisions are interrupted; what they did not record is redone by the next session
            commits.breakWith(new IllegalStateException("the actuator session is closing"));
            lanes.close();
            clientMetrics.forEach(KafkaClientMetrics::close);
            closeQuietly(decisions, results, producer, config.membership().leaveGroupOnClose()
                    ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                    : CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
        }
    }

    /** Kafka's default partitioner for a keyed record: the partition a node's decisions are on. */
    static int partitionOf(String key, int partitions) {
        return Partitioning.partitionOf(key, partitions);
    }

    /** Closes the clients; {@code membership} says whether the decisions consumer leaves its group on the way. */
    private static void closeQuietly(KafkaConsumer<?, ?> d, KafkaConsumer<?, ?> r, KafkaProducer<?, ?> p,
            CloseOptions.GroupMembershipOperation membership) {
        for (AutoCloseable c : new AutoCloseable[] {d, r, p}) {
            if (c == null) {
                continue;
            }
            try {
                if (c instanceof KafkaProducer<?, ?> kp) {
                    kp.close(CLOSE_TIMEOUT);
                } else {
                    ((KafkaConsumer<?, ?>) c).close(CloseOptions.timeout(CLOSE_TIMEOUT)
                            .withGroupMembershipOperation(c == d ? membership
                                    : CloseOptions.GroupMembershipOperation.DEFAULT));
                }
            } catch (RuntimeException e) {
                LOG.debug("Closing a Kafka client failed", e);
            }
        }
    }
}

