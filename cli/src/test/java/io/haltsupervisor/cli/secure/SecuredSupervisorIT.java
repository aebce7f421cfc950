package io.haltsupervisor.cli.secure;

import io.haltsupervisor.schemas.KubeNames;
import static io.haltsupervisor.cli.secure.SecureKit.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.cli.Components;
import io.haltsupervisor.cli.secure.SecureKit.CliResult;
import io.haltsupervisor.cli.secure.SecureKit.LogCapture;
import io.haltsupervisor.cli.secure.SecureKit.Mechanism;
import io.haltsupervisor.sandbox.kafka.EmbeddedKafka;
import io.haltsupervisor.sandbox.kafka.KafkaSecurity;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.SampleEvents;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole supervisor on a secured broker ({@code SASL_SSL} SCRAM-SHA-512 and {@code SSL} with client
 * certificates, StandardAuthorizer, nothing allowed without an ACL): pollers, decider and actuator each as its own
 * principal with exactly its ACLs from the registry ({@link Acls}), a halt going through all three, and every CLI
 * family run as its own principal. Then no captured log line, CLI output or help text holds a secret. The
 * Kubernetes side is the sandbox's in-memory API (a stand-in for a real API server: no kubelet, so pods carry the
 * status-URL annotation), and the actuator runs in dry-run.
 */
@Timeout(300)
class SecuredSupervisorIT {
    private static final String NAMESPACE = "sec";
    private static final String NODE = NAMESPACE + "/rpc";
    private static final String IMAGE = "ghcr.io/sei-protocol/seid:v5.9.0";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Mechanism.class)
    void everyComponentAndCommandWorksWithExactlyItsOwnAcls(Mechanism mechanism) throws Exception {
        Deque<AutoCloseable> open = new ArrayDeque<>();
        try (LogCapture logs = new LogCapture()) {
            EmbeddedKafka kafka = SecureKit.broker();
            open.push(kafka);
            InMemoryKubernetes kube = InMemoryKubernetes.start();
            open.push(kube);
            SimulatedSeidServer seids = SimulatedSeidServer.start();
            open.push(seids);
            KafkaSecurity security = kafka.security();

            Acls.Principal pollers = Acls.pollers("pollers");
            Acls.Principal decider = Acls.decider("decider", "sec-decider");
            Acls.Principal actuator = Acls.actuator("actuator", "sec-actuator");
            Map<Acls.Principal, Map<String, String>> clients = new LinkedHashMap<>();
            for (Acls.Principal p : List.of(pollers, decider, actuator, Acls.mappingEditor("editor"),
                    Acls.operator("operator"), Acls.viewer("viewer"))) {
                clients.put(p, SecureKit.grant(security, mechanism, p));
            }
            Set<String> secrets = new LinkedHashSet<>();
            clients.values().forEach(c -> secrets.addAll(SecureKit.secrets(c)));
            secrets.addAll(SecureKit.secrets(security.superUserProperties()));

            SimulatedSeid rpc = seids.node("sec-rpc").height(150_999_999).version("v5.9.0");
            fleet(kube.client(), rpc);
            Path stateDir = Files.createDirectories(dir.resolve("state"));
            Map<String, String> env = new HashMap<>();
            env.put("POLLER_NAMESPACES", NAMESPACE);
            env.put("POLLER_ALLOW_STATUS_URL_ANNOTATION", "true");
            env.put("POLLER_INTERVAL", "200ms");
            env.put("POLLER_INSTANCE", "pollers-0");
            env.put("DECIDER_APPLICATION_ID", "sec-decider");
            env.put("DECIDER_STATE_DIR", stateDir.toString());
            env.put("ACTUATOR_GROUP_ID", "sec-actuator");
            env.put("ACTUATOR_INSTANCE", "actuator-0");
            env.put("ACTUATOR_NAMESPACES", NAMESPACE);
            env.put("ACTUATOR_DRY_RUN", "true");
            env.put("ACTUATOR_RATE_LIMIT_PER_MINUTE", "0");
            List<Components> components = new ArrayList<>();
            for (var kind : List.of(Components.Kind.DECIDER, Components.Kind.ACTUATOR, Components.Kind.POLLERS)) {
                Acls.Principal p = kind == Components.Kind.DECIDER ? decider
                        : kind == Components.Kind.ACTUATOR ? actuator : pollers;
                Components c = Components.start(EnumSet.of(kind), env, SecureKit.config(clients.get(p)),
                        new SimpleMeterRegistry(), kube.client());
                open.push(c);
                components.add(c);
            }
            await("pollers, decider and actuator ready on their own ACLs").atMost(Duration.ofSeconds(90))
                    .until(() -> components.stream().allMatch(Components::ready));

            // the mapping sync (pollers) read and wrote the mappings; a halt goes pollers → decider → actuator
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !SecureKit.values(kafka, Topics.IMAGE_MAPPINGS, "v6").isEmpty());
            rpc.halt(SampleEvents.INTENT);
            await("the halt decided").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(SecureKit.values(kafka, Topics.DECISIONS, NODE))
                            .anySatisfy(d -> assertThat(d).isInstanceOf(Decision.UpgradeDecided.class)));
            await("the decision acted on (dry-run) and recorded").atMost(Duration.ofSeconds(60)).until(() ->
                    !SecureKit.values(kafka, Topics.ACTION_RESULTS, NODE).isEmpty());
            assertThat(SecureKit.values(kafka, Topics.HALT_OBSERVATIONS, NODE)).isNotEmpty();

            // every CLI family as its own principal
            Map<String, Path> files = new HashMap<>();
            clients.forEach((p, c) -> files.put(p.user(), SecureKit.propertiesFile(c, dir, p.user())));
            List<CliResult> runs = new ArrayList<>();
            runs.add(ok(cli(files.get("editor"), "mapping", "put", "v7", "ghcr.io/sei-protocol/seid:v7.0.0",
                    "--height", "160000000", "--by", "it")));
            CliResult ls = ok(cli(files.get("viewer"), "mapping", "ls"));
            assertThat(ls.out()).contains("v6", "v7");
            runs.add(ls);
            runs.add(ok(cli(files.get("editor"), "mapping", "rm", "v7")));
            for (String command : List.of("ack", "hold", "release", "retry")) {
                runs.add(ok(cli(files.get("operator"), command, NODE, "--by", "it", "--reason", "secured")));
            }
            assertThat(ok(cli(files.get("viewer"), "incidents")).out()).contains(NODE);
            CliResult timeline = ok(cli(files.get("viewer"), "timeline", NODE));
            assertThat(timeline.out()).contains("halt");
            runs.add(timeline);
            runs.add(ok(cli(files.get("viewer"), "replay")));
            assertThat(components).allMatch(Components::healthy);

            // wrong credentials and an untrusted certificate: a clear error, a non-zero exit
            Path wrong = SecureKit.propertiesFile(mechanism == Mechanism.SCRAM
                    ? security.scramClient("viewer", "not-the-password") : security.untrustedTlsUser("viewer"),
                    dir, "wrong");
            CliResult refused = cli(wrong, "timeline", NODE);
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("Kafka refused to authenticate");
            runs.add(refused);
            assertThatThrownBy(() -> Components.start(EnumSet.of(Components.Kind.DECIDER), env,
                    SecureKit.config(mechanism == Mechanism.SCRAM ? security.scramClient("decider", "wrong")
                            : security.untrustedTlsUser("decider")), new SimpleMeterRegistry(), kube.client()))
                    .hasMessageContaining("Kafka refused to authenticate the decider");

            // no secret anywhere: logs (Kafka's configuration dumps included), CLI output, help
            for (String[] help : List.of(new String[] {"--help"}, new String[] {"timeline", "--help"},
                    new String[] {"mapping", "put", "--help"}, new String[] {"dev", "--help"})) {
                runs.add(SecureKit.run(help));
            }
            while (!open.isEmpty()) {
                open.pop().close();
            }
            assertThat(secrets).as("one secret at least per principal").hasSizeGreaterThan(clients.size());
            assertThat(logs.lines()).as("captured log lines").hasSizeGreaterThan(100)
                    .anyMatch(l -> l.contains("ssl.truststore.password = [hidden]"));
            assertThat(logs.containing(secrets)).as("log lines holding a secret").isEmpty();
            assertThat(runs).allSatisfy(r -> assertThat(secrets).noneMatch(s -> r.out().contains(s)
                    || r.err().contains(s)));
        } finally {
            while (!open.isEmpty()) {
                open.pop().close();
            }
        }
    }

    private static CliResult ok(CliResult r) {
        assertThat(r.exit()).as("exit of a CLI command: %s", r.err()).isZero();
        return r;
    }

    /** A SeiNode-owned StatefulSet pod at the simulated node's URL, and the image-mapping ConfigMap. */
    static void fleet(KubernetesClient k8s, SimulatedSeid seid) {
        k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
                .create();
        k8s.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("seid-image-mappings").withNamespace(NAMESPACE)
                .addToLabels(KubeNames.IMAGE_MAPPINGS_LABEL, "true").endMetadata()
                .addToData("v6", "ghcr.io/sei-protocol/seid:v6.0.1 height=151000000").build()).create();
        var sts = k8s.apps().statefulSets().inNamespace(NAMESPACE).resource(new StatefulSetBuilder().withNewMetadata()
                .withName("rpc").withNamespace(NAMESPACE).withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("sei.io/v1alpha1").withKind("SeiNode").withName("rpc").withUid("rpc-uid")
                        .withController(true).build()).endMetadata().build()).create();
        k8s.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName("rpc-0")
                .withNamespace(NAMESPACE).addToLabels(KubeNames.APP_NAME_LABEL, "seid")
                .addToAnnotations(KubeNames.STATUS_URL_ANNOTATION, seid.statusUrl().toString())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                        .withName("rpc").withUid(sts.getMetadata().getUid()).withController(true).build())
                .endMetadata()
                .withNewSpec().addNewContainer().withName("seid").withImage(IMAGE).endContainer().endSpec()
                .withNewStatus().withPhase("Running").withContainerStatuses(new ContainerStatusBuilder().withName("seid")
                        .withReady(true).withRestartCount(0).withNewState().withNewRunning()
                        .withStartedAt("2026-11-20T10:00:00Z").endRunning().endState().build()).endStatus().build())
                .create();
    }
}
