package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast readers against Jackson's data binding: on every value they accept they must give what data
 * binding gives, and they must accept the events as the mapper writes them. What they decline is data
 * binding's to accept or reject (JsonSerde falls back), so declining is always safe; accepting is what is tested.
 */
class FastDecodersTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] NODE_IDS = {"sei/rpc-0", "sei-testnet/validator-12", "a/b"};
    private static final String[] IMAGES = {"ghcr.io/sei-protocol/seid:v6.0.1", "seid:v5.9.0", "registry:5000/x@sha256:"
            + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"};

    private final Random random = new Random(20261127L);

    @Test
    void readsEveryGeneratedEventAsDataBindingDoes() throws Exception {
        for (int i = 0; i < 3_000; i++) {
            HaltObserved halt = randomHalt();
            assertAcceptedAndEqual(HaltObserved.class, Json.MAPPER.writeValueAsBytes(halt), halt);
            NodeObservation observation = randomObservation();
            assertAcceptedAndEqual(NodeObservation.class,
                    Json.MAPPER.writerFor(NodeObservation.class).writeValueAsBytes(observation), observation);
        }
        for (HaltObserved halt : SampleEvents.haltObservations()) {
            assertAcceptedAndEqual(HaltObserved.class, Json.MAPPER.writeValueAsBytes(halt), halt);
        }
        for (NodeObservation observation : SampleEvents.nodeObservations()) {
            assertAcceptedAndEqual(NodeObservation.class,
                    Json.MAPPER.writerFor(NodeObservation.class).writeValueAsBytes(observation), observation);
        }
    }

    @Test
    void neverAcceptsAMutatedEventDifferentlyFromDataBinding() throws Exception {
        int accepted = 0;
        int declined = 0;
        for (int i = 0; i < 20_000; i++) {
            boolean halt = i % 2 == 0;
            Class<?> type = halt ? HaltObserved.class : NodeObservation.class;
            Object event = halt ? randomHalt() : randomObservation();
            ObjectNode tree = (ObjectNode) Json.MAPPER.valueToTree(event);
            byte[] bytes = mutate(tree);
            Object fast = FastDecoders.decode(FastDecoders.forType(type), bytes);
            String binding = bindingOutcome(type, bytes);
            if (fast != null) {
                accepted++;
                assertThat("value " + fast).as(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(binding);
            } else {
                declined++;
            }
            // and through the serde, whichever path: exactly data binding's outcome
            assertThat(serdeOutcome(type, bytes)).as(new String(bytes, StandardCharsets.UTF_8))
                    .isEqualTo(binding.startsWith("value ") ? binding : "error");
        }
        // the mutations are a mix: both paths must have been taken many times, or the test proves little
        assertThat(accepted).isGreaterThan(2_000);
        assertThat(declined).isGreaterThan(2_000);
    }

    private static void assertAcceptedAndEqual(Class<?> type, byte[] bytes, Object expected) throws Exception {
        Object fast = FastDecoders.decode(FastDecoders.forType(type), bytes);
        assertThat(fast).as(new String(bytes, StandardCharsets.UTF_8)).isNotNull().isEqualTo(expected)
                .isEqualTo(Json.MAPPER.readerFor(type).readValue(bytes));
    }

    private static String bindingOutcome(Class<?> type, byte[] bytes) {
        ObjectReader reader = Json.MAPPER.readerFor(type);
        try {
            return "value " + reader.readValue(bytes);
        } catch (Exception e) {
            return "error " + e.getClass().getSimpleName();
        }
    }

    private static String serdeOutcome(Class<?> type, byte[] bytes) {
        try {
            return "value " + JsonSerde.of(type).deserialize("t", bytes);
        } catch (RuntimeException e) {
            return "error";
        }
    }

    // ------------------------------------------------------------------ mutations

    /** One to three random changes to the event's JSON, some of them only expressible as text. */
    private byte[] mutate(ObjectNode tree) {
        int changes = 1 + random.nextInt(3);
        String suffix = "";
        String duplicate = null;
        for (int c = 0; c < changes; c++) {
            ObjectNode target = tree.get("intent") instanceof ObjectNode intent && random.nextInt(4) == 0 ? intent : tree;
            List<String> names = new ArrayList<>();
            target.fieldNames().forEachRemaining(names::add);
            String field = names.isEmpty() ? "x" : names.get(random.nextInt(names.size()));
            switch (random.nextInt(9)) {
                case 0 -> target.remove(field);
                case 1, 2 -> target.set(field, randomValue());
                case 3 -> target.set("unknown" + random.nextInt(3), randomValue());
                case 4 -> shuffle(target);
                case 5 -> duplicate = field;
                case 6 -> target.put(field, instantVariant());
                case 7 -> suffix = random.nextBoolean() ? " {}" : " ";
                default -> {
                    // no change: the unmutated form must also hold
                }
            }
        }
        String json = tree.toString();
        if (duplicate != null && tree.has(duplicate)) {
            json = "{\"" + duplicate + "\":" + randomValue() + "," + json.substring(1);
        }
        return (json + suffix).getBytes(StandardCharsets.UTF_8);
    }

    private void shuffle(ObjectNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        Collections.shuffle(names, random);
        ObjectNode copy = node.deepCopy();
        node.removeAll();
        names.forEach(n -> node.set(n, copy.get(n)));
    }

    private JsonNode randomValue() {
        return switch (random.nextInt(16)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextInt(200) - 20);
            case 3 -> NODES.numberNode(70 + random.nextInt(20));
            case 4 -> NODES.numberNode(1.5);
            case 5 -> NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 6 -> NODES.numberNode(5_000_000_000L);
            case 7 -> NODES.textNode("70");
            case 8 -> NODES.textNode("");
            case 9 -> NODES.textNode("status");
            case 10 -> NODES.textNode("exit-code");
            case 11 -> NODES.textNode(NODE_IDS[random.nextInt(NODE_IDS.length)]);
            case 12 -> NODES.arrayNode().add(1);
            case 13 -> NODES.objectNode().put("reason", 70);
            case 14 -> NODES.textNode(instantVariant());
            default -> NODES.textNode("heartbeat");
        };
    }

    private String instantVariant() {
        Instant at = Instant.ofEpochSecond(1_790_000_000L + random.nextInt(1_000_000), random.nextInt(1_000_000_000));
        return switch (random.nextInt(6)) {
            case 0 -> at.toString();
            case 1 -> at.toString().toLowerCase(java.util.Locale.ROOT);
            case 2 -> at.atOffset(java.time.ZoneOffset.ofHours(2)).toString();
            case 3 -> " " + at;
            case 4 -> "2026-02-30T00:00:00Z";
            default -> Long.toString(at.getEpochSecond());
        };
    }

    // ------------------------------------------------------------------ events

    private HaltObserved randomHalt() {
        String node = NODE_IDS[random.nextInt(NODE_IDS.length)];
        Instant at = randomInstant();
        String pod = random.nextBoolean() ? null : "pod-" + random.nextInt(100);
        String image = random.nextBoolean() ? null : IMAGES[random.nextInt(IMAGES.length)];
        if (random.nextBoolean()) {
            HaltIntent intent = new HaltIntent(70 + random.nextInt(20), random.nextBoolean() ? null : "why",
                    random.nextBoolean() ? null : "v" + random.nextInt(9), random.nextBoolean() ? null
                            : (long) random.nextInt(Integer.MAX_VALUE) * 100,
                    random.nextBoolean() ? null : "{\"binaries\":{}}", random.nextBoolean() ? null : randomInstant());
            return HaltObserved.fromStatus(node, intent, at, pod, image,
                    random.nextBoolean() ? null : (long) random.nextInt(200_000_000), random.nextBoolean() ? null : "v6");
        }
        return HaltObserved.fromExitCode(node, new HaltCode(70 + random.nextInt(20)), at,
                pod, random.nextBoolean() ? null : "uid-" + random.nextInt(9), random.nextBoolean() ? null
                        : "containerd://" + random.nextInt(1000), random.nextInt(50),
                random.nextBoolean() ? null : randomInstant(), image);
    }

    private NodeObservation randomObservation() {
        String node = NODE_IDS[random.nextInt(NODE_IDS.length)];
        if (random.nextBoolean()) {
            NodeStatusObserved.Change[] changes = NodeStatusObserved.Change.values();
            return NodeStatusObserved.of(node, randomInstant(), changes[random.nextInt(changes.length)],
                    random.nextBoolean() ? null : (long) random.nextInt(200_000_000),
                    random.nextBoolean() ? null : "v6.0.1", random.nextInt(3) == 0 ? null : random.nextBoolean(),
                    random.nextBoolean() ? null : "pod-" + random.nextInt(9));
        }
        return PodStateObserved.of(node, randomInstant(), "pod-" + random.nextInt(9),
                random.nextBoolean() ? null : "uid-" + random.nextInt(9), IMAGES[random.nextInt(IMAGES.length)],
                random.nextBoolean(), random.nextBoolean() ? null : "Running", random.nextInt(40),
                random.nextBoolean() ? null : 70 + random.nextInt(30), random.nextBoolean(), random.nextBoolean());
    }

    private Instant randomInstant() {
        long nanos = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000L;
            case 2 -> random.nextInt(1_000_000) * 1_000L;
            default -> random.nextInt(1_000_000_000);
        };
        return Instant.ofEpochSecond(1_700_000_000L + random.nextInt(200_000_000), nanos);
    }
}
