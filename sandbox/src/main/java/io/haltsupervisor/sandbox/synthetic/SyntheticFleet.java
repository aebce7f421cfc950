package io.haltsupervisor.sandbox.synthetic;

import io.haltsupervisor.schemas.HaltCode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.OperatorCommandIssued.Command;
import io.haltsupervisor.schemas.PodStateObserved;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;

/**
 * A seeded synthetic fleet: the decider's inputs — halts, node and pod observations, image mappings, operator
 * commands, poison — as a fleet of {@code nodes} nodes would produce them over a stretch of time, in time order.
 * The same settings give the same records, byte for byte (the start instant aside, which defaults to "a little
 * more than {@code span} ago"). The benchmarks feed it to a broker, the replay tests to the topology directly.
 *
 * <p>Each node has a story by {@code n % 6}: 0 and 1 stay healthy; 2 halt for v6 (mapped from the start); 3 run
 * v6 and halt for v7 (mapped at 40 % of the span); 4 halt with reserved code 84 and one in twelve of them is
 * acknowledged by an operator; 5 halt for v8, never mapped, so their grace windows expire (terminate-pod, then
 * escalate). Even nodes run stay-alive and show a {@code halt_intent} on {@code /status}; odd ones exit with the
 * code and crash-loop (the pod watcher sees each restart a few times). Nodes with a target recover on it one to
 * five minutes after the decision could be made. Node 5 halts with 71 and node 11 with 72 instead. Heights
 * advance at Sei's 0.4 s block time up to the plan's height. One record in a thousand is undecodable JSON.
 *
 * <p>{@link #withOperatorNoise()} adds, from a second random stream (the stories stay as they are), what a busy
 * operator, a sloppy producer and a bad release add: commands of every kind for random nodes, fleet releases,
 * v6 and v7 removed (tombstones) and remapped to other images, four more kinds of poison, unscripted exits with
 * any code (enough 71s and 72s to trip a fleet breaker of three in ten minutes), and jumps of the wall clock
 * ({@link Sink#advanceWallClock}) — the input of the tests that compare two ways of running the topology.
 */
public final class SyntheticFleet {
    public static final String IMG5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    public static final String IMG6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    public static final String IMG7 = "ghcr.io/sei-protocol/seid:v7.0.0";
    public static final long V6_HEIGHT = 151_000_000L;
    public static final long V7_HEIGHT = 160_000_000L;
    public static final long V8_HEIGHT = 170_000_000L;
    /** The seed when none is given (the replay benchmark's published figures were measured with it). */
    public static final long DEFAULT_SEED = 20261127L;
    /** The fewest nodes that hold every story (nodes 5 and 11 are the 71 and the 72). */
    public static final int MIN_NODES = 12;
    private static final long BLOCK_MS = 400;
    private static final String MAPPING_SOURCE = "configmap:sei/seid-image-mappings";
    private static final String[] IMAGES = {IMG5, IMG6, IMG7};

    /** Where generated records go, in time order. */
    public interface Sink {
        /** One record; {@code value} null is a tombstone. */
        void send(String topic, String key, byte[] value, Instant at);

        /** The wall clock moves on by {@code by} here (only with {@link #withOperatorNoise()}). */
        default void advanceWallClock(Duration by) {
        }
    }

    private final int nodes;
    private final long records;
    private long seed = DEFAULT_SEED;
    private Duration span = Duration.ofMinutes(100);
    private Instant start;
    private boolean noise;

    private SyntheticFleet(int nodes, long records) {
        if (nodes < MIN_NODES) {
            throw new IllegalArgumentException("nodes: expected at least " + MIN_NODES + ", got " + nodes);
        }
        if (records < 2) {
            throw new IllegalArgumentException("records: expected at least 2, got " + records);
        }
        this.nodes = nodes;
        this.records = records;
    }

    /** {@code records} records (the first a mapping) over {@code nodes} nodes (at least {@value #MIN_NODES}). */
    public static SyntheticFleet of(int nodes, long records) {
        return new SyntheticFleet(nodes, records);
    }

    public SyntheticFleet seed(long value) {
        this.seed = value;
        return this;
    }

    /** The stretch of time the records cover (100 minutes unless set). */
    public SyntheticFleet span(Duration value) {
        if (value.toMillis() < 1000) {
            throw new IllegalArgumentException("span: expected at least 1 s, got " + value);
        }
        this.span = value;
        return this;
    }

    /** The first record's time (unless set: {@code span} and a minute before now, to the second). */
    public SyntheticFleet start(Instant value) {
        this.start = value;
        return this;
    }

    /** Adds operator commands, fleet releases, mapping churn, more poison and wall-clock jumps. */
    public SyntheticFleet withOperatorNoise() {
        this.noise = true;
        return this;
    }

    /** Writes every record to {@code sink}. */
    public void generate(Sink sink) {
        Random random = new Random(seed);
        Random extra = new Random(seed + 1);
        Instant t0 = start != null ? start
                : Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(span).minusSeconds(60);
        long spanMs = span.toMillis();
        Instant v7At = t0.plusMillis(spanMs * 4 / 10);
        long[] haltAt = new long[nodes];
        long[] recoverAfter = new long[nodes];
        int[] phase = new int[nodes]; // 0 healthy before the halt, 1 halted, 2 recovered
        int[] restarts = new int[nodes];
        boolean[] acked = new boolean[nodes];
        for (int n = 0; n < nodes; n++) {
            double f = (n * 0.6180339887498949) % 1.0;
            haltAt[n] = t0.toEpochMilli() + (long) (spanMs * (0.05 + 0.75 * f));
            recoverAfter[n] = 60_000 + random.nextInt(240_000);
        }
        send(sink, Topics.IMAGE_MAPPINGS, "v6", ImageMappingChanged.of("v6", IMG6, V6_HEIGHT, MAPPING_SOURCE, t0), t0);
        boolean v7Sent = false;
        int commands = 0;
        for (long i = 1; i < records; i++) {
            Instant at = t0.plusMillis(i * spanMs / records);
            long now = at.toEpochMilli();
            if (!v7Sent && !at.isBefore(v7At)) {
                v7Sent = true;
                send(sink, Topics.IMAGE_MAPPINGS, "v7", ImageMappingChanged.of("v7", IMG7, V7_HEIGHT, MAPPING_SOURCE,
                        at), at);
                continue;
            }
            if (i % 1000 == 500) {
                String topic = random.nextInt(3) == 0 ? Topics.HALT_OBSERVATIONS.name()
                        : Topics.NODE_OBSERVATIONS.name();
                sink.send(topic, "sei/node-" + random.nextInt(nodes),
                        "{\"schemaVersion\":1,\"nodeId\":".getBytes(StandardCharsets.UTF_8), at);
                continue;
            }
            if (noise && noise(sink, extra, at, commands++)) {
                continue;
            }
            int n = random.nextInt(nodes);
            int story = story(n);
            String node = nodeId(n);
            String pod = "node-" + n + "-0";
            String image = story == 3 ? IMG6 : story == 5 ? IMG7 : IMG5;
            boolean stayAlive = n % 2 == 0;
            if (story <= 1 || phase[n] == 0 && now < haltAt[n]) {
                healthy(sink, random, node, pod, image, heightBefore(story, n, now, haltAt[n]), at, "uid-" + n);
                continue;
            }
            if (phase[n] == 0) {
                phase[n] = 1;
                sink.send(Topics.HALT_OBSERVATIONS.name(), node, halt(story, n, node, pod, image, stayAlive, restarts,
                        haltAt[n], at), at);
                continue;
            }
            long decidable = story == 3 ? Math.max(haltAt[n], v7At.toEpochMilli()) : haltAt[n];
            String target = target(story, n);
            if (phase[n] == 1 && target != null && now >= decidable + recoverAfter[n]) {
                phase[n] = 2;
                send(sink, Topics.NODE_OBSERVATIONS, node, PodStateObserved.of(node, at, pod, "uid-" + n + "-b",
                        target, true, "Running", 0, null, false, false), at);
                continue;
            }
            if (phase[n] == 2) {
                healthy(sink, random, node, pod, target, heightAfter(story, now), at, "uid-" + n + "-b");
                continue;
            }
            if (story == 4 && n % 12 == 4 && !acked[n] && now >= haltAt[n] + 120_000) {
                acked[n] = true;
                send(sink, Topics.OPERATOR_COMMANDS, node, OperatorCommandIssued.forNode("ack-" + n, node,
                        Command.ACK, "oncall@sei", "looking", at), at);
                continue;
            }
            // still halted: the same halt again (a crash-looping pod's next exit, a stay-alive pod re-read)
            sink.send(Topics.HALT_OBSERVATIONS.name(), node, halt(story, n, node, pod, image, stayAlive, restarts,
                    haltAt[n], at), at);
        }
    }

    /** The node id of node {@code n}. */
    public static String nodeId(int n) {
        return "sei/node-" + n;
    }

    /** One record of operator noise in place of a story record, about one time in six; true if it wrote one. */
    private boolean noise(Sink sink, Random extra, Instant at, int count) {
        int roll = extra.nextInt(600);
        String node = nodeId(extra.nextInt(nodes));
        if (roll < 50) {
            Command c = Command.values()[extra.nextInt(Command.values().length)];
            send(sink, Topics.OPERATOR_COMMANDS, node, OperatorCommandIssued.forNode("cmd-" + count, node, c,
                    "oncall@sei", "synthetic", at), at);
        } else if (roll < 56) {
            send(sink, Topics.OPERATOR_COMMANDS, Topics.FLEET_KEY, OperatorCommandIssued.forFleet("fleet-" + count,
                    Command.RELEASE, "oncall@sei", "synthetic", at), at);
        } else if (roll < 66) {
            // v6 and v7 only: v8 stays unmapped, so its nodes' grace windows still expire
            String plan = extra.nextBoolean() ? "v6" : "v7";
            if (extra.nextInt(4) == 0) {
                sink.send(Topics.IMAGE_MAPPINGS.name(), plan, null, at);
            } else {
                long height = plan.equals("v6") ? V6_HEIGHT : V7_HEIGHT;
                send(sink, Topics.IMAGE_MAPPINGS, plan, ImageMappingChanged.of(plan, IMAGES[extra.nextInt(3)], height,
                        MAPPING_SOURCE, at), at);
            }
        } else if (roll < 80) {
            poison(sink, extra.nextInt(4), node, at);
        } else if (roll < 100) {
            // an unscripted exit: any code, any pod, any image — 71s and 72s close together trip the breaker
            int code = new int[] {70, 71, 72, 77, 84}[extra.nextInt(5)];
            int container = extra.nextInt(6);
            send(sink, Topics.HALT_OBSERVATIONS, node, HaltObserved.fromExitCode(node, new HaltCode(code), at,
                    node.substring(node.indexOf('/') + 1) + "-0", "uid-x" + extra.nextInt(3),
                    "containerd://x" + container, container, at.minusSeconds(1), IMAGES[extra.nextInt(3)]), at);
        } else if (roll < 104) {
            sink.advanceWallClock(Duration.ofSeconds(extra.nextInt(400)));
            return false;
        } else {
            return false;
        }
        return true;
    }

    /** A tombstone, a record keyed by another node, a mapping keyed by another plan, a command that is no object. */
    private static void poison(Sink sink, int kind, String node, Instant at) {
        switch (kind) {
            case 0 -> sink.send(Topics.NODE_OBSERVATIONS.name(), node, null, at);
            case 1 -> send(sink, Topics.NODE_OBSERVATIONS, "sei/other", NodeStatusObserved.of(node, at,
                    NodeStatusObserved.Change.HEARTBEAT, V6_HEIGHT, "v5.9.0", false, null), at);
            case 2 -> send(sink, Topics.IMAGE_MAPPINGS, "v9", ImageMappingChanged.of("v6", IMG6, V6_HEIGHT,
                    MAPPING_SOURCE, at), at);
            default -> sink.send(Topics.OPERATOR_COMMANDS.name(), node, "[]".getBytes(StandardCharsets.UTF_8), at);
        }
    }

    private static int story(int n) {
        return n == 5 || n == 11 ? 6 : n % 6;
    }

    private static String target(int story, int n) {
        return switch (story) {
            case 2 -> IMG6;
            case 3 -> IMG7;
            case 6 -> n == 5 ? IMG5 : null; // 71 rolls back to the image it ran; 72 is quarantined
            default -> null;
        };
    }

    private static long heightBefore(int story, int n, long now, long haltAt) {
        long blocksToHalt = Math.max(0, (haltAt - now) / BLOCK_MS);
        return switch (story) {
            case 2 -> V6_HEIGHT - 1 - blocksToHalt;
            case 3 -> V7_HEIGHT - 1 - blocksToHalt;
            case 5 -> V8_HEIGHT - 1 - blocksToHalt;
            default -> V6_HEIGHT + 2_000_000 + n + now / BLOCK_MS % 1_000_000;
        };
    }

    private static long heightAfter(int story, long now) {
        return (story == 3 ? V7_HEIGHT : V6_HEIGHT) + 1 + now / BLOCK_MS % 1_000_000;
    }

    private static void healthy(Sink sink, Random random, String node, String pod, String image, long height,
            Instant at, String uid) {
        if (random.nextInt(5) == 0) {
            send(sink, Topics.NODE_OBSERVATIONS, node, PodStateObserved.of(node, at, pod, uid, image, true,
                    "Running", 0, null, false, false), at);
        } else {
            send(sink, Topics.NODE_OBSERVATIONS, node, NodeStatusObserved.of(node, at,
                    NodeStatusObserved.Change.HEARTBEAT, height, version(image), false, pod), at);
        }
    }

    private static byte[] halt(int story, int n, String node, String pod, String image, boolean stayAlive,
            int[] restarts, long haltAt, Instant at) {
        int code = story == 4 ? 84 : story == 6 ? (n == 5 ? 71 : 72) : 70;
        String plan = story == 2 ? "v6" : story == 3 ? "v7" : story == 5 ? "v8" : null;
        Long height = story == 2 ? Long.valueOf(V6_HEIGHT) : story == 3 ? Long.valueOf(V7_HEIGHT)
                : story == 5 ? Long.valueOf(V8_HEIGHT) : null;
        HaltObserved h;
        if (stayAlive && code == 70) {
            h = HaltObserved.fromStatus(node, new HaltIntent(code, null, plan, height, null,
                    Instant.ofEpochMilli(haltAt)), at, pod, image, height - 1, version(image));
        } else {
            int restart = restarts[n]++ / 4; // a crash loop: the pod watcher sees each restart a few times
            h = HaltObserved.fromExitCode(node, new HaltCode(code), at, pod, "uid-" + n, "containerd://" + n
                    + "-" + restart, restart, at.minusSeconds(2), image);
        }
        return Topics.HALT_OBSERVATIONS.valueSerde().serializer().serialize(Topics.HALT_OBSERVATIONS.name(), h);
    }

    private static String version(String image) {
        return image.substring(image.lastIndexOf(':') + 1);
    }

    private static <V> void send(Sink sink, Topic<String, V> topic, String key, V value, Instant at) {
        sink.send(topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value), at);
    }
}
