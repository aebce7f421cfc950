package io.haltsupervisor.pollers.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.Json;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pushes mutated {@code /status} bodies through {@link StatusParser}: byte-level damage (flips, cuts,
 * splices, junk) and JSON-level damage (values replaced by other types, negative and huge numbers, fields
 * dropped or renamed, random intents). Two properties must hold for every body: no exception escapes, and a
 * halt is reported only when an independent, deliberately simple reading of the contract agrees the body
 * carries a valid {@code halt_intent} — with the same reason, plan and height.
 */
class StatusParserFuzzTest {
    private static final int BODIES = 12_000;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[] JUNK = {"{", "}", "[", "]", "\"", ",", ":", "null", "-1", "1e999", "0x1f", "\\u0000",
            "\u00e9", "\ud83d\ude00", "NaN", "true", "<html>", "\n", "\"halt_intent\":", "\"reason\":70"};

    @Test
    void noExceptionEscapesAndNoInvalidIntentIsReportedAsAHalt() {
        long seed = Long.getLong("fuzz.seed", 20261120L);
        Random random = new Random(seed);
        List<ObjectNode> seeds = seeds();
        int halts = 0;
        int healthy = 0;
        Map<ObservationError.Kind, Integer> errors = new EnumMap<>(ObservationError.Kind.class);
        for (int i = 0; i < BODIES; i++) {
            ObjectNode base = seeds.get(random.nextInt(seeds.size())).deepCopy();
            byte[] body = random.nextInt(3) == 0 ? mutateBytes(Json.write(maybeUnwrap(base, random))
                    .getBytes(StandardCharsets.UTF_8), random) : Json.write(mutateTree(base, random))
                    .getBytes(StandardCharsets.UTF_8);
            StatusResult result;
            try {
                result = StatusParser.parse(200, "application/json", body);
            } catch (Throwable t) {
                throw new AssertionError("seed " + seed + " body #" + i + " threw: "
                        + new String(body, StandardCharsets.UTF_8), t);
            }
            Oracle expected = Oracle.read(body);
            if (result instanceof StatusResult.Read read) {
                HaltIntent reported = read.status().haltIntent();
                if (reported == null) {
                    healthy++;
                    if (expected.hasIntent()) {
                        fail("seed %d body #%d: intent present but reported healthy: %s", seed, i,
                                new String(body, StandardCharsets.UTF_8));
                    }
                } else {
                    halts++;
                    if (!expected.validIntent()) {
                        fail("seed %d body #%d: reported a halt for an invalid intent (%s): %s", seed, i,
                                expected.why(), new String(body, StandardCharsets.UTF_8));
                    }
                    assertThat(reported.reason()).isEqualTo(expected.reason());
                    assertThat(reported.height()).isEqualTo(expected.height());
                    assertThat(reported.planName()).isEqualTo(expected.planName());
                }
            } else {
                StatusResult.Failed failed = (StatusResult.Failed) result;
                errors.merge(failed.error().kind(), 1, Integer::sum);
                assertThat(failed.error().message()).isNotBlank().doesNotContain("\n");
            }
        }
        assertThat(halts + healthy + errors.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(BODIES);
        // the fuzzer must exercise every outcome, or it proves little
        assertThat(halts).as("bodies read as halts").isGreaterThan(BODIES / 20);
        assertThat(healthy).as("bodies read as healthy").isGreaterThan(BODIES / 50);
        assertThat(errors).containsKeys(ObservationError.Kind.MALFORMED, ObservationError.Kind.WRONG_TYPE,
                ObservationError.Kind.INVALID_INTENT);
    }

    private static List<ObjectNode> seeds() {
        List<ObjectNode> seeds = new ArrayList<>();
        String[] intents = {
            null,
            "null",
            "{\"reason\":70,\"reason_string\":\"upgrade_required\",\"plan_name\":\"v6\",\"height\":151000000,"
                    + "\"info\":\"{}\",\"announced_at\":\"2026-11-20T10:15:00.123456789Z\"}",
            "{\"reason\":71,\"plan_name\":\"v7\",\"height\":\"152000000\"}",
            "{\"reason\":\"72\",\"reason_string\":\"downgrade_detected\",\"announced_at\":\"2026-11-20T10:15:00+02:00\"}",
            "{\"reason\":84,\"reason_string\":\"halt_height\",\"info\":{\"a\":[1,2]}}",
            "{\"reason\":73}",
            "{\"reason\":70,\"height\":-1}",
            "{\"reason\":99,\"plan_name\":\"v9\"}",
        };
        for (String intent : intents) {
            for (boolean wrapped : new boolean[] {true, false}) {
                ObjectNode status = (ObjectNode) read(StatusParserTest.wrapped(
                        intent == null ? "" : ",\"halt_intent\":" + intent)).get("result");
                if (!wrapped) {
                    seeds.add(status);
                } else {
                    ObjectNode envelope = F.objectNode();
                    envelope.put("jsonrpc", "2.0");
                    envelope.put("id", -1);
                    envelope.set("result", status);
                    seeds.add(envelope);
                }
            }
        }
        return seeds;
    }

    private static JsonNode maybeUnwrap(ObjectNode node, Random random) {
        return random.nextBoolean() && node.has("result") ? node.get("result") : node;
    }

    private static byte[] mutateBytes(byte[] body, Random random) {
        byte[] b = body.clone();
        int kind = random.nextInt(5);
        switch (kind) {
            case 0 -> {
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                return b;
            }
            case 1 -> {
                return java.util.Arrays.copyOf(b, random.nextInt(b.length));
            }
            case 2 -> {
                int from = random.nextInt(b.length);
                int to = Math.min(b.length, from + 1 + random.nextInt(40));
                byte[] out = new byte[b.length - (to - from)];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, to, out, from, b.length - to);
                return out;
            }
            default -> {
                String s = new String(b, StandardCharsets.UTF_8);
                int at = random.nextInt(s.length() + 1);
                return (s.substring(0, at) + JUNK[random.nextInt(JUNK.length)] + s.substring(at))
                        .getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    private static JsonNode mutateTree(ObjectNode root, Random random) {
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            List<ObjectNode> parents = new ArrayList<>();
            collect(root, parents);
            ObjectNode parent = parents.get(random.nextInt(parents.size()));
            List<String> names = new ArrayList<>();
            parent.fieldNames().forEachRemaining(names::add);
            int op = random.nextInt(10);
            if (op == 0 && !names.isEmpty()) {
                parent.remove(names.get(random.nextInt(names.size())));
            } else if (op == 1 && !names.isEmpty()) {
                String name = names.get(random.nextInt(names.size()));
                parent.set(name + (random.nextBoolean() ? "_" : "").toUpperCase(java.util.Locale.ROOT),
                        parent.remove(name));
            } else if (op == 2) {
                ObjectNode status = root.has("result") && root.get("result").isObject()
                        ? (ObjectNode) root.get("result") : root;
                status.set("halt_intent", randomIntent(random));
            } else if (!names.isEmpty()) {
                parent.set(names.get(random.nextInt(names.size())), randomValue(random, 2));
            }
        }
        return root;
    }

    private static void collect(JsonNode node, List<ObjectNode> into) {
        if (node instanceof ObjectNode o) {
            into.add(o);
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            collect(it.next(), into);
        }
    }

    private static JsonNode randomIntent(Random random) {
        ObjectNode o = F.objectNode();
        String[] fields = {"reason", "reason_string", "plan_name", "height", "info", "announced_at"};
        for (String f : fields) {
            if (random.nextInt(4) == 0) {
                continue;
            }
            switch (f) {
                case "reason" -> o.set(f, random.nextInt(3) == 0 ? randomValue(random, 1)
                        : random.nextBoolean() ? F.numberNode(65 + random.nextInt(30))
                        : F.textNode(Integer.toString(65 + random.nextInt(30))));
                case "reason_string" -> o.set(f, random.nextInt(3) == 0 ? randomValue(random, 1) : F.textNode(
                        new String[] {"upgrade_required", "binary_too_new", "downgrade_detected", "unknown",
                            "halt_height", ""}[random.nextInt(6)]));
                case "height" -> o.set(f, random.nextInt(3) == 0 ? randomValue(random, 1)
                        : random.nextBoolean() ? F.numberNode(random.nextLong() % 1_000_000_000L)
                        : F.textNode(Long.toString(random.nextLong() % 1_000_000_000L)));
                case "announced_at" -> o.set(f, random.nextInt(3) == 0 ? randomValue(random, 1) : F.textNode(
                        new String[] {"2026-11-20T10:15:00Z", "2026-11-20T10:15:00.123456789Z", "2026-11-20 10:15",
                            "2026-11-20T10:15:00+25:00", "", "1732097700"}[random.nextInt(6)]));
                default -> o.set(f, randomValue(random, 1));
            }
        }
        return random.nextInt(10) == 0 ? randomValue(random, 1) : o;
    }

    private static JsonNode randomValue(Random random, int depth) {
        switch (random.nextInt(depth > 0 ? 12 : 10)) {
            case 0: return F.nullNode();
            case 1: return F.booleanNode(random.nextBoolean());
            case 2: return F.numberNode(random.nextInt(200) - 100);
            case 3: return F.numberNode(new BigInteger("9".repeat(1 + random.nextInt(30))));
            case 4: return F.numberNode(random.nextDouble() * 1e9);
            case 5: return F.textNode(Long.toString(random.nextLong()));
            case 6: return F.textNode("");
            case 7: return F.textNode("v" + random.nextInt(10) + "." + random.nextInt(10));
            case 8: return F.numberNode(-random.nextInt(1000));
            case 9: return F.textNode("<b>" + random.nextInt() + "</b>");
            case 10: {
                ArrayNode a = F.arrayNode();
                for (int n = random.nextInt(3); n > 0; n--) {
                    a.add(randomValue(random, depth - 1));
                }
                return a;
            }
            default: {
                ObjectNode o = F.objectNode();
                for (int n = random.nextInt(3); n > 0; n--) {
                    o.set("k" + n, randomValue(random, depth - 1));
                }
                return o;
            }
        }
    }

    private static JsonNode read(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An independent, plain reading of the halt contract, to judge the parser by. */
    private record Oracle(boolean hasIntent, boolean validIntent, String why, int reason, Long height,
            String planName) {

        static Oracle read(byte[] body) {
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(body);
            } catch (Exception e) {
                return new Oracle(false, false, "not JSON", 0, null, null);
            }
            if (root == null || !root.isObject()) {
                return new Oracle(false, false, "not an object", 0, null, null);
            }
            JsonNode status = root.has("jsonrpc") || root.has("result") || root.has("error") ? root.get("result") : root;
            if (status == null || !status.isObject()) {
                return new Oracle(false, false, "no status object", 0, null, null);
            }
            JsonNode intent = status.get("halt_intent");
            if (intent == null || intent.isNull()) {
                return new Oracle(false, false, "no intent", 0, null, null);
            }
            if (!intent.isObject()) {
                return invalid("intent not an object");
            }
            JsonNode r = intent.get("reason");
            int reason;
            if (r != null && r.isIntegralNumber() && r.canConvertToInt()) {
                reason = r.intValue();
            } else if (r != null && r.isTextual() && r.textValue().trim().matches("\\d{1,9}")) {
                reason = Integer.parseInt(r.textValue().trim());
            } else {
                return invalid("reason not an integer");
            }
            if (reason != 0 && (reason < 70 || reason > 89)) {
                return invalid("reason outside 70-89 and not 0");
            }
            for (String f : new String[] {"plan_name"}) {
                JsonNode n = intent.get(f);
                if (n != null && !n.isNull() && !n.isTextual()) {
                    return invalid(f + " not a string");
                }
            }
            // reason_string never decides validity: the numeric reason is authoritative (a mismatch is tolerated)
            JsonNode info = intent.get("info");
            if (info != null && !info.isNull() && !info.isTextual() && !info.isContainerNode()) {
                return invalid("info not a string");
            }
            Long height = null;
            JsonNode h = intent.get("height");
            if (h != null && !h.isNull()) {
                BigInteger value;
                if (h.isIntegralNumber()) {
                    value = h.bigIntegerValue();
                } else if (h.isTextual()) {
                    String t = h.textValue().trim();
                    if (t.isEmpty()) {
                        value = null;
                    } else if (t.matches("-?\\d+")) {
                        value = new BigInteger(t);
                    } else {
                        return invalid("height text not decimal");
                    }
                } else if (h.isNumber()) {
                    if (Double.isInfinite(h.doubleValue()) || Double.isNaN(h.doubleValue())) {
                        return invalid("height not finite");
                    }
                    try {
                        value = h.decimalValue().toBigIntegerExact();
                    } catch (ArithmeticException e) {
                        return invalid("height not integral");
                    }
                } else {
                    return invalid("height of wrong type");
                }
                if (value != null) {
                    if (value.signum() < 0 || value.bitLength() > 63) {
                        return invalid("height negative or over int64");
                    }
                    height = value.longValue();
                }
            }
            JsonNode at = intent.get("announced_at");
            if (at != null && !at.isNull()) {
                if (!at.isTextual()) {
                    return invalid("announced_at not a string");
                }
                try {
                    OffsetDateTime.parse(at.textValue().trim());
                } catch (Exception e) {
                    return invalid("announced_at not RFC 3339");
                }
            }
            JsonNode plan = intent.get("plan_name");
            String planName = plan == null || plan.isNull() || plan.textValue().isBlank() ? null : plan.textValue();
            return new Oracle(true, true, "valid", reason, height, planName);
        }

        private static Oracle invalid(String why) {
            return new Oracle(true, false, why, 0, null, null);
        }

        @Override
        public String toString() {
            return Objects.toString(why);
        }
    }
}
