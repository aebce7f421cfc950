package io.haltsupervisor.actuator.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.schemas.Json;
import java.util.Map;

/** Builds an RFC 6902 JSON Patch with the project's ObjectMapper. */
final class JsonPatchBuilder {
    private final ArrayNode ops = Json.MAPPER.createArrayNode();

    /** Escapes one JSON Pointer token (RFC 6901): {@code ~} → {@code ~0}, {@code /} → {@code ~1}. */
    static String token(String s) {
        return s.replace("~", "~0").replace("/", "~1");
    }

    JsonPatchBuilder test(String path, Object value) {
        return op("test", path, value);
    }

    JsonPatchBuilder add(String path, Object value) {
        return op("add", path, value);
    }

    JsonPatchBuilder replace(String path, Object value) {
        return op("replace", path, value);
    }

    JsonPatchBuilder remove(String path) {
        ObjectNode op = ops.addObject();
        op.put("op", "remove");
        op.put("path", path);
        return this;
    }

    /**
     * Sets annotations on an object whose current annotations are {@code current} (null or empty when the object
     * has none — fabric8 reads an absent map as empty —: the whole map is added then, since JSON Patch cannot add
     * under a missing parent).
     */
    JsonPatchBuilder setAnnotations(Map<String, String> current, Map<String, String> values) {
        if (current == null || current.isEmpty()) {
            return add("/metadata/annotations", values);
        }
        values.forEach((k, v) -> add("/metadata/annotations/" + token(k), v));
        return this;
    }

    /** Removes the annotations of {@code keys} that {@code current} has. */
    JsonPatchBuilder removeAnnotations(Map<String, String> current, String... keys) {
        if (current != null) {
            for (String k : keys) {
                if (current.containsKey(k)) {
                    remove("/metadata/annotations/" + token(k));
                }
            }
        }
        return this;
    }

    private JsonPatchBuilder op(String name, String path, Object value) {
        ObjectNode op = ops.addObject();
        op.put("op", name);
        op.put("path", path);
        op.set("value", value instanceof JsonNode n ? n : Json.MAPPER.valueToTree(value));
        return this;
    }

    boolean isEmpty() {
        return ops.isEmpty();
    }

    String build() {
        return ops.toString();
    }
}
