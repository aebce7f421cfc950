package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderMetrics;
import io.haltsupervisor.decider.core.ControlEvent;
import io.haltsupervisor.decider.core.FleetBreaker;
import io.haltsupervisor.decider.core.FleetEvent;
import io.haltsupervisor.decider.core.NodeState;
import io.haltsupervisor.decider.replay.InProcessTopology;
import io.haltsupervisor.decider.service.DeciderHealth;
import io.haltsupervisor.decider.service.DeciderService;

import io.haltsupervisor.schemas.JsonSerde;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The decider's Kafka Streams topology. {@link #build(DeciderConfig)} does no IO; every processor,
 * store and internal topic is named (the names are public interface: changelog and repartition
 * topics derive from them). See {@code package-info.java} for the design.
 *
 * <pre>
 * halt-observations ─┐ decider-node-inputs
 * node-observations ─┼──(one source)──► decider-node-processor ──► seid.decisions.v1
 * operator-commands ─┤                         │ (71/72 trips, release --fleet)
 * &lt;app&gt;-control ─────┘                         ▼
 *      ▲              decider-fleet-events (repartition, 1 partition)
 *      │                      ▼
 *      ├──── broadcast ── decider-fleet-processor ──► seid.decisions.v1
 *      └──── broadcast ── decider-mapping-processor ◄── seid.image-mappings.v1
 * </pre>
 */
public final class DeciderTopology {
    public static final String NODE_STATE_STORE = "decider-node-state";
    public static final String MAPPINGS_STORE = "decider-mappings";
    public static final String WAITERS_STORE = "decider-plan-waiters";
    public static final String TIMERS_STORE = "decider-timers";
    public static final String OPEN_INCIDENTS_STORE = "decider-open-incidents";
    public static final String FLEET_VIEW_STORE = "decider-fleet-view";
    public static final String FLEET_STATE_STORE = "decider-fleet-state";
    public static final String FLEET_EVENTS_TOPIC = "decider-fleet-events";

    public static final Serde<ControlEvent> CONTROL_SERDE = JsonSerde.of(ControlEvent.class);
    public static final Serde<FleetEvent> FLEET_EVENT_SERDE = JsonSerde.of(FleetEvent.class);

    /**
     * Every state store by name, with its value serde (keys are strings); the node processor uses all but
     * {@link #FLEET_STATE_STORE}, the fleet processor only that one. Shared with {@link InProcessTopology}.
     */
    public static final Map<String, Serde<?>> STORE_VALUE_SERDES = storeValueSerdes();

    private static Map<String, Serde<?>> storeValueSerdes() {
        Map<String, Serde<?>> stores = new LinkedHashMap<>();
        stores.put(NODE_STATE_STORE, JsonSerde.of(NodeState.class));
        stores.put(MAPPINGS_STORE, Topics.IMAGE_MAPPINGS.valueSerde());
        stores.put(WAITERS_STORE, Serdes.String());
        stores.put(TIMERS_STORE, Serdes.String());
        stores.put(OPEN_INCIDENTS_STORE, Serdes.String());
        stores.put(FLEET_VIEW_STORE, JsonSerde.of(ControlEvent.FleetChanged.class));
        stores.put(FLEET_STATE_STORE, JsonSerde.of(FleetBreaker.State.class));
        return Collections.unmodifiableMap(stores);
    }

    private DeciderTopology() {
    }

    /**
     * Partitions of the decider's keyed inputs: of the node-keyed topics (co-partitioned) and of the image mappings.
     * Each processor checks that a record is on the partition its key maps to ({@code Partitioning}).
     */
    public record InputPartitions(int nodeInputs, int imageMappings) {
        /** One partition each: as in {@code TopologyTestDriver}, where every record is on partition 0. */
        public static final InputPartitions ONE = new InputPartitions(1, 1);

        public InputPartitions {
            if (nodeInputs < 1 || imageMappings < 1) {
                throw new IllegalArgumentException("partitions must be >= 1, got " + nodeInputs + " and "
                        + imageMappings);
            }
        }
    }

    /** The topology with meters in a private registry. */
    public static Topology build(DeciderConfig config) {
        return build(config, DeciderMetrics.detached());
    }

    /** The topology over single-partition inputs (the test driver, the replay). */
    public static Topology build(DeciderConfig config, DeciderMetrics metrics) {
        return build(config, metrics, InputPartitions.ONE);
    }

    public static Topology build(DeciderConfig config, DeciderMetrics metrics, InputPartitions partitions) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<String> keys = Serdes.String();

        STORE_VALUE_SERDES.forEach((name, values) -> builder.addStateStore(store(name, values)));

        // One source for the node processor's four inputs: the value's type follows the record's topic
        // (NodeInputSerde), so a record reaches the processor in one hop instead of through a wrapper and merges.
        NodeInputSerde inputs = new NodeInputSerde(config.controlTopic());
        KStream<String, Emit> nodeOut = builder
                .stream(inputs.topics(), Consumed.with(keys, inputs).withName("decider-node-inputs"))
                .process(() -> new NodeProcessor(config, metrics, partitions.nodeInputs()),
                        Named.as("decider-node-processor"),
                        NODE_STATE_STORE, MAPPINGS_STORE, WAITERS_STORE, TIMERS_STORE, OPEN_INCIDENTS_STORE,
                        FLEET_VIEW_STORE);
        route(nodeOut, "decider-node", config, metrics, EnumSet.of(Sink.DECISIONS, Sink.FLEET));

        KStream<String, Emit> mappingOut = source(builder, Topics.IMAGE_MAPPINGS, "decider-image-mappings")
                .process(() -> new MappingProcessor(partitions.imageMappings()),
                        Named.as("decider-mapping-processor"));
        route(mappingOut, "decider-mapping", config, metrics, EnumSet.of(Sink.CONTROL));
        return builder.build();
    }

    /** Which sinks a processor's output needs. */
    private enum Sink { DECISIONS, CONTROL, FLEET }

    /** Sends each kind of output to its sink: decisions, the control topic (broadcast), the fleet breaker. */
    private static void route(KStream<String, Emit> out, String prefix, DeciderConfig config,
            DeciderMetrics metrics, Set<Sink> sinks) {
        BranchedKStream<String, Emit> branches = out.split(Named.as(prefix + "-route-"));
        if (sinks.contains(Sink.DECISIONS)) {
            branches = branches.branch((k, v) -> v instanceof Emit.Decided, Branched.withConsumer(decisions ->
                    decisions.mapValues(v -> ((Emit.Decided) v).decision(), Named.as(prefix + "-unwrap-decision"))
                            .to(Topics.DECISIONS.name(), Produced.with(Topics.DECISIONS.keySerde(),
                                    Topics.DECISIONS.valueSerde()).withName(prefix + "-decisions-sink")),
                    "decisions"));
        }
        if (sinks.contains(Sink.CONTROL)) {
            branches = branches.branch((k, v) -> v instanceof Emit.ToControl, Branched.withConsumer(ctl -> ctl
                    .mapValues(v -> ((Emit.ToControl) v).event(), Named.as(prefix + "-unwrap-control"))
                    .to(config.controlTopic(), Produced.with(Serdes.String(), CONTROL_SERDE)
                            .withStreamPartitioner(new BroadcastPartitioner<>())
                            .withName(prefix + "-control-sink")), "control"));
        }
        if (sinks.contains(Sink.FLEET)) {
            branches = branches.branch((k, v) -> v instanceof Emit.ToFleet, Branched.withConsumer(fleet -> {
                KStream<String, Emit> fleetOut = fleet
                        .mapValues(v -> ((Emit.ToFleet) v).event(), Named.as(prefix + "-unwrap-fleet"))
                        .repartition(Repartitioned.<String, FleetEvent>as(FLEET_EVENTS_TOPIC)
                                .withKeySerde(Serdes.String()).withValueSerde(FLEET_EVENT_SERDE)
                                .withNumberOfPartitions(1))
                        .process(() -> new FleetProcessor(config, metrics), Named.as("decider-fleet-processor"),
                                FLEET_STATE_STORE);
                route(fleetOut, "decider-fleet", config, metrics, EnumSet.of(Sink.DECISIONS, Sink.CONTROL));
            }, "fleet"));
        }
        branches.noDefaultBranch();
    }

    private static <V> KStream<String, V> source(StreamsBuilder builder, Topic<String, V> topic, String name) {
        return builder.stream(topic.name(), Consumed.with(topic.keySerde(), topic.valueSerde()).withName(name));
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values)
                .withCachingEnabled();
    }

    /**
     * Streams properties for this topology: exactly-once v2, the dead-letter handlers, explicit naming
     * enforced, and the client settings (TLS/SASL) passed through.
     */
    public static Properties streamsProperties(DeciderConfig config, Map<String, Object> clientProperties,
            DeciderMetrics metrics) {
        return streamsProperties(config, clientProperties, metrics, new DeciderHealth());
    }

    /** As above, with the handlers reporting a reason to stop to {@code health}. */
    public static Properties streamsProperties(DeciderConfig config, Map<String, Object> clientProperties,
            DeciderMetrics metrics, DeciderHealth health) {
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.numThreads());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.OnDeserialization.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.OnProcessing.class);
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.OnProduction.class);
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        // 0: merge a task's partitions by timestamp, waiting for any that has data still on the broker (docs/requirements.md §3);
        // overridable (KAFKA_CLIENT_MAX_TASK_IDLE_MS), and DeciderService warns when an override gives that up
        p.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        p.put(DeadLetters.METRICS_CONFIG, metrics);
        p.put(DeciderHealth.CONFIG, health);
        config.advertisedEndpoint().ifPresent(e -> p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, e));
        // failover (docs/operations.md, "Failover"): warm standby stores, a short session so a dead instance's
        // tasks move within seconds; client settings (KAFKA_CLIENT_*) win
        p.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        // a replica restarted after SIGKILL has empty stores (exactly-once keeps no checkpoint of a crashed task);
        // within Kafka's 10,000-record default it would count as caught up and, for balance, take its tasks from the
        // survivor's warm standby, then restore them from scratch in a second rebalance: the rejoin stall
        p.putIfAbsent(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, config.acceptableRecoveryLag());
        config.membership().consumerProperties("").forEach((k, v) -> {
            if (!p.containsKey(k) && !p.containsKey(StreamsConfig.consumerPrefix(k))) {
                p.putIfAbsent(StreamsConfig.mainConsumerPrefix(k), v);
            }
        });
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    /**
     * Whether {@code properties} turn off waiting for partitions that still have data on the broker
     * ({@code max.task.idle.ms} = {@link StreamsConfig#MAX_TASK_IDLE_MS_DISABLED}): then a task catching up on a
     * backlog processes whatever its consumer has fetched, so a node's records on different topics may be decided
     * in fetch order rather than timestamp order, and a replay from offset 0 need not reproduce the decision log
     * (docs/requirements.md §3). Measured: a fifth less stream-thread CPU per record on a backlog (docs/benchmarks.md, "decider").
     */
    public static boolean ordersByFetch(Properties properties) {
        Object idle = properties.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG);
        if (idle == null) {
            return false;
        }
        try {
            return Long.parseLong(idle.toString().trim()) == StreamsConfig.MAX_TASK_IDLE_MS_DISABLED;
        } catch (NumberFormatException e) {
            return false; // not a number: Kafka Streams rejects it at start with a message naming the setting
        }
    }
}
