package io.haltsupervisor.decider.service;

import io.haltsupervisor.decider.Events;

import io.haltsupervisor.schemas.HaltCode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The input of the decider's fault tests: a fleet of {@code nodes} nodes, one record per node per round. A node's
 * records go to different topics (halts, pod states, status, commands); the decider merges a task's partitions
 * by timestamp only for what its consumer has fetched — with {@code max.task.idle.ms=0} a caught-up decider
 * processes a partition ahead of one whose newest records have not arrived yet — so tests write a round only
 * once the decider has committed the previous one, and every node's records are decided in order, as the
 * {@link ReferenceFold} folds them. Half the nodes stay healthy; a quarter
 * halt for v6 (mapped from the start: {@link #MAPPING}) by status intent or by exit code, crash-loop, and recover
 * on v6; a tenth halt with reserved code 84 and recover; some halt for v9, never mapped; some are acknowledged
 * by an operator. Timestamps: round {@code r} starts {@code r} minutes after {@link #T0}, node {@code n} is
 * {@code 5n} ms into it (so at most 12,000 nodes).
 */
final class FleetStory {
    static final String IMG5 = Events.IMG5;
    static final String IMG6 = Events.IMG6;
    static final long V6_HEIGHT = Events.V6_HEIGHT;
    /** An hour ago: with the tests' week-long grace window, no wall-clock timer can fire during a run. */
    static final Instant T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minusSeconds(3600);
    static final ImageMappingChanged MAPPING = ImageMappingChanged.of("v6", IMG6, V6_HEIGHT,
            "configmap:sei/seid-image-mappings", T0.minusSeconds(600));

    /** One input record; {@code poison} when it is meant to be dead-lettered. */
    record Input(String topic, byte[] key, byte[] value, Instant at, boolean poison) {
        String keyString() {
            return key == null ? null : new String(key, StandardCharsets.UTF_8);
        }
    }

    private final int nodes;
    private final double poisonShare;
    private final Random random;

    /** @param poisonShare the share of records replaced by poison (0 for none) */
    FleetStory(int nodes, double poisonShare, long seed) {
        if (nodes > 12_000) {
            throw new IllegalArgumentException("at most 12,000 nodes");
        }
        this.nodes = nodes;
        this.poisonShare = poisonShare;
        this.random = new Random(seed);
    }

    static String nodeId(int n) {
        return "sei/node-" + n;
    }

    /** Round {@code round} (0-based): one record per node, in node order. */
    List<Input> round(int round) {
        List<Input> out = new ArrayList<>(nodes);
        Instant base = T0.plusSeconds(60L * round);
        for (int n = 0; n < nodes; n++) {
            Instant at = base.plusMillis(5L * n);
            if (poisonShare > 0 && random.nextDouble() < poisonShare) {
                out.add(poison(n, at));
            } else {
                out.add(record(n, round, at));
            }
        }
        return out;
    }

    private Input record(int n, int round, Instant at) {
        String node = nodeId(n);
        String pod = "node-" + n + "-0";
        int kind = n % 20;
        int haltRound = 1 + n % 3;
        if (kind < 10 || round < haltRound) {
            return healthy(node, pod, IMG5, "uid-" + n, round, at);
        }
        int since = round - haltRound;
        boolean exitCode = n % 2 == 1;
        if (kind < 15 || kind == 18) {
            // 70 for v6: halt, the same halt again, (an operator's ack), recovery on v6, then healthy on v6
            if (since >= 4) {
                return healthy(node, pod, IMG6, "uid-" + n + "-b", round, at);
            }
            if (since == 3) {
                return value(Topics.NODE_OBSERVATIONS, node, PodStateObserved.of(node, at, pod, "uid-" + n + "-b",
                        IMG6, true, "Running", 0, null, false, false), at);
            }
            if (kind == 18 && since == 2) {
                return value(Topics.OPERATOR_COMMANDS, node, OperatorCommandIssued.forNode("ack-" + n, node,
                        OperatorCommandIssued.Command.ACK, "oncall", "on it", at), at);
            }
            return halt(node, pod, n, 70, "v6", V6_HEIGHT, exitCode, since, at);
        }
        if (kind < 17) {
            // reserved 84: paged; the node comes back in a fresh run of the same image
            if (since >= 4) {
                return healthy(node, pod, IMG5, "uid-" + n + "-b", round, at);
            }
            if (since == 3) {
                return value(Topics.NODE_OBSERVATIONS, node, PodStateObserved.of(node, at, pod, "uid-" + n + "-b",
                        IMG5, true, "Running", 0, null, false, false), at);
            }
            return halt(node, pod, n, 84, null, null, true, since, at);
        }
        // v9: never mapped, the node stays halted
        return halt(node, pod, n, 70, "v9", 190_000_000L, exitCode, since, at);
    }

    private Input healthy(String node, String pod, String image, String uid, int round, Instant at) {
        if (round % 3 == 0) {
            return value(Topics.NODE_OBSERVATIONS, node, PodStateObserved.of(node, at, pod, uid, image, true,
                    "Running", 0, null, false, false), at);
        }
        long height = IMG6.equals(image) ? V6_HEIGHT + 100 * round : V6_HEIGHT - 1000 + 10 * round;
        return value(Topics.NODE_OBSERVATIONS, node, NodeStatusObserved.of(node, at,
                NodeStatusObserved.Change.HEARTBEAT, height, image.substring(image.lastIndexOf(':') + 1), false,
                pod), at);
    }

    private Input halt(String node, String pod, int n, int code, String plan, Long height, boolean exitCode,
            int since, Instant at) {
        HaltObserved h = exitCode || plan == null
                ? HaltObserved.fromExitCode(node, new HaltCode(code), at, pod, "uid-" + n,
                        "containerd://" + n + "-" + since, since, at.minusSeconds(1), IMG5)
                : HaltObserved.fromStatus(node, new HaltIntent(code, null, plan, height, null,
                        T0.plusSeconds(60L * (1 + n % 3))), at, pod, IMG5, height - 1, "v5.9.0");
        return value(Topics.HALT_OBSERVATIONS, node, h, at);
    }

    /** Undecodable JSON, a tombstone, or a record about another node than its key says. */
    private Input poison(int n, Instant at) {
        String node = nodeId(n);
        byte[] key = node.getBytes(StandardCharsets.UTF_8);
        return switch (random.nextInt(4)) {
            case 0 -> new Input(Topics.HALT_OBSERVATIONS.name(), key,
                    "{\"schemaVersion\":1,\"nodeId\":".getBytes(StandardCharsets.UTF_8), at, true);
            case 1 -> new Input(Topics.NODE_OBSERVATIONS.name(), key, null, at, true);
            case 2 -> new Input(Topics.NODE_OBSERVATIONS.name(), key,
                    Topics.NODE_OBSERVATIONS.valueSerde().serializer().serialize(Topics.NODE_OBSERVATIONS.name(),
                            Events.heartbeat("sei/elsewhere", V6_HEIGHT, at)), at, true);
            default -> new Input(Topics.OPERATOR_COMMANDS.name(), key,
                    "{\"schemaVersion\":99}".getBytes(StandardCharsets.UTF_8), at, true);
        };
    }

    private static <V> Input value(Topic<String, V> topic, String key, V value, Instant at) {
        return new Input(topic.name(), key.getBytes(StandardCharsets.UTF_8),
                topic.valueSerde().serializer().serialize(topic.name(), value), at, false);
    }
}
