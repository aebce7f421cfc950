package io.haltsupervisor.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.HaltCode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.Partitioning;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Generates records that every consumer of a topic must refuse, seeded: random bytes, truncated and oversized
 * JSON (up to the topic's {@code max.message.bytes}), wrong types, a null key, a null value, a key that is not what
 * the body is about, an unknown schema version, and a valid record on another partition than its key's — each
 * sometimes with junk headers. A bad record is built from a valid event of the topic for a node of the fleet, so
 * it lands among the good records of the same key.
 */
final class BadRecords {
    /** The kinds of bad record. */
    enum Kind { RANDOM_BYTES, TRUNCATED_JSON, OVERSIZED_JSON, WRONG_TYPES, NULL_KEY, NULL_VALUE, WRONG_KEY,
        UNKNOWN_VERSION, MISROUTED }

    /** One record to write; {@code partition} null lets the producer's partitioner choose (by key). */
    record Bad(String topic, Integer partition, byte[] key, byte[] value, List<Header> headers, Kind kind) {
    }

    private final Random random;
    private final List<String> nodes;
    private final int partitions;
    private final int maxMessageBytes;
    private final Instant at;
    /** Oversized records per topic, at most (one in {@link #HUGE_EVERY} of them near the topic's limit). */
    static final int MAX_OVERSIZED_PER_TOPIC = 120;
    private static final int HUGE_EVERY = 40;
    private int serial;
    private int oversized;
    private final java.util.Map<String, Integer> oversizedOf = new java.util.HashMap<>();

    /**
     * @param nodes           node ids of the fleet (bad records use their keys)
     * @param partitions      partitions of every topic
     * @param maxMessageBytes the topics' {@code max.message.bytes}: the largest oversized record stays under it
     */
    BadRecords(long seed, List<String> nodes, int partitions, int maxMessageBytes, Instant at) {
        this.random = new Random(seed);
        this.nodes = nodes;
        this.partitions = partitions;
        this.maxMessageBytes = maxMessageBytes;
        this.at = at;
    }

    /**
     * A bad record for {@code topic}, stamped between {@code from} and {@code to} ms. Of the oversized ones, one in
     * {@value #HUGE_EVERY} is near the topic's {@code max.message.bytes}, the others just over what its readers accept.
     */
    Bad next(Topic<String, ?> topic, long from, long to) {
        Kind[] kinds = Kind.values();
        Kind kind = kinds[random.nextInt(kinds.length)];
        if (kind == Kind.NULL_VALUE && topic == Topics.IMAGE_MAPPINGS) {
            kind = Kind.WRONG_KEY; // a tombstone removes a plan there: a good record
        }
        if (kind == Kind.NULL_KEY && topic == Topics.IMAGE_MAPPINGS) {
            kind = Kind.UNKNOWN_VERSION; // the broker itself refuses an unkeyed record on a compacted topic
        }
        if (kind == Kind.OVERSIZED_JSON && oversizedOf.merge(topic.name(), 1, Integer::sum) > MAX_OVERSIZED_PER_TOPIC) {
            kind = Kind.TRUNCATED_JSON; // enough of them to prove the bound; more only fill the broker's disk
        }
        String node = nodes.get(random.nextInt(nodes.size()));
        String key = topic == Topics.IMAGE_MAPPINGS ? "fuzz-plan-" + random.nextInt(50) : node;
        long ts = from + (to > from ? (long) (random.nextDouble() * (to - from)) : 0);
        ObjectNode valid = valid(topic, key, Instant.ofEpochMilli(ts));
        byte[] validBytes = bytes(valid);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int home = Partitioning.partitionOf(k, partitions);
        Bad bad = switch (kind) {
            case RANDOM_BYTES -> {
                byte[] junk = new byte[1 + random.nextInt(1024)];
                random.nextBytes(junk);
                junk[0] = (byte) ('{' + 1 + random.nextInt(100)); // never a JSON object's first byte
                yield new Bad(topic.name(), null, k, junk, headers(), kind);
            }
            case TRUNCATED_JSON -> new Bad(topic.name(), null, k,
                    Arrays.copyOf(validBytes, 1 + random.nextInt(validBytes.length - 1)), headers(), kind);
            case OVERSIZED_JSON -> {
                int cap = topic == Topics.DECISIONS ? Topics.MAX_DECISION_BYTES : Topics.MAX_INPUT_BYTES;
                int size = oversized++ % HUGE_EVERY == 0 ? maxMessageBytes - 2048 : cap + 64 + random.nextInt(1024);
                // an unknown field is ignored by readers: without the size bound this record would be accepted
                valid.put("padding", "p".repeat(Math.max(0, size - validBytes.length - 16)));
                yield new Bad(topic.name(), null, k, bytes(valid), List.of(), kind);
            }
            case WRONG_TYPES -> {
                if (random.nextBoolean()) {
                    valid.put("schemaVersion", "v" + (1 + random.nextInt(9)));
                } else {
                    valid.putObject(identityField(topic)).put("not", "a string");
                }
                yield new Bad(topic.name(), null, k, bytes(valid), headers(), kind);
            }
            case NULL_KEY -> new Bad(topic.name(), random.nextInt(partitions), null, validBytes, headers(), kind);
            case NULL_VALUE -> new Bad(topic.name(), null, k, null, headers(), kind);
            case WRONG_KEY -> {
                String other = topic == Topics.IMAGE_MAPPINGS ? key + "-other" : otherNode(node);
                yield new Bad(topic.name(), null, other.getBytes(StandardCharsets.UTF_8), validBytes, headers(), kind);
            }
            case UNKNOWN_VERSION -> {
                valid.put("schemaVersion", 2 + random.nextInt(98));
                yield new Bad(topic.name(), null, k, bytes(valid), headers(), kind);
            }
            case MISROUTED -> new Bad(topic.name(), (home + 1 + random.nextInt(partitions - 1)) % partitions, k,
                    validBytes, headers(), kind);
        };
        return bad;
    }

    private String otherNode(String node) {
        String other = node;
        while (other.equals(node)) {
            other = nodes.get(random.nextInt(nodes.size()));
        }
        return other;
    }

    /** Three records in ten carry junk headers (nobody reads headers: they must change nothing). */
    List<Header> headers() {
        if (random.nextInt(10) >= 3) {
            return List.of();
        }
        List<Header> out = new ArrayList<>();
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            byte[] value = random.nextInt(4) == 0 ? null : new byte[random.nextInt(64)];
            if (value != null) {
                random.nextBytes(value);
            }
            out.add(new RecordHeader(random.nextBoolean() ? "kind" : "x-junk-" + random.nextInt(1000), value));
        }
        return out;
    }

    private static String identityField(Topic<String, ?> topic) {
        if (topic == Topics.IMAGE_MAPPINGS) {
            return "plan";
        }
        return topic == Topics.OPERATOR_COMMANDS ? "commandId" : "nodeId";
    }

    /** A valid event of the topic, about {@code key}, as a JSON tree to break. */
    private ObjectNode valid(Topic<String, ?> topic, String key, Instant ts) {
        Object event;
        String tag = "fuzz-" + serial++;
        if (topic == Topics.HALT_OBSERVATIONS) {
            event = random.nextBoolean()
                    ? HaltObserved.fromStatus(key, new HaltIntent(70, null, "v6", 151_000_000L, null, at), ts, "pod-0",
                            FuzzedRecordsIT.IMG5, 150_999_999L, "v5.9.0")
                    : HaltObserved.fromExitCode(key, new HaltCode(84), ts, "pod-0", "uid-" + tag, "containerd://" + tag,
                            1, ts, FuzzedRecordsIT.IMG5);
        } else if (topic == Topics.NODE_OBSERVATIONS) {
            event = random.nextBoolean()
                    ? PodStateObserved.of(key, ts, "pod-0", "uid-" + tag, FuzzedRecordsIT.IMG6, true, "Running", 0,
                            null, false, false)
                    : NodeStatusObserved.of(key, ts, NodeStatusObserved.Change.RECOVERED, 151_000_100L, "v6.0.1",
                            false, "pod-0");
        } else if (topic == Topics.OPERATOR_COMMANDS) {
            event = OperatorCommandIssued.forNode(tag, key, OperatorCommandIssued.Command.HOLD, "fuzz", "fuzzed", ts);
        } else if (topic == Topics.IMAGE_MAPPINGS) {
            event = ImageMappingChanged.of(key, FuzzedRecordsIT.IMG6, null, "cli:fuzz", ts);
        } else if (topic == Topics.DECISIONS) {
            String incident = key + "#fuzz";
            event = new Decision.HaltPaged(1, incident + "/page/" + tag, incident, key, ts, 84, null,
                    Decision.Severity.error, Decision.PageReason.UnrecognisedHalt, "never a real decision");
        } else {
            throw new IllegalArgumentException("no bad records for " + topic);
        }
        @SuppressWarnings("unchecked")
        Topic<String, Object> t = (Topic<String, Object>) topic;
        try {
            return (ObjectNode) Json.MAPPER.readTree(t.valueSerde().serializer().serialize(t.name(), event));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(ObjectNode json) {
        try {
            return Json.MAPPER.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
