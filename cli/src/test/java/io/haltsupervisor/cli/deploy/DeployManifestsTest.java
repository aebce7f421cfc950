package io.haltsupervisor.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.haltsupervisor.cli.Components;
import io.haltsupervisor.cli.Supervisor;
import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.pollers.mappings.ImageMappingFormat;
import io.haltsupervisor.pollers.PollersConfig;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The manifests under {@code deploy/} (issue 7): every object is a typed Kubernetes object without unknown
 * fields, each component's RBAC is exactly what its code calls, every environment variable a manifest sets
 * is read by the code that gets it (and has a valid value), and the topics, probes, shards, disruption
 * budgets and image agree with the code. Plain file parsing: no cluster, no {@code kubectl}, no broker.
 */
class DeployManifestsTest {

    // ---- what the code calls, per component -------------------------------------------------------

    /** An RBAC grant; {@code resourceName} null when the rule names no resource. */
    record Grant(String group, String resource, String verb, String resourceName) {
        static Set<Grant> of(String group, List<String> resources, List<String> verbs) {
            Set<Grant> out = new TreeSet<>(ORDER);
            resources.forEach(r -> verbs.forEach(v -> out.add(new Grant(group, r, v, null))));
            return out;
        }
    }

    private static final java.util.Comparator<Grant> ORDER = java.util.Comparator.comparing(Grant::toString);

    /**
     * The pollers' API calls in each watched namespace. Mirrors pollers/src/main/java/io/haltsupervisor/pollers/:
     * {@code PollersService.podScopes} (a pods informer: list, watch), {@code PollersService.configMapScopes}
     * (ConfigMap informers: list, watch), {@code KubernetesOwnerLookup.find} (get of a pod's StatefulSet,
     * ReplicaSet, Deployment; a SeiNode owner is named from ownerReferences), {@code ControllerImages} (get of a
     * SeiNode, and of its SeiNetwork when the child reports no current image) and
     * {@code WarningEvents.warn} (create of an events.k8s.io Event). {@code PollersRbacIT} proves it against
     * the requests the running {@code PollersService} makes.
     */
    static final Set<Grant> POLLERS_NAMESPACED = union(
            Grant.of("", List.of("pods", "configmaps"), List.of("list", "watch")),
            Grant.of("apps", List.of("statefulsets", "replicasets", "deployments"), List.of("get")),
            Grant.of("sei.io", List.of("seinodes", "seinetworks"), List.of("get")),
            Grant.of("events.k8s.io", List.of("events"), List.of("create")));

    /**
     * The actuator's API calls in each managed namespace, and cluster-wide. Mirrors the header of
     * deploy/base/actuator-rbac.yaml, which actuator's {@code RbacIT} proves against the calls the actuator
     * makes for every step kind on every target kind (both ways: every call allowed, every grant used).
     */
    static final Set<Grant> ACTUATOR_NAMESPACED = union(
            Grant.of("sei.io", List.of("seinodes", "seinetworks"), List.of("get", "patch")),
            Grant.of("sei.io", List.of("seinodes/status"), List.of("patch")),
            Grant.of("apps", List.of("statefulsets", "deployments"), List.of("get", "patch")),
            Grant.of("", List.of("pods"), List.of("get", "delete")),
            Grant.of("events.k8s.io", List.of("events"), List.of("create")));
    static final Set<Grant> ACTUATOR_CLUSTER = Set.of(
            new Grant("apiextensions.k8s.io", "customresourcedefinitions", "get", "seinodes.sei.io"));

    private static final String CLUSTER = "(cluster)";

    // ---- rendering ------------------------------------------------------------------------------------

    private static final Map<Path, Manifests.Rendered> RENDERED = new HashMap<>();

    static synchronized Manifests.Rendered rendered(Path dir) {
        return RENDERED.computeIfAbsent(dir, Manifests::render);
    }

    static Stream<Path> kustomizations() {
        return Manifests.kustomizations().stream();
    }

    /** A supervisor workload in a rendered kustomization. */
    record Workload(Path kustomization, StatefulSet sts, List<HasMetadata> objects) {
        String command() {
            return Workloads.container(sts).getArgs().get(0);
        }

        Set<Components.Kind> kinds() {
            return Workloads.components(command());
        }

        int replicas() {
            return sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
        }

        Map<String, String> env(int ordinal) {
            return Workloads.environment(sts, ordinal, objects);
        }

        Workloads.Loaded loaded(int ordinal) {
            return Workloads.load(kinds(), env(ordinal));
        }

        @Override
        public String toString() {
            return Manifests.deploy().relativize(kustomization) + " " + sts.getMetadata().getName();
        }
    }

    static Stream<Workload> workloads() {
        List<Workload> out = new ArrayList<>();
        for (Path dir : Manifests.kustomizations()) {
            List<HasMetadata> objects = rendered(dir).typed();
            objects.stream().filter(StatefulSet.class::isInstance).map(StatefulSet.class::cast)
                    .forEach(s -> out.add(new Workload(dir, s, objects)));
        }
        return out.stream();
    }

    // ---- every object typed, nothing unknown ----------------------------------------------------------

    @Test
    void theVariantsTheDocsNameExist() {
        assertThat(Manifests.kustomizations()).extracting(p -> Manifests.deploy().relativize(p).toString())
                .contains("base", "all-in-one", "topics", "overlays/sharded-pollers", "monitoring");
        assertThat(workloads().map(Workload::command)).contains("poller", "decider", "actuator", "all");
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void everyObjectIsATypedKubernetesObjectWithoutUnknownFields(Path dir) {
        List<HasMetadata> typed = rendered(dir).typed();
        assertThat(typed).as(dir.toString()).isNotEmpty();
        assertThat(typed).allSatisfy(o -> assertThat(o.getMetadata().getName()).isNotBlank());
    }

    @Test
    void everyManifestFileIsPartOfAKustomization() throws IOException {
        Set<Path> used = new TreeSet<>();
        Manifests.kustomizations().forEach(d -> used.addAll(rendered(d).files()));
        try (Stream<Path> files = Files.walk(Manifests.deploy())) {
            assertThat(files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .map(f -> f.toAbsolutePath().normalize()).filter(f -> !used.contains(f)).toList())
                    .as("YAML files no kustomization reads (never applied, never checked)").isEmpty();
        }
    }

    @Test
    void theCheckRejectsUnknownFieldsAndKinds() throws IOException {
        ObjectNode typo = (ObjectNode) Manifests.YAML.readTree("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: x, namespace: y}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i
                          imagePullPolcy: Always
                """);
        assertThatThrownBy(() -> Manifests.typed(typo)).hasMessageContaining("imagePullPolcy");
        ObjectNode kind = (ObjectNode) Manifests.YAML.readTree("{apiVersion: apps/v1, kind: StatefullSet, metadata: {name: x}}");
        assertThatThrownBy(() -> Manifests.typed(kind)).hasMessageContaining("not a kind fabric8 knows");
        ObjectNode topic = (ObjectNode) Manifests.YAML.readTree("""
                {apiVersion: kafka.strimzi.io/v1beta2, kind: KafkaTopic, metadata: {name: t},
                 spec: {topicName: t, partitions: 1, replicas: 1, config: {}, retention: 5}}
                """);
        assertThatThrownBy(() -> Manifests.typed(topic)).hasMessageContaining("retention");
    }

    // ---- RBAC -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("kustomizations")
    void noRuleUsesWildcards(Path dir) {
        for (HasMetadata o : rendered(dir).typed()) {
            List<PolicyRule> rules = o instanceof ClusterRole c ? c.getRules() : o instanceof Role r ? r.getRules()
                    : List.of();
            for (PolicyRule rule : rules) {
                assertThat(rule.getVerbs()).as(o.getMetadata().getName()).doesNotContain("*");
                assertThat(rule.getResources()).as(o.getMetadata().getName()).doesNotContain("*");
                assertThat(rule.getApiGroups()).as(o.getMetadata().getName()).doesNotContain("*");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("workloads")
    void eachComponentIsGrantedExactlyTheCallsItsCodeMakes(Workload w) {
        Workloads.Loaded config = w.loaded(0);
        Map<String, Set<Grant>> expected = new TreeMap<>();
        if (config.pollers() != null) {
            scopes(config.pollers().namespaces()).forEach(s ->
                    expected.computeIfAbsent(s, k -> new TreeSet<>(ORDER)).addAll(POLLERS_NAMESPACED));
        }
        if (config.actuator() != null) {
            scopes(config.actuator().policy().namespaces()).forEach(s ->
                    expected.computeIfAbsent(s, k -> new TreeSet<>(ORDER)).addAll(ACTUATOR_NAMESPACED));
            expected.computeIfAbsent(CLUSTER, k -> new TreeSet<>(ORDER)).addAll(ACTUATOR_CLUSTER);
        }
        String sa = w.sts().getSpec().getTemplate().getSpec().getServiceAccountName();
        Map<String, Set<Grant>> granted = grants(w.objects(), w.sts().getMetadata().getNamespace(), sa);
        assertThat(granted).as("%s: RBAC of ServiceAccount %s, by namespace", w, sa).isEqualTo(expected);
        if (expected.isEmpty()) {
            assertThat(w.sts().getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
                    .as("%s calls no Kubernetes API: no token mounted", w).isFalse();
        }
    }

    @Test
    void theActuatorRulesAreTheOnesRbacItChecks() {
        // RbacIT (actuator module) reads this file; the grants there must be the ones mirrored above.
        List<HasMetadata> rbac = Manifests.documents(Manifests.deploy().resolve("base/actuator-rbac.yaml")).stream()
                .map(Manifests::typed).toList();
        Map<String, Set<Grant>> granted = grants(rbac, "halt-supervisor", "halt-supervisor-actuator");
        assertThat(granted.get(CLUSTER)).containsExactlyInAnyOrderElementsOf(ACTUATOR_CLUSTER);
        assertThat(granted.get("sei")).containsExactlyInAnyOrderElementsOf(ACTUATOR_NAMESPACED);
    }

    private static List<String> scopes(java.util.Collection<String> namespaces) {
        return namespaces.isEmpty() ? List.of(CLUSTER) : List.copyOf(namespaces);
    }

    /** What RBAC grants a ServiceAccount, by namespace ({@link #CLUSTER} for cluster-wide). */
    static Map<String, Set<Grant>> grants(List<HasMetadata> objects, String saNamespace, String saName) {
        Map<String, List<PolicyRule>> clusterRoles = new HashMap<>();
        Map<String, List<PolicyRule>> roles = new HashMap<>();
        for (HasMetadata o : objects) {
            if (o instanceof ClusterRole c) {
                clusterRoles.put(c.getMetadata().getName(), c.getRules());
            } else if (o instanceof Role r) {
                roles.put(r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(), r.getRules());
            }
        }
        Map<String, Set<Grant>> out = new TreeMap<>();
        for (HasMetadata o : objects) {
            List<Subject> subjects;
            RoleRef ref;
            String scope;
            if (o instanceof ClusterRoleBinding b) {
                subjects = b.getSubjects();
                ref = b.getRoleRef();
                scope = CLUSTER;
            } else if (o instanceof RoleBinding b) {
                subjects = b.getSubjects();
                ref = b.getRoleRef();
                scope = b.getMetadata().getNamespace();
            } else {
                continue;
            }
            boolean bound = subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                    && saName.equals(s.getName()) && saNamespace.equals(s.getNamespace()));
            if (!bound) {
                continue;
            }
            List<PolicyRule> rules = "ClusterRole".equals(ref.getKind()) ? clusterRoles.get(ref.getName())
                    : roles.get(scope + "/" + ref.getName());
            assertThat(rules).as("%s binds %s %s, which is not in the manifests", o.getMetadata().getName(),
                    ref.getKind(), ref.getName()).isNotNull();
            Set<Grant> set = out.computeIfAbsent(scope, k -> new TreeSet<>(ORDER));
            for (PolicyRule rule : rules) {
                List<String> names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                        ? java.util.Collections.singletonList(null) : rule.getResourceNames();
                for (String g : rule.getApiGroups()) {
                    for (String r : rule.getResources()) {
                        for (String v : rule.getVerbs()) {
                            names.forEach(n -> set.add(new Grant(g, r, v, n)));
                        }
                    }
                }
            }
        }
        return out;
    }

    @SafeVarargs
    private static Set<Grant> union(Set<Grant>... sets) {
        Set<Grant> out = new TreeSet<>(ORDER);
        for (Set<Grant> s : sets) {
            out.addAll(s);
        }
        return java.util.Collections.unmodifiableSet(out);
    }

    // ---- environment and configuration ----------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("workloads")
    void runsARealSupervisorCommandOnTheReleasedImage(Workload w) {
        Container c = Workloads.container(w.sts());
        assertThat(c.getImage()).isEqualTo(Manifests.IMAGE);
        assertThat(c.getCommand()).as("the image's ENTRYPOINT runs the jar").isNullOrEmpty();
        Supervisor.commandLine().parseArgs(c.getArgs().toArray(String[]::new));
        assertThat(w.command()).isIn("poller", "decider", "actuator", "all");
    }

    @ParameterizedTest
    @MethodSource("workloads")
    void everyEnvironmentVariableIsReadByTheCodeThatGetsIt(Workload w) {
        Set<String> clientProperties = Workloads.clientProperties(w.kinds());
        for (int ordinal = 0; ordinal < w.replicas(); ordinal++) {
            Map<String, String> env = w.env(ordinal);
            Workloads.Loaded loaded = Workloads.load(w.kinds(), env);
            Set<String> known = new TreeSet<>(loaded.read());
            known.addAll(Workloads.commandLineVariables(w.command()));
            known.addAll(Workloads.referenced(w.sts()));
            for (String key : env.keySet()) {
                if (key.startsWith(KafkaClientConfig.ENV_PREFIX) && !key.equals(KafkaClientConfig.ENV_PROPERTIES_FILE)) {
                    assertThat(Workloads.clientProperty(key)).as("%s: %s sets a Kafka client property", w, key)
                            .isIn(clientProperties);
                } else {
                    assertThat(key).as("%s (pod %d): %s is set but no config loader of %s reads it", w, ordinal,
                            key, w.kinds()).isIn(known);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("workloads")
    void probesAndScrapingUseTheOpsEndpoint(Workload w) {
        Container c = Workloads.container(w.sts());
        int port = Workloads.httpPort(c.getArgs(), w.env(0));
        assertThat(c.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(port);
        });
        assertHttpProbe(c.getStartupProbe(), "/healthy", w + " startup");
        assertHttpProbe(c.getLivenessProbe(), "/healthy", w + " liveness");
        assertHttpProbe(c.getReadinessProbe(), "/ready", w + " readiness");
        Map<String, String> annotations = w.sts().getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", Integer.toString(port))
                .containsEntry("prometheus.io/path", "/metrics");
    }

    private static void assertHttpProbe(Probe probe, String path, String what) {
        assertThat(probe).as(what).isNotNull();
        assertThat(probe.getHttpGet()).as(what).isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(what).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).as(what).isEqualTo("http");
    }

    @ParameterizedTest
    @MethodSource("workloads")
    void oneDisruptionBudgetCoversEachWorkloadAndNoOther(Workload w) {
        List<PodDisruptionBudget> pdbs = w.objects().stream().filter(PodDisruptionBudget.class::isInstance)
                .map(PodDisruptionBudget.class::cast)
                .filter(p -> selects(p.getSpec().getSelector().getMatchLabels(), w.sts())).toList();
        assertThat(pdbs).as("%s: PodDisruptionBudgets selecting its pods", w).hasSize(1);
        PodDisruptionBudget pdb = pdbs.get(0);
        assertThat(pdb.getSpec().getMaxUnavailable()).as("%s: maxUnavailable, so a drain is never blocked", w)
                .isNotNull();
        w.objects().stream().filter(StatefulSet.class::isInstance).map(StatefulSet.class::cast)
                .filter(s -> s != w.sts())
                .forEach(s -> assertThat(selects(pdb.getSpec().getSelector().getMatchLabels(), s))
                        .as("%s also selects %s", pdb.getMetadata().getName(), s.getMetadata().getName()).isFalse());
    }

    private static boolean selects(Map<String, String> selector, StatefulSet sts) {
        return sts.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet());
    }

    @ParameterizedTest
    @MethodSource("workloads")
    void serviceAccountAndGoverningServiceExist(Workload w) {
        String ns = w.sts().getMetadata().getNamespace();
        String sa = w.sts().getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(w.objects()).as("%s: ServiceAccount %s", w, sa).anySatisfy(o -> {
            assertThat(o).isInstanceOf(ServiceAccount.class);
            assertThat(o.getMetadata().getName()).isEqualTo(sa);
            assertThat(o.getMetadata().getNamespace()).isEqualTo(ns);
        });
        Service svc = w.objects().stream().filter(Service.class::isInstance).map(Service.class::cast)
                .filter(s -> s.getMetadata().getName().equals(w.sts().getSpec().getServiceName())
                        && ns.equals(s.getMetadata().getNamespace())).findFirst()
                .orElseThrow(() -> new AssertionError(w + ": no governing Service " + w.sts().getSpec().getServiceName()));
        assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(w.sts().getSpec().getTemplate().getMetadata().getLabels().entrySet())
                .containsAll(svc.getSpec().getSelector().entrySet());
        assertThat(w.sts().getSpec().getSelector().getMatchLabels().entrySet())
                .isSubsetOf(w.sts().getSpec().getTemplate().getMetadata().getLabels().entrySet());
    }

    @ParameterizedTest
    @MethodSource("workloads")
    void writablePathsAreVolumesOnAReadOnlyRootFilesystem(Workload w) {
        Container c = Workloads.container(w.sts());
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(w.sts().getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        List<String> mounts = c.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList();
        assertThat(mounts).as("%s: java.io.tmpdir", w).contains("/tmp");
        Workloads.Loaded loaded = w.loaded(0);
        if (loaded.decider() != null) {
            String state = loaded.decider().stateDir().toString();
            assertThat(mounts).as("%s: DECIDER_STATE_DIR %s is on a volume", w, state)
                    .anySatisfy(m -> assertThat(state + "/").startsWith(m + "/"));
        }
    }

    @ParameterizedTest
    @MethodSource("workloads")
    void pollerShardsMatchTheStatefulSetOrdinals(Workload w) {
        if (!w.kinds().contains(Components.Kind.POLLERS)) {
            return;
        }
        for (int ordinal = 0; ordinal < w.replicas(); ordinal++) {
            PollersConfig pollers = w.loaded(ordinal).pollers();
            assertThat(pollers.replicas()).as("%s: POLLER_REPLICAS = spec.replicas", w).isEqualTo(w.replicas());
            assertThat(pollers.shard().ordinal()).as("%s: pod %d's shard", w, ordinal).isEqualTo(ordinal);
        }
        if (w.kinds().size() > 1) {
            assertThat(w.replicas()).as("%s runs several components: one replica", w).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("workloads")
    void deciderReplicasAdvertiseTheirOwnQueryEndpoint(Workload w) {
        if (!w.kinds().contains(Components.Kind.DECIDER)) {
            return;
        }
        for (int ordinal = 0; ordinal < w.replicas(); ordinal++) {
            DeciderConfig decider = w.loaded(ordinal).decider();
            if (w.replicas() > 1) {
                assertThat(decider.advertisedEndpoint()).as("%s: several replicas need DECIDER_HTTP_ADVERTISED", w)
                        .isPresent();
            }
            int port = Workloads.httpPort(Workloads.container(w.sts()).getArgs(), w.env(ordinal));
            String pod = w.sts().getMetadata().getName() + "-" + ordinal;
            decider.advertisedEndpoint().ifPresent(e -> assertThat(e).isEqualTo(pod + "."
                    + w.sts().getSpec().getServiceName() + "." + w.sts().getMetadata().getNamespace() + ".svc:" + port));
        }
    }

    @Test
    void theExampleImageMappingsAreValidAndWatched() {
        Manifests.Rendered base = rendered(Manifests.deploy().resolve("base"));
        Workload pollers = workloads().filter(w -> w.kustomization().endsWith("base") && w.command().equals("poller"))
                .findFirst().orElseThrow();
        PollersConfig config = pollers.loaded(0).pollers();
        String[] label = config.mappingLabelSelector().split("=", 2);
        List<ConfigMap> mappings = base.typed().stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(cm -> cm.getMetadata().getLabels() != null
                        && label[1].equals(cm.getMetadata().getLabels().get(label[0]))).toList();
        assertThat(mappings).as("an example image-mapping ConfigMap").isNotEmpty();
        for (ConfigMap cm : mappings) {
            if (!config.allNamespaces()) {
                assertThat(config.namespaces()).as("the pollers watch the namespace of %s", cm.getMetadata().getName())
                        .contains(cm.getMetadata().getNamespace());
            }
            cm.getData().forEach((plan, value) -> assertThat(ImageMappingFormat.parse(plan, value))
                    .as("mapping %s", plan).isInstanceOf(ImageMappingFormat.Parsed.Valid.class));
        }
    }

    // ---- topics ---------------------------------------------------------------------------------------

    /** The Strimzi topics, by topic name. */
    static Map<String, Manifests.KafkaTopicSpec> kafkaTopics() {
        Map<String, Manifests.KafkaTopicSpec> out = new TreeMap<>();
        for (HasMetadata o : rendered(Manifests.deploy().resolve("topics")).typed()) {
            GenericKubernetesResource g = (GenericKubernetesResource) o;
            Manifests.KafkaTopicSpec spec = Manifests.kafkaTopicSpec(g);
            assertThat(g.getMetadata().getLabels()).as(spec.topicName()).containsKey("strimzi.io/cluster");
            assertThat(out.put(spec.topicName(), spec)).as("declared twice: " + spec.topicName()).isNull();
        }
        return out;
    }

    /** The decider's settings as deploy/base configures it. */
    static DeciderConfig deciderConfig() {
        return workloads().filter(w -> w.kustomization().endsWith("base") && w.command().equals("decider"))
                .findFirst().orElseThrow().loaded(0).decider();
    }

    @Test
    void everyTopicOfTheRegistryAndTheDeciderControlTopicIsDeclared() {
        Set<String> expected = new TreeSet<>(Topics.ALL.stream().map(Topic::name).toList());
        expected.add(deciderConfig().controlTopic());
        assertThat(kafkaTopics().keySet()).isEqualTo(expected);
    }

    @Test
    void topicSettingsAgreeWithTheCode() {
        Map<String, Manifests.KafkaTopicSpec> topics = kafkaTopics();
        Set<String> topicConfigs = topicConfigNames();
        DeciderConfig decider = deciderConfig();
        for (Manifests.KafkaTopicSpec t : topics.values()) {
            assertThat(t.config().keySet()).as("%s: topic configs", t.topicName()).isSubsetOf(topicConfigs);
            int minIsr = Integer.parseInt(t.config().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
            assertThat(minIsr).as("%s: min.insync.replicas", t.topicName()).isBetween(2, t.replicas() - 1);
            boolean compacted = Topics.byName(t.topicName()).map(Topic::compacted).orElse(true);
            assertThat(t.config().get(TopicConfig.CLEANUP_POLICY_CONFIG)).as("%s: cleanup.policy", t.topicName())
                    .isEqualTo(compacted ? TopicConfig.CLEANUP_POLICY_COMPACT : null);
        }
        // one node's story in one decider task: the node-keyed inputs and the control topic are co-partitioned
        int partitions = decider.partitions();
        assertThat(partitions).as("DECIDER_PARTITIONS is set, so a wrong layout stops the decider").isPositive();
        for (String name : List.of(Topics.HALT_OBSERVATIONS.name(), Topics.NODE_OBSERVATIONS.name(),
                Topics.OPERATOR_COMMANDS.name(), decider.controlTopic())) {
            assertThat(topics.get(name).partitions()).as("%s partitions", name).isEqualTo(partitions);
        }
        // the actuator's idempotence index is the results topic: it must outlive the decisions
        assertThat(retention(topics.get(Topics.ACTION_RESULTS.name())))
                .isGreaterThanOrEqualTo(retention(topics.get(Topics.DECISIONS.name())));
    }

    private static long retention(Manifests.KafkaTopicSpec t) {
        return Long.parseLong(t.config().getOrDefault(TopicConfig.RETENTION_MS_CONFIG, "604800000"));
    }

    /** Every topic-level config name Kafka defines ({@link TopicConfig}). */
    static Set<String> topicConfigNames() {
        Set<String> out = new TreeSet<>();
        for (Field f : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getName().endsWith("_CONFIG") && f.getType() == String.class) {
                try {
                    out.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    // ---- the image ------------------------------------------------------------------------------------

    @Test
    void theDockerfileBuildsTheImageTheManifestsRun() throws IOException {
        List<String> lines = Files.readAllLines(Manifests.deploy().resolve("Dockerfile")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(lines).contains("FROM eclipse-temurin:17-jre");
        String pom = Files.readString(Manifests.root().resolve("cli/pom.xml"));
        Matcher jar = Pattern.compile("<outputFile>\\$\\{project.build.directory}/([^<]+)</outputFile>").matcher(pom);
        assertThat(jar.find()).as("cli/pom.xml names the shaded jar").isTrue();
        String copy = lines.stream().filter(l -> l.startsWith("COPY ")).findFirst().orElseThrow();
        String[] parts = copy.split("\\s+");
        assertThat(parts[1]).isEqualTo("cli/target/" + jar.group(1));
        String entrypoint = lines.stream().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        List<String> argv = List.of(Manifests.YAML.readValue(entrypoint.substring("ENTRYPOINT ".length()), String[].class));
        assertThat(argv.get(0)).isEqualTo("java");
        assertThat(argv.subList(argv.size() - 2, argv.size())).containsExactly("-jar", parts[2]);
        long uid = Long.parseLong(lines.stream().filter(l -> l.startsWith("USER ")).findFirst().orElseThrow()
                .substring(5).strip());
        workloads().forEach(w -> assertThat(w.sts().getSpec().getTemplate().getSpec().getSecurityContext()
                .getRunAsUser()).as("%s runAsUser", w).isEqualTo(uid));
    }

    // ---- helpers for other checks ---------------------------------------------------------------------

    /** Every Secret a manifest refers to (envFrom, env, volumes), with the components reading it. */
    static Map<String, Set<Components.Kind>> secretConsumers() {
        Map<String, Set<Components.Kind>> out = new LinkedHashMap<>();
        workloads().forEach(w -> {
            var spec = w.sts().getSpec().getTemplate().getSpec();
            Container c = Workloads.container(w.sts());
            Set<String> names = new LinkedHashSet<>();
            c.getEnvFrom().stream().filter(e -> e.getSecretRef() != null).forEach(e -> names.add(e.getSecretRef().getName()));
            spec.getVolumes().stream().filter(v -> v.getSecret() != null).forEach(v -> names.add(v.getSecret().getSecretName()));
            names.forEach(n -> out.computeIfAbsent(n, k -> new TreeSet<>()).addAll(w.kinds()));
        });
        return out;
    }

    /** The mount path of a Secret volume in the supervisor's workloads (all mount it at the same place). */
    static String secretMountPath(String secret) {
        Set<String> paths = workloads().flatMap(w -> {
            var spec = w.sts().getSpec().getTemplate().getSpec();
            Set<String> volumes = spec.getVolumes().stream().filter(v -> v.getSecret() != null
                    && secret.equals(v.getSecret().getSecretName())).map(v -> v.getName()).collect(Collectors.toSet());
            return Workloads.container(w.sts()).getVolumeMounts().stream().filter(m -> volumes.contains(m.getName()))
                    .map(VolumeMount::getMountPath);
        }).collect(Collectors.toSet());
        assertThat(paths).as("mount paths of Secret %s", secret).hasSizeLessThanOrEqualTo(1);
        return paths.isEmpty() ? null : paths.iterator().next();
    }
}
