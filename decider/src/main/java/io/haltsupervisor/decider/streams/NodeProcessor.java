package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderMetrics;
import io.haltsupervisor.decider.core.ControlEvent;
import io.haltsupervisor.decider.core.FleetEvent;
import io.haltsupervisor.decider.core.NodeState;
import io.haltsupervisor.decider.core.NodeStateMachine;
import io.haltsupervisor.decider.core.WaitKeys;

import io.haltsupervisor.decider.core.NodeState.Incident;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.NodeObservation;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.Partitioning;
import io.haltsupervisor.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IO side of {@link NodeStateMachine}: one instance per task. Loads a node's state, runs the
 * machine, stores the result and keeps the indexes in step with it (plan waiters, timers, open
 * incidents), all derived from the difference between the state before and after, so they cannot
 * drift from it. Also keeps this task's replica of the image mappings and the fleet breaker state
 * from the control topic, and fires due grace-window timers.
 */
public final class NodeProcessor implements Processor<String, NodeInput, String, Emit> {
    private static final Logger LOG = LoggerFactory.getLogger(NodeProcessor.class);
    private static final StringSerializer STRINGS = new StringSerializer();

    private final DeciderConfig config;
    private final DeciderMetrics metrics;
    private final NodeStateMachine machine;
    /** Partitions of the node-keyed input topics: a record must be on the one its key maps to. */
    private final int inputPartitions;

    private ProcessorContext<String, Emit> context;
    private KeyValueStore<String, NodeState> nodes;
    private KeyValueStore<String, ImageMappingChanged> mappings;
    private KeyValueStore<String, String> waiters;
    private KeyValueStore<String, String> timers;
    private KeyValueStore<String, String> openIncidents;
    private KeyValueStore<String, ControlEvent.FleetChanged> fleetView;
    private long nextDue = Long.MAX_VALUE;
    private final NodeStateMachine.Env env = new StoreEnv();
    /**
     * Read-through, write-through cache of {@code decider-node-state} for this task, so that the common case
     * (an observation that changes nothing) costs no deserialisation. Only this processor writes the store;
     * the cache is dropped whenever the task is (re)initialised, e.g. after its state was restored. Bounded by
     * starting over when full: a plain hash map, because an access-ordered one (LRU) relinks entries on every
     * read, which cost more than the lookup itself at 10,000 nodes (docs/benchmarks-history.md).
     */
    private final Map<String, NodeState> cache = new HashMap<>(4096);
    private static final int CACHE_CAPACITY = 100_000;
    /**
     * This task's {@code decider-mappings} in memory, in the store's key order (tens of plans): every halt
     * with a plan looks one up and every exit-code halt scans them, which from the store would deserialise
     * (and validate) each mapping each time. Loaded in {@link #init}, kept in step on every write.
     */
    private final TreeMap<String, ImageMappingChanged> mappingReplica =
            new TreeMap<>(ObjectStore.UTF8_ORDER);

    public NodeProcessor(DeciderConfig config, DeciderMetrics metrics) {
        this(config, metrics, 1);
    }

    /** @param inputPartitions partitions of the node-keyed input topics (co-partitioned; the decider checks at start) */
    NodeProcessor(DeciderConfig config, DeciderMetrics metrics, int inputPartitions) {
        if (inputPartitions < 1) {
            throw new IllegalArgumentException("inputPartitions must be >= 1, got " + inputPartitions);
        }
        this.inputPartitions = inputPartitions;
        this.config = config;
        this.metrics = metrics;
        this.machine = new NodeStateMachine(config.graceWindow(), config.dedupeRetention(),
                NodeStateMachine.HeightRule.of(config));
    }

    @Override
    public void init(ProcessorContext<String, Emit> ctx) {
        this.context = ctx;
        cache.clear();
        nodes = ctx.getStateStore(DeciderTopology.NODE_STATE_STORE);
        mappings = ctx.getStateStore(DeciderTopology.MAPPINGS_STORE);
        waiters = ctx.getStateStore(DeciderTopology.WAITERS_STORE);
        timers = ctx.getStateStore(DeciderTopology.TIMERS_STORE);
        openIncidents = ctx.getStateStore(DeciderTopology.OPEN_INCIDENTS_STORE);
        fleetView = ctx.getStateStore(DeciderTopology.FLEET_VIEW_STORE);
        nextDue = earliestTimer();
        mappingReplica.clear();
        try (KeyValueIterator<String, ImageMappingChanged> it = mappings.all()) {
            it.forEachRemaining(kv -> mappingReplica.put(kv.key, kv.value));
        }
        if (config.wallClockTimers()) {
            ctx.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::fireDue);
        }
    }

    @Override
    public void process(Record<String, NodeInput> record) {
        String key = record.key();
        long ts = record.timestamp();
        fireDue(Math.max(context.currentStreamTimeMs(), ts));
        NodeInput input = record.value();
        if (!(input instanceof NodeInput.Control)) {
            requirePartition(key);
        }
        if (input instanceof NodeInput.Halt halt) {
            HaltObserved h = requireValue(halt.value(), key, Topics.HALT_OBSERVATIONS.name());
            requireKey(key, h.nodeId(), Topics.HALT_OBSERVATIONS.name());
            NodeState before = load(key);
            apply(key, before, machine.onHalt(before, h, ts, env), "halt");
        } else if (input instanceof NodeInput.Observed observed) {
            NodeObservation o = requireValue(observed.value(), key, Topics.NODE_OBSERVATIONS.name());
            requireKey(key, o.nodeId(), Topics.NODE_OBSERVATIONS.name());
            NodeState before = load(key);
            apply(key, before, machine.onObservation(before, o, ts), "observation");
        } else if (input instanceof NodeInput.Command command) {
            OperatorCommandIssued c = requireValue(command.value(), key, Topics.OPERATOR_COMMANDS.name());
            requireKey(key, c.key(), Topics.OPERATOR_COMMANDS.name());
            if (c.fleet()) {
                metrics.input("command", "to-fleet");
                LOG.info("fleet command {} {} by {} forwarded to the fleet breaker", c.commandId(),
                        c.command().token(), c.by());
                context.forward(new Record<>(Topics.FLEET_KEY, new Emit.ToFleet(new FleetEvent.ReleaseRequested(c, ts)),
                        ts));
                return;
            }
            NodeState before = load(key);
            apply(key, before, machine.onCommand(before, c, ts, env), "command");
        } else if (input instanceof NodeInput.Control control) {
            onControl(Objects.requireNonNull(control.value(), "control event"), ts);
        } else {
            throw new IllegalStateException("unknown input " + input);
        }
    }

    private void onControl(ControlEvent event, long ts) {
        if (event instanceof ControlEvent.MappingChanged changed) {
            ImageMappingChanged m = changed.mapping();
            mappings.put(m.plan(), m);
            mappingReplica.put(m.plan(), m);
            metrics.input("mapping", "changed");
            List<String> waiting = waitingFor(WaitKeys.plan(m.plan()));
            if (m.upgradeHeight() != null) {
                waiting.addAll(waitingUpTo(m.upgradeHeight()));
            }
            for (String nodeId : waiting.stream().distinct().sorted().toList()) {
                NodeState before = load(nodeId);
                apply(nodeId, before, machine.onMappingAvailable(before, ts, env), "mapping " + m.plan());
            }
        } else if (event instanceof ControlEvent.MappingRemoved removed) {
            mappings.delete(removed.plan());
            mappingReplica.remove(removed.plan());
            metrics.input("mapping", "removed");
        } else if (event instanceof ControlEvent.FleetChanged fleet) {
            fleetView.put(Topics.FLEET_KEY, fleet);
            metrics.input("fleet", fleet.hold() ? "hold" : "release");
        }
    }

    /** Node ids registered under {@code prefix} in the waiter index (the index is per task: small). */
    private List<String> waitingFor(String prefix) {
        List<String> out = new ArrayList<>();
        try (KeyValueIterator<String, String> it = waiters.prefixScan(prefix, STRINGS)) {
            while (it.hasNext()) {
                out.add(it.next().key.substring(prefix.length()));
            }
        }
        return out;
    }

    /**
     * Node ids waiting for a plan by height whose first candidate height is at most {@code height}: a
     * mapping at that height may be the first upgrade past where they were last seen.
     */
    private List<String> waitingUpTo(long height) {
        List<String> out = new ArrayList<>();
        String from = WaitKeys.height(0);
        String to = WaitKeys.height(height) + Character.MAX_VALUE;
        try (KeyValueIterator<String, String> it = waiters.range(from, to)) {
            while (it.hasNext()) {
                String key = it.next().key;
                out.add(key.substring(key.indexOf('/') + 1));
            }
        }
        return out;
    }

    /** Fires every timer due at or before {@code now} (record time, or wall-clock time in punctuation). */
    private void fireDue(long now) {
        if (now < nextDue) {
            return;
        }
        // one pass in due-time order: the due timers, then the first one that is not due yet
        List<KeyValue<String, String>> due = new ArrayList<>();
        long next = Long.MAX_VALUE;
        try (KeyValueIterator<String, String> it = timers.all()) {
            while (it.hasNext()) {
                KeyValue<String, String> timer = it.next();
                long dueAt = Long.parseLong(timer.key.substring(0, 19));
                if (dueAt > now) {
                    next = dueAt;
                    break;
                }
                due.add(timer);
            }
        }
        nextDue = next;
        for (KeyValue<String, String> timer : due) {
            long dueAt = Long.parseLong(timer.key.substring(0, 19));
            String nodeId = timer.key.substring(20);
            timers.delete(timer.key);
            NodeState before = load(nodeId);
            apply(nodeId, before, machine.onTimer(before, dueAt), "timer");
        }
    }

    private long earliestTimer() {
        try (KeyValueIterator<String, String> it = timers.all()) {
            return it.hasNext() ? Long.parseLong(it.next().key.substring(0, 19)) : Long.MAX_VALUE;
        }
    }

    private NodeState load(String nodeId) {
        NodeState state = cache.get(nodeId);
        if (state == null) {
            state = nodes.get(nodeId);
            if (state != null) {
                remember(nodeId, state);
            }
        }
        return state;
    }

    private void remember(String nodeId, NodeState state) {
        if (cache.size() >= CACHE_CAPACITY && !cache.containsKey(nodeId)) {
            cache.clear();
        }
        cache.put(nodeId, state);
    }

    @Override
    public void close() {
        cache.clear();
        mappingReplica.clear();
    }

    private void apply(String nodeId, NodeState before, NodeStateMachine.Transition step, String input) {
        NodeState after = step.state();
        if (after != before && after != null && !after.equals(before)) {
            nodes.put(nodeId, after);
            remember(nodeId, after);
            syncIndexes(nodeId, before == null ? null : before.open(), after.open());
        }
        metrics.input(input, step.decisions().isEmpty() ? "no-decision" : "decided");
        for (Decision d : step.decisions()) {
            metrics.decision(d.kind());
            LOG.info("decision {} kind={} node={} incident={} ({})", d.decisionId(), d.kind(), d.nodeId(),
                    d.incidentId(), step.note());
            context.forward(new Record<>(d.key(), new Emit.Decided(d), d.decidedAt().toEpochMilli()));
        }
        for (FleetEvent e : step.fleetEvents()) {
            long at = e instanceof FleetEvent.Tripped t ? t.atMs() : context.currentStreamTimeMs();
            context.forward(new Record<>(Topics.FLEET_KEY, new Emit.ToFleet(e), at));
        }
        if (step.decisions().isEmpty() && LOG.isDebugEnabled()) {
            LOG.debug("node={} {}: {}", nodeId, input, step.note());
        }
    }

    private void syncIndexes(String nodeId, Incident before, Incident after) {
        String openBefore = before == null ? null : before.id();
        String openAfter = after == null ? null : after.id();
        if (!Objects.equals(openBefore, openAfter)) {
            if (openAfter == null) {
                openIncidents.delete(nodeId);
            } else {
                openIncidents.put(nodeId, openAfter);
            }
        }
        String waitBefore = before == null ? null : before.waitKey();
        String waitAfter = after == null ? null : after.waitKey();
        if (!Objects.equals(waitBefore, waitAfter)) {
            if (waitBefore != null) {
                waiters.delete(waitBefore + nodeId);
            }
            if (waitAfter != null) {
                waiters.put(waitAfter + nodeId, openAfter);
            }
        }
        String timerBefore = before == null || !before.timer().pending() ? null
                : timerKey(before.timer().dueAtMs(), nodeId);
        String timerAfter = after == null || !after.timer().pending() ? null
                : timerKey(after.timer().dueAtMs(), nodeId);
        if (!Objects.equals(timerBefore, timerAfter)) {
            if (timerBefore != null) {
                timers.delete(timerBefore);
            }
            if (timerAfter != null) {
                timers.put(timerAfter, openAfter);
                nextDue = Math.min(nextDue, after.timer().dueAtMs());
            }
        }
    }

    /** {@code %019d/%s}: due time zero-padded so that the store's key order is due-time order. */
    static String timerKey(long dueAtMs, String nodeId) {
        if (dueAtMs < 0) {
            return String.format(Locale.ROOT, "%019d/%s", dueAtMs, nodeId);
        }
        String digits = Long.toString(dueAtMs);
        StringBuilder key = new StringBuilder(20 + nodeId.length());
        for (int i = digits.length(); i < 19; i++) {
            key.append('0');
        }
        return key.append(digits).append('/').append(nodeId).toString();
    }

    /**
     * A node's records must all be on its partition, or this task (knowing nothing of the node) would open a second
     * incident for it. Skipped where there is no record metadata (the in-process replay, which checks as it reads).
     */
    private void requirePartition(String key) {
        if (key == null) {
            return; // rejected by the key check
        }
        Optional<RecordMetadata> metadata = context.recordMetadata();
        if (metadata.isEmpty() || metadata.get().partition() < 0) {
            return;
        }
        int partition = metadata.get().partition();
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (Partitioning.partitionOf(bytes, inputPartitions) != partition) {
            throw new MisroutedRecordException(Partitioning.misrouted(metadata.get().topic(), partition, bytes,
                    inputPartitions).orElseThrow());
        }
    }

    private static <T> T requireValue(T value, String key, String topic) {
        if (value == null) {
            throw new RejectedRecordException("record with key '" + key + "' on " + topic
                    + " has no value: expected a JSON event, got a tombstone");
        }
        return value;
    }

    private static void requireKey(String key, String expected, String topic) {
        if (!expected.equals(key)) {
            throw new RejectedRecordException("record on " + topic + " is keyed '" + key
                    + "' but is about '" + expected + "': expected the key to be the node id (or "
                    + Topics.FLEET_KEY + " for a fleet command)");
        }
    }

    /** Lookups the state machine may make, backed by this task's stores. */
    private final class StoreEnv implements NodeStateMachine.Env {
        @Override
        public Optional<ImageMappingChanged> mapping(String plan) {
            return Optional.ofNullable(mappingReplica.get(plan));
        }

        @Override
        public Optional<ImageMappingChanged> firstMappingFrom(long height) {
            // Mappings are per plan: tens, not thousands. Iteration is in plan order, so the choice is stable.
            ImageMappingChanged best = null;
            for (ImageMappingChanged m : mappingReplica.values()) {
                if (m.upgradeHeight() != null && m.upgradeHeight() >= height
                        && (best == null || m.upgradeHeight() < best.upgradeHeight())) {
                    best = m;
                }
            }
            return Optional.ofNullable(best);
        }

        @Override
        public Optional<String> fleetHold() {
            ControlEvent.FleetChanged fleet = fleetView.get(Topics.FLEET_KEY);
            return fleet != null && fleet.hold() ? Optional.of(fleet.incidentId()) : Optional.empty();
        }
    }
}
