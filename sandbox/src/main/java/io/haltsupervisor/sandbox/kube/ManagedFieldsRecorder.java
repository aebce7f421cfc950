package io.haltsupervisor.sandbox.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the in-memory API records in {@code metadata.managedFields} for a write, as a real API server does for an
 * {@code Update} (create, update, JSON or merge patch): the writer's manager name — the request's
 * {@code fieldManager} query parameter, else its User-Agent up to the first {@code /} — owns every field the write
 * changed; those fields leave every other manager's set; a manager left with no field loses its entry; one entry
 * per manager, operation and subresource, with the time of its last write ({@code time}, seconds) and
 * {@code fieldsV1} ({@code f:<field>}, {@code k:{"name":…}} for an element of a list whose elements all carry a
 * {@code name} (or a {@code type}, as conditions do), {@code {}} for a leaf).
 *
 * <p>Simplified against a real API server: other lists are owned whole (atomic) rather than by their declared list
 * type, a list's own {@code "."} entries are not written, server-side apply ({@code Apply}) is not served (the
 * in-memory API answers {@code 415}), and a write that changes nothing still moves the entry's time. Pure: JSON in,
 * JSON out.
 */
final class ManagedFieldsRecorder {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final Set<String> SYSTEM_METADATA = Set.of("managedFields", "resourceVersion", "generation", "uid",
            "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink");

    private ManagedFieldsRecorder() {
    }

    /** The manager of a request: {@code fieldManager} from the query, else the User-Agent's prefix, else "unknown". */
    static String manager(String path, String userAgent) {
        int q = path.indexOf('?');
        if (q >= 0) {
            for (String param : path.substring(q + 1).split("&")) {
                if (param.startsWith("fieldManager=") && param.length() > "fieldManager=".length()) {
                    return java.net.URLDecoder.decode(param.substring("fieldManager=".length()),
                            java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        if (userAgent != null && !userAgent.isBlank()) {
            String prefix = userAgent.split("/", 2)[0].strip();
            return prefix.length() > 128 ? prefix.substring(0, 128) : prefix;
        }
        return "unknown";
    }

    /**
     * The managedFields after {@code manager} turned {@code before} (null: a create) into {@code after}, through
     * {@code subresource} (null, or {@code status}).
     */
    static ArrayNode record(JsonNode before, JsonNode after, String manager, String subresource, Instant now) {
        Set<List<String>> changed = new LinkedHashSet<>();
        diff(before == null ? null : scope(before, subresource), scope(after, subresource), new ArrayList<>(), changed);
        Set<List<String>> present = new LinkedHashSet<>();
        for (List<String> p : changed) {
            if (exists(after, p)) {
                present.add(p);
            }
        }
        Map<String, ObjectNode> entries = new LinkedHashMap<>();
        Map<String, Set<List<String>>> owned = new LinkedHashMap<>();
        JsonNode existing = before == null ? null : before.path("metadata").path("managedFields");
        if (existing != null && existing.isArray()) {
            for (JsonNode e : existing) {
                if (!e.isObject()) {
                    continue;
                }
                String id = id(e.path("manager").asText(""), e.path("operation").asText("Update"),
                        e.path("subresource").asText(""));
                entries.put(id, ((ObjectNode) e).deepCopy());
                Set<List<String>> paths = new LinkedHashSet<>();
                flatten(e.path("fieldsV1"), new ArrayList<>(), paths);
                owned.put(id, paths);
            }
        }
        String mine = id(manager, "Update", subresource == null ? "" : subresource);
        for (Map.Entry<String, Set<List<String>>> e : owned.entrySet()) {
            if (!e.getKey().equals(mine)) {
                e.getValue().removeAll(changed);
            }
        }
        Set<List<String>> myPaths = owned.computeIfAbsent(mine, k -> new LinkedHashSet<>());
        myPaths.removeIf(p -> changed.contains(p) && !present.contains(p));
        myPaths.addAll(present);
        ObjectNode me = entries.computeIfAbsent(mine, k -> JSON.objectNode());
        me.put("manager", manager).put("operation", "Update")
                .put("apiVersion", after.path("apiVersion").asText(""))
                .put("time", now.truncatedTo(ChronoUnit.SECONDS).toString()).put("fieldsType", "FieldsV1");
        if (subresource != null) {
            me.put("subresource", subresource);
        }
        ArrayNode out = JSON.arrayNode();
        for (Map.Entry<String, ObjectNode> e : entries.entrySet()) {
            Set<List<String>> paths = owned.getOrDefault(e.getKey(), Set.of());
            if (paths.isEmpty()) {
                continue; // a manager that owns nothing any more loses its entry
            }
            e.getValue().set("fieldsV1", nest(paths));
            out.add(e.getValue());
        }
        return out;
    }

    private static String id(String manager, String operation, String subresource) {
        return manager + "\u0000" + operation.toLowerCase(Locale.ROOT) + "\u0000" + subresource;
    }

    /** The part of the object a write through {@code subresource} counts: status alone, or everything but status. */
    private static JsonNode scope(JsonNode object, String subresource) {
        ObjectNode copy = JSON.objectNode();
        if (object == null || !object.isObject()) {
            return copy;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            boolean status = k.equals("status");
            if ("status".equals(subresource) != status || k.equals("apiVersion") || k.equals("kind")) {
                continue;
            }
            if (k.equals("metadata") && e.getValue().isObject()) {
                ObjectNode meta = ((ObjectNode) e.getValue()).deepCopy();
                meta.remove(SYSTEM_METADATA);
                copy.set(k, meta);
            } else {
                copy.set(k, e.getValue());
            }
        }
        return copy;
    }

    private static void diff(JsonNode before, JsonNode after, List<String> at, Set<List<String>> changed) {
        boolean b = before != null && !before.isMissingNode() && !before.isNull();
        boolean a = after != null && !after.isMissingNode() && !after.isNull();
        if (!a && !b) {
            return;
        }
        if ((!a || after.isObject()) && (!b || before.isObject())) {
            Set<String> keys = new LinkedHashSet<>();
            if (b) {
                before.fieldNames().forEachRemaining(keys::add);
            }
            if (a) {
                after.fieldNames().forEachRemaining(keys::add);
            }
            if (keys.isEmpty() && a != b && !at.isEmpty()) {
                changed.add(List.copyOf(at));
            }
            for (String k : keys) {
                at.add("f:" + k);
                diff(b ? before.get(k) : null, a ? after.get(k) : null, at, changed);
                at.remove(at.size() - 1);
            }
            return;
        }
        String keyField = keyOf(b ? before : null, a ? after : null);
        if (keyField != null) {
            Map<String, JsonNode> left = byKey(b ? before : null, keyField);
            Map<String, JsonNode> right = byKey(a ? after : null, keyField);
            Set<String> keys = new LinkedHashSet<>(left.keySet());
            keys.addAll(right.keySet());
            for (String k : keys) {
                at.add(key(keyField, k));
                diff(left.get(k), right.get(k), at, changed);
                at.remove(at.size() - 1);
            }
            return;
        }
        if (!(a && b && before.equals(after))) {
            changed.add(List.copyOf(at));
        }
    }

    /** {@code k:{"name":"seid"}}: a keyed list element's token, compact JSON as a real API server writes it. */
    static String key(String field, String value) {
        return "k:{\"" + field + "\":" + JSON.textNode(value) + "}";
    }

    /** {@code name} or {@code type} when both sides are lists (or absent) whose elements all carry it; else null. */
    private static String keyOf(JsonNode before, JsonNode after) {
        for (String field : List.of("name", "type")) {
            if (allKeyed(before, field) && allKeyed(after, field) && (isArray(before) || isArray(after))) {
                return field;
            }
        }
        return null;
    }

    private static boolean isArray(JsonNode n) {
        return n != null && n.isArray() && !n.isEmpty();
    }

    private static boolean allKeyed(JsonNode list, String field) {
        if (list == null || list.isMissingNode() || list.isNull()) {
            return true;
        }
        if (!list.isArray()) {
            return false;
        }
        for (JsonNode e : list) {
            if (!e.isObject() || !e.path(field).isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, JsonNode> byKey(JsonNode list, String field) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        if (list != null && list.isArray()) {
            for (JsonNode e : list) {
                m.put(e.path(field).asText(), e);
            }
        }
        return m;
    }

    private static boolean exists(JsonNode object, List<String> path) {
        JsonNode at = object;
        for (String token : path) {
            if (at == null) {
                return false;
            }
            if (token.startsWith("f:")) {
                at = at.isObject() ? at.get(token.substring(2)) : null;
                continue;
            }
            JsonNode key;
            try {
                key = MAPPER.readTree(token.substring(2));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return false;
            }
            Map.Entry<String, JsonNode> kv = key.fields().next();
            JsonNode found = null;
            if (at.isArray()) {
                for (JsonNode e : at) {
                    if (kv.getValue().equals(e.get(kv.getKey()))) {
                        found = e;
                    }
                }
            }
            at = found;
        }
        return at != null && !at.isNull();
    }

    private static void flatten(JsonNode fields, List<String> at, Set<List<String>> out) {
        if (!fields.isObject()) {
            return;
        }
        boolean leaf = true;
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(".")) {
                continue;
            }
            leaf = false;
            at.add(e.getKey());
            flatten(e.getValue(), at, out);
            at.remove(at.size() - 1);
        }
        if (leaf && !at.isEmpty()) {
            out.add(List.copyOf(at));
        }
    }

    private static ObjectNode nest(Set<List<String>> paths) {
        ObjectNode root = JSON.objectNode();
        for (List<String> p : paths) {
            ObjectNode at = root;
            for (String token : p) {
                JsonNode next = at.get(token);
                at = next instanceof ObjectNode o ? o : at.putObject(token);
            }
        }
        return root;
    }
}
