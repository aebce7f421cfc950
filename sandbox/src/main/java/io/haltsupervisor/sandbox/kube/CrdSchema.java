package io.haltsupervisor.sandbox.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A CRD's structural schema (the first version's {@code openAPIV3Schema}), for strict field validation of writes
 * and for asking whether it defines a field. {@code metadata} is not checked (every object has the standard one).
 *
 * <p>What it checks: unknown fields (unless {@code x-kubernetes-preserve-unknown-fields}), JSON types
 * ({@code string}, {@code boolean}, {@code integer}, {@code number}, {@code object}, {@code array}) and
 * {@code enum}s. Not {@code required}, formats, bounds or CEL rules.
 */
public final class CrdSchema {
    private final CustomResourceDefinition crd;
    private final JsonNode root;

    private CrdSchema(CustomResourceDefinition crd) {
        this.crd = crd;
        this.root = Serialization.jsonMapper().valueToTree(crd.getSpec().getVersions().get(0).getSchema()
                .getOpenAPIV3Schema());
    }

    /** Loads {@code /crds/NAME.yaml} from the sandbox's resources. */
    public static CrdSchema load(String crdName) {
        String resource = "/crds/" + crdName + ".yaml";
        try (InputStream in = CrdSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no CRD resource " + resource);
            }
            return new CrdSchema(Serialization.unmarshal(in, CustomResourceDefinition.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public CustomResourceDefinition crd() {
        return crd;
    }

    public String plural() {
        return crd.getSpec().getNames().getPlural();
    }

    /**
     * True when the schema defines the field at {@code pointer} ({@code /spec/image}; {@code *} for any list
     * element, e.g. {@code /status/conditions/* /type}) explicitly — a field only allowed through
     * {@code x-kubernetes-preserve-unknown-fields} does not count.
     */
    public boolean defines(String pointer) {
        JsonNode schema = root;
        for (String token : pointer.substring(1).split("/")) {
            if (schema == null) {
                return false;
            }
            if ("*".equals(token)) {
                schema = schema.get("items");
            } else if (schema.path("properties").has(token)) {
                schema = schema.path("properties").get(token);
            } else if (schema.path("additionalProperties").isObject()) {
                schema = schema.get("additionalProperties");
            } else {
                return false;
            }
        }
        return schema != null;
    }

    /** What is wrong with {@code object} (a whole object as it would be stored): empty when it is valid. */
    public List<String> violations(JsonNode object) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if ("metadata".equals(e.getKey())) {
                continue;
            }
            check(root.path("properties").get(e.getKey()), e.getValue(), "." + e.getKey(), out, root);
        }
        return out;
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> out, JsonNode parent) {
        if (schema == null) {
            if (!parent.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                out.add("unknown field \"" + path.substring(1) + "\"");
            }
            return;
        }
        if (value.isNull()) {
            return;
        }
        String type = schema.path("type").asText("");
        String actual = value.isTextual() ? "string" : value.isBoolean() ? "boolean"
                : value.isIntegralNumber() ? "integer" : value.isNumber() ? "number"
                : value.isArray() ? "array" : "object";
        if (!type.isEmpty() && !type.equals(actual) && !("number".equals(type) && "integer".equals(actual))) {
            out.add(path.substring(1) + ": expected " + type + ", got " + actual);
            return;
        }
        if (schema.has("enum") && !containsValue(schema.get("enum"), value)) {
            out.add(path.substring(1) + ": unsupported value " + value + ", expected one of " + schema.get("enum"));
        }
        if (value.isArray()) {
            JsonNode items = schema.get("items");
            for (int i = 0; i < value.size(); i++) {
                if (items != null) {
                    check(items, value.get(i), path + "[" + i + "]", out, items);
                }
            }
        } else if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.get("additionalProperties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode child = properties.get(e.getKey());
                if (child == null && additional != null && additional.isObject()) {
                    child = additional;
                }
                check(child, e.getValue(), path + "." + e.getKey(), out, schema);
            }
        }
    }

    private static boolean containsValue(JsonNode values, JsonNode value) {
        for (JsonNode v : values) {
            if (v.equals(value) || v.asText().equals(value.asText()) && v.isTextual() == value.isTextual()) {
                return true;
            }
        }
        return false;
    }
}
