package io.haltsupervisor.devtools;

import io.haltsupervisor.cli.EventFormatter;
import io.haltsupervisor.cli.IncidentView;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live picture of the fleet, fed by every topic (read_committed, from the beginning): each node's
 * latest state, the open incidents, and each node's recent timeline. It feeds the console lines of
 * {@code dev} and the dashboard; listeners get every event as it arrives.
 */
public final class LiveView implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);
    private static final int TIMELINE_LIMIT = 300;

    /** One event as it arrived. */
    public record Event(long seq, Instant timestamp, String topic, String key, String label, String text,
            Object value) {
    }

    private final Map<String, Object> clientProperties;
    private final IncidentView incidents = new IncidentView();
    private final Map<String, NodeState> nodes = new TreeMap<>();
    /** plan → upgrade height, for the mappings that carry one (for the blocks remaining). */
    private final Map<String, Long> upgradeHeights = new TreeMap<>();
    private final Map<String, Deque<Event>> timelines = new TreeMap<>();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean running = true;
    private long seq;

    /** What the dashboard shows per node. */
    static final class NodeState {
        String nodeId;
        String image;
        Boolean ready;
        Long height;
        String version;
        Integer haltCode;
        String plan;
        String incidentId;
        String incidentState;
        boolean cosmovisor;
        Instant updatedAt;
    }

    public LiveView(Map<String, Object> clientProperties) {
        this.clientProperties = clientProperties;
        this.thread = new Thread(this::run, "live-view");
        this.thread.setDaemon(true);
    }

    public LiveView start() {
        thread.start();
        return this;
    }

    public void addListener(Consumer<Event> listener) {
        listeners.add(listener);
    }

    private void run() {
        Map<String, Object> p = new java.util.HashMap<>(clientProperties);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "halt-supervisor-live-view-" + java.util.UUID.randomUUID());
        p.keySet().removeIf(k -> k.equals("max.block.ms") || k.equals("delivery.timeout.ms"));
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            c.subscribe(Topics.ALL.stream().map(Topic::name).toList());
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(250))) {
                    accept(r);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.warn("live view stopped: {}", e.toString());
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        Topic<?, ?> topic = Topics.byName(r.topic()).orElseThrow();
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        Object value;
        String label;
        String text;
        try {
            value = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
            label = EventFormatter.label(value);
            text = EventFormatter.describe(value);
        } catch (RuntimeException e) {
            value = null;
            label = "unreadable";
            text = r.topic() + "[" + r.partition() + "]@" + r.offset() + ": " + e.getMessage();
        }
        Event event;
        synchronized (this) {
            event = new Event(++seq, Instant.ofEpochMilli(r.timestamp()), r.topic(), key, label, text, value);
            fold(event);
        }
        for (Consumer<Event> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.debug("live view listener failed: {}", e.toString());
            }
        }
    }

    private void fold(Event e) {
        if (e.key() != null && !e.topic().equals(Topics.IMAGE_MAPPINGS.name())) {
            Deque<Event> t = timelines.computeIfAbsent(e.key(), k -> new ArrayDeque<>());
            t.addLast(e);
            while (t.size() > TIMELINE_LIMIT) {
                t.removeFirst();
            }
        }
        Object v = e.value();
        if (e.topic().equals(Topics.IMAGE_MAPPINGS.name()) && e.key() != null) {
            if (v instanceof io.haltsupervisor.schemas.ImageMappingChanged m && m.upgradeHeight() != null) {
                upgradeHeights.put(e.key(), m.upgradeHeight());
            } else {
                upgradeHeights.remove(e.key()); // a tombstone, or a mapping without a height
            }
        }
        if (v instanceof Decision d) {
            incidents.apply(d);
            if (d.nodeId() != null) {
                NodeState n = node(d.nodeId());
                if (d instanceof Decision.IncidentResolved) {
                    n.incidentId = null;
                    n.incidentState = null;
                    n.haltCode = null;
                } else if (!(d instanceof Decision.OperatorCommandApplied o && o.incidentId().endsWith("#none"))) {
                    n.incidentId = d.incidentId();
                    n.incidentState = IncidentView.state(d);
                }
                n.updatedAt = e.timestamp();
            }
        } else if (v instanceof HaltObserved h) {
            NodeState n = node(h.nodeId());
            n.haltCode = h.reasonCode();
            n.plan = h.planName();
            n.updatedAt = e.timestamp();
        } else if (v instanceof PodStateObserved p) {
            NodeState n = node(p.nodeId());
            n.image = p.image();
            n.ready = p.ready();
            n.cosmovisor = p.cosmovisor();
            n.updatedAt = e.timestamp();
        } else if (v instanceof NodeStatusObserved s) {
            NodeState n = node(s.nodeId());
            n.height = s.latestBlockHeight();
            n.version = s.version();
            if (s.change() == NodeStatusObserved.Change.RECOVERED) {
                n.haltCode = null;
            }
            n.updatedAt = e.timestamp();
        } else if (v instanceof OperatorCommandIssued || v instanceof ActionResultRecorded) {
            // shown in the timeline only
        }
    }

    private NodeState node(String id) {
        return nodes.computeIfAbsent(id, k -> {
            NodeState n = new NodeState();
            n.nodeId = k;
            return n;
        });
    }

    /** The whole picture as JSON: nodes, open incidents, and the last event's sequence number. */
    public synchronized ObjectNode snapshot() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("seq", seq);
        ArrayNode ns = root.putArray("nodes");
        for (NodeState n : nodes.values()) {
            ObjectNode o = ns.addObject();
            o.put("nodeId", n.nodeId);
            o.put("image", n.image);
            if (n.ready != null) {
                o.put("ready", n.ready);
            }
            if (n.height != null) {
                o.put("height", n.height);
            }
            io.haltsupervisor.cli.UpgradeApproach.of(n.height, upgradeHeights).ifPresent(a -> {
                o.put("blocksRemaining", a.blocksRemaining());
                o.put("upgradePlan", a.plan());
                o.put("upgradeHeight", a.upgradeHeight());
            });
            o.put("version", n.version);
            if (n.haltCode != null) {
                o.put("haltCode", n.haltCode);
            }
            o.put("plan", n.plan);
            o.put("incidentId", n.incidentId);
            o.put("incidentState", n.incidentState);
            o.put("cosmovisor", n.cosmovisor);
            o.put("state", n.incidentId != null ? "incident" : n.haltCode != null ? "halted"
                    : Boolean.TRUE.equals(n.ready) ? "healthy" : "not-ready");
        }
        root.set("incidents", Json.MAPPER.valueToTree(incidents.open()));
        root.set("resolved", Json.MAPPER.valueToTree(incidents.recentlyResolved()));
        return root;
    }

    /** One node's recent events as JSON. */
    public synchronized ArrayNode timeline(String nodeId) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (Event e : timelines.getOrDefault(nodeId, new ArrayDeque<>())) {
            a.add(toJson(e));
        }
        return a;
    }

    public synchronized List<IncidentView.Incident> openIncidents() {
        return incidents.open();
    }

    public synchronized List<Event> events(String nodeId) {
        return new ArrayList<>(timelines.getOrDefault(nodeId, new ArrayDeque<>()));
    }

    static ObjectNode toJson(Event e) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("seq", e.seq());
        o.put("timestamp", e.timestamp().toString());
        o.put("topic", e.topic());
        o.put("key", e.key());
        o.put("label", e.label());
        o.put("text", e.text());
        return o;
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
