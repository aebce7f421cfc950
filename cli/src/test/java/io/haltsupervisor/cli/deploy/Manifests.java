package io.haltsupervisor.cli.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads the manifests under {@code deploy/} without a cluster and without {@code kubectl}: YAML documents,
 * a kustomize renderer for the subset of kustomize the project uses, and typed fabric8 objects in which an
 * unknown field is an error.
 *
 * <p>The renderer understands {@code resources} (files and directories with a {@code kustomization.yaml}),
 * {@code namespace} (refused together with RBAC bindings, whose subjects kustomize would also rewrite),
 * {@code patches} given as a JSON 6902 patch file with a {@code target} that must match exactly one object, and
 * {@code configMapGenerator} entries of {@code name}, {@code namespace}, {@code files} and {@code options} with
 * {@code disableNameSuffixHash: true} and {@code labels}.
 * Any other kustomization field fails the render, so a manifest can never rely on something this check does
 * not understand. {@code KustomizeRenderIT} compares the result with {@code kubectl kustomize} where it is
 * installed.
 */
final class Manifests {
    static final String IMAGE = "ghcr.io/halt-supervisor/halt-supervisor:0.1.0";
    static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> KUSTOMIZATION_FIELDS = Set.of("apiVersion", "kind", "resources", "namespace",
            "patches", "configMapGenerator");
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "PersistentVolume", "StorageClass");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization(
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES), true);
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Manifests() {
    }

    /** The repository root: the first ancestor of the working directory holding {@code deploy/} and a pom. */
    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("deploy")) && Files.isRegularFile(p.resolve("pom.xml"))
                    && Files.isDirectory(p.resolve("schemas"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }

    static Path deploy() {
        return root().resolve("deploy");
    }

    /** Every directory under {@code deploy/} holding a {@code kustomization.yaml}. */
    static List<Path> kustomizations() {
        try (Stream<Path> files = Files.walk(deploy())) {
            return files.filter(f -> f.getFileName().toString().equals("kustomization.yaml"))
                    .map(Path::getParent).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The YAML documents of a file (empty documents skipped). */
    static List<ObjectNode> documents(Path file) {
        List<ObjectNode> out = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            var values = YAML.readValues(parser, JsonNode.class);
            while (values.hasNext()) {
                JsonNode n = values.next();
                if (n == null || n.isNull() || n.isMissingNode()) {
                    continue;
                }
                if (!n.isObject()) {
                    throw new IllegalStateException(file + ": a document is not a mapping: " + n);
                }
                out.add((ObjectNode) n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    /** A rendered kustomization and the files it read (resources and patches). */
    record Rendered(Path dir, List<ObjectNode> objects, Set<Path> files) {
        /** Objects of a kind. */
        List<ObjectNode> ofKind(String kind) {
            return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
        }

        ObjectNode get(String kind, String name) {
            List<ObjectNode> found = objects.stream().filter(o -> kind.equals(o.path("kind").asText())
                    && name.equals(o.path("metadata").path("name").asText())).toList();
            if (found.size() != 1) {
                throw new AssertionError(dir + ": expected one " + kind + " " + name + ", found " + found.size());
            }
            return found.get(0);
        }

        List<HasMetadata> typed() {
            return objects.stream().map(Manifests::typed).toList();
        }
    }

    /** Renders the kustomization in {@code dir}. */
    static Rendered render(Path dir) {
        Set<Path> files = new LinkedHashSet<>();
        List<ObjectNode> objects = render(dir.toAbsolutePath().normalize(), files, new LinkedHashSet<>());
        Set<String> ids = new LinkedHashSet<>();
        for (ObjectNode o : objects) {
            String id = id(o);
            if (!ids.add(id)) {
                throw new IllegalStateException(dir + ": " + id + " is declared twice");
            }
        }
        return new Rendered(dir, objects, files);
    }

    private static List<ObjectNode> render(Path dir, Set<Path> files, Set<Path> visiting) {
        if (!visiting.add(dir)) {
            throw new IllegalStateException("kustomization cycle through " + dir);
        }
        Path file = dir.resolve("kustomization.yaml");
        files.add(file);
        List<ObjectNode> docs = documents(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(file + ": expected one document");
        }
        ObjectNode k = docs.get(0);
        k.fieldNames().forEachRemaining(f -> {
            if (!KUSTOMIZATION_FIELDS.contains(f)) {
                throw new IllegalStateException(file + ": field '" + f + "' is not supported by this check");
            }
        });
        require(k.path("apiVersion").asText().equals("kustomize.config.k8s.io/v1beta1")
                && k.path("kind").asText().equals("Kustomization"), file + ": not a Kustomization");
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            require(p.startsWith(deploy()), file + ": resource " + p + " is outside deploy/");
            if (Files.isDirectory(p)) {
                out.addAll(render(p, files, visiting));
            } else {
                require(Files.isRegularFile(p), file + ": resource " + r.asText() + " does not exist");
                files.add(p);
                out.addAll(documents(p));
            }
        }
        for (JsonNode generator : k.path("configMapGenerator")) {
            out.add(generatedConfigMap(dir, file, generator, files));
        }
        for (JsonNode patch : k.path("patches")) {
            Set<String> fields = new LinkedHashSet<>();
            patch.fieldNames().forEachRemaining(fields::add);
            require(Set.of("path", "target").equals(fields), file + ": a patch needs exactly path and target");
            Path p = dir.resolve(patch.path("path").asText()).normalize();
            files.add(p);
            JsonNode ops;
            try {
                ops = YAML.readTree(p.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            require(ops.isArray(), p + ": expected a JSON 6902 patch (a list of operations)");
            JsonNode target = patch.path("target");
            List<ObjectNode> matches = out.stream().filter(o -> matches(o, target)).toList();
            require(matches.size() == 1, file + ": patch target " + target + " matches " + matches.size()
                    + " objects, expected 1");
            ObjectNode patched = (ObjectNode) JsonPatch.apply(ops, matches.get(0));
            out.set(out.indexOf(matches.get(0)), patched);
        }
        if (k.has("namespace")) {
            String ns = k.path("namespace").asText();
            for (ObjectNode o : out) {
                String kind = o.path("kind").asText();
                require(!kind.endsWith("RoleBinding"), file + ": namespace with RBAC bindings is not supported");
                if (!CLUSTER_SCOPED.contains(kind)) {
                    ((ObjectNode) o.get("metadata")).put("namespace", ns);
                }
            }
        }
        visiting.remove(dir);
        return out;
    }

    /** The ConfigMap a {@code configMapGenerator} entry makes: one data key per file, named as the file. */
    private static ObjectNode generatedConfigMap(Path dir, Path kustomization, JsonNode generator, Set<Path> files) {
        Set<String> fields = new LinkedHashSet<>();
        generator.fieldNames().forEachRemaining(fields::add);
        require(Set.of("name", "namespace", "files", "options").containsAll(fields) && fields.contains("name")
                && fields.contains("files"), kustomization + ": a configMapGenerator needs name and files (namespace,"
                + " options optional), got " + fields);
        JsonNode options = generator.path("options");
        Set<String> optionFields = new LinkedHashSet<>();
        options.fieldNames().forEachRemaining(optionFields::add);
        require(options.path("disableNameSuffixHash").asBoolean(false)
                && Set.of("disableNameSuffixHash", "labels").containsAll(optionFields), kustomization
                + ": configMapGenerator " + generator.path("name").asText() + " must set options.disableNameSuffixHash:"
                + " true (other workloads refer to it by name) and may set options.labels");
        ObjectNode cm = YAML.createObjectNode();
        cm.put("apiVersion", "v1");
        cm.put("kind", "ConfigMap");
        ObjectNode metadata = cm.putObject("metadata");
        if (options.has("labels")) {
            metadata.set("labels", options.get("labels"));
        }
        metadata.put("name", generator.path("name").asText());
        if (generator.has("namespace")) {
            metadata.put("namespace", generator.path("namespace").asText());
        }
        ObjectNode data = cm.putObject("data");
        for (JsonNode f : generator.path("files")) {
            Path p = dir.resolve(f.asText()).normalize();
            require(p.startsWith(deploy()) && Files.isRegularFile(p), kustomization + ": generator file " + f.asText()
                    + " does not exist under deploy/");
            files.add(p);
            try {
                data.put(p.getFileName().toString(), Files.readString(p));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cm;
    }

    private static boolean matches(ObjectNode o, JsonNode target) {
        String apiVersion = o.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        return (!target.has("group") || target.path("group").asText().equals(group))
                && (!target.has("version") || target.path("version").asText().equals(version))
                && (!target.has("kind") || target.path("kind").asText().equals(o.path("kind").asText()))
                && (!target.has("name") || target.path("name").asText().equals(o.path("metadata").path("name").asText()));
    }

    /** {@code apiVersion kind namespace/name}. */
    static String id(JsonNode o) {
        return o.path("apiVersion").asText() + " " + o.path("kind").asText() + " "
                + o.path("metadata").path("namespace").asText("") + "/" + o.path("metadata").path("name").asText();
    }

    /**
     * The typed fabric8 object of a manifest. Fails when the kind is not one fabric8 knows (except Strimzi
     * {@code KafkaTopic}, checked by {@link #kafkaTopicSpec}), or when any field was not recognised: fabric8
     * keeps unknown fields in {@code additionalProperties} rather than failing, so every object of the
     * parsed tree is checked for leftovers.
     */
    static HasMetadata typed(ObjectNode node) {
        HasMetadata o;
        try {
            o = SERIALIZATION.unmarshal(YAML.writeValueAsString(node), HasMetadata.class);
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(id(node) + ": does not parse as a Kubernetes object: " + e.getMessage(), e);
        }
        if (o instanceof GenericKubernetesResource g) {
            boolean topic = "kafka.strimzi.io/v1beta2".equals(g.getApiVersion()) && "KafkaTopic".equals(g.getKind());
            boolean user = "kafka.strimzi.io/v1beta2".equals(g.getApiVersion()) && "KafkaUser".equals(g.getKind());
            boolean rule = PROMETHEUS_RULE_API.equals(g.getApiVersion()) && "PrometheusRule".equals(g.getKind());
            if (!topic && !user && !rule) {
                throw new AssertionError(id(node) + ": not a kind fabric8 knows (a typo in apiVersion or kind?)");
            }
            Map<String, Object> rest = new java.util.TreeMap<>(g.getAdditionalProperties());
            rest.remove("spec");
            if (!rest.isEmpty()) {
                throw new AssertionError(id(node) + ": unknown top-level fields " + rest.keySet());
            }
            if (topic) {
                kafkaTopicSpec(g);
            } else if (user) {
                kafkaUserSpec(g);
            } else {
                prometheusRuleSpec(g);
            }
            checkNoUnknownFields(g.getMetadata(), id(node) + " metadata", new IdentityHashMap<>());
        } else {
            checkNoUnknownFields(o, id(node), new IdentityHashMap<>());
        }
        if (!(o instanceof Namespaced) && !(o instanceof GenericKubernetesResource)
                && o.getMetadata().getNamespace() != null) {
            throw new AssertionError(id(node) + ": cluster-scoped but has a namespace");
        }
        return o;
    }

    /** The spec of a Strimzi {@code KafkaTopic} ({@code kafka.strimzi.io/v1beta2}), the fields this project uses. */
    record KafkaTopicSpec(String topicName, int partitions, int replicas, Map<String, String> config) {
    }

    static final String PROMETHEUS_RULE_API = "monitoring.coreos.com/v1";

    /** A Prometheus Operator {@code PrometheusRule}'s spec: rule groups, each with a name and rules. */
    record PrometheusRuleSpec(List<RuleGroup> groups) {
    }

    record RuleGroup(String name, String interval, List<Rule> rules) {
    }

    /** One alerting rule (this project has no recording rules). */
    record Rule(String alert, String expr, @com.fasterxml.jackson.annotation.JsonProperty("for") String forDuration,
            Map<String, String> labels, Map<String, String> annotations) {
    }

    static PrometheusRuleSpec prometheusRuleSpec(GenericKubernetesResource rule) {
        try {
            PrometheusRuleSpec spec = STRICT.convertValue(rule.getAdditionalProperties().get("spec"),
                    PrometheusRuleSpec.class);
            require(spec != null && spec.groups() != null && !spec.groups().isEmpty(),
                    rule.getMetadata().getName() + ": spec needs groups");
            for (RuleGroup g : spec.groups()) {
                require(g.name() != null && g.rules() != null && !g.rules().isEmpty(),
                        rule.getMetadata().getName() + ": every group needs a name and rules");
                for (Rule r : g.rules()) {
                    require(r.alert() != null && r.expr() != null, rule.getMetadata().getName()
                            + ": every rule needs alert and expr");
                }
            }
            return spec;
        } catch (IllegalArgumentException e) {
            throw new AssertionError("PrometheusRule " + rule.getMetadata().getName() + ": " + e.getMessage(), e);
        }
    }

    static KafkaTopicSpec kafkaTopicSpec(GenericKubernetesResource topic) {
        try {
            KafkaTopicSpec spec = STRICT.convertValue(topic.getAdditionalProperties().get("spec"), KafkaTopicSpec.class);
            require(spec != null && spec.topicName() != null && spec.config() != null,
                    topic.getMetadata().getName() + ": spec needs topicName, partitions, replicas, config");
            return spec;
        } catch (IllegalArgumentException e) {
            throw new AssertionError("KafkaTopic " + topic.getMetadata().getName() + ": " + e.getMessage(), e);
        }
    }

    /** The spec of a Strimzi {@code KafkaUser} ({@code kafka.strimzi.io/v1beta2}), the fields this project uses. */
    record KafkaUserSpec(KafkaUserAuthentication authentication, KafkaUserAuthorization authorization) {
    }

    record KafkaUserAuthentication(String type) {
    }

    record KafkaUserAuthorization(String type, List<KafkaUserAcl> acls) {
    }

    record KafkaUserAcl(KafkaUserResource resource, List<String> operations, String host) {
    }

    record KafkaUserResource(String type, String name, String patternType) {
    }

    static KafkaUserSpec kafkaUserSpec(GenericKubernetesResource user) {
        try {
            KafkaUserSpec spec = STRICT.convertValue(user.getAdditionalProperties().get("spec"), KafkaUserSpec.class);
            require(spec != null && spec.authentication() != null && spec.authorization() != null,
                    user.getMetadata().getName() + ": spec needs authentication and authorization");
            require(Set.of("tls", "scram-sha-512").contains(spec.authentication().type()),
                    user.getMetadata().getName() + ": authentication.type must be tls or scram-sha-512");
            require("simple".equals(spec.authorization().type()),
                    user.getMetadata().getName() + ": authorization.type must be simple");
            for (KafkaUserAcl acl : spec.authorization().acls()) {
                require(Set.of("topic", "group", "transactionalId").contains(acl.resource().type())
                        && Set.of("literal", "prefix").contains(acl.resource().patternType())
                        && !acl.operations().isEmpty(),
                        user.getMetadata().getName() + ": an ACL needs a topic, group or transactionalId resource "
                                + "(patternType literal or prefix) and operations: " + acl);
            }
            return spec;
        } catch (IllegalArgumentException e) {
            throw new AssertionError("KafkaUser " + user.getMetadata().getName() + ": " + e.getMessage(), e);
        }
    }

    private static void checkNoUnknownFields(Object o, String where, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                checkNoUnknownFields(e, where + "[" + i++ + "]", seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> checkNoUnknownFields(v, where + "." + k, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    throw new AssertionError(where + " (" + o.getClass().getSimpleName() + "): unknown fields "
                            + extra.keySet());
                }
                continue;
            }
            checkNoUnknownFields(value, where + "." + decapitalize(m.getName().substring(3)), seen);
        }
    }

    private static String decapitalize(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
