package io.haltsupervisor.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.actuator.ActuatorConfig;
import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.KafkaAcl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ACLs an operator applies are the registry's ({@link Acls}): {@code deploy/kafka-users/*} and the
 * {@code kafka-acls.sh} commands of docs/operations.md are exactly {@link AclManifests}' rendering, and the
 * rendered {@code KafkaUser}s grant each principal exactly its registry ACLs. After changing the registry, run
 * this test with {@code -Dacls.write=true} to rewrite the files, and review the diff.
 */
class AclManifestsTest {
    private static final boolean WRITE = Boolean.getBoolean("acls.write");

    @ParameterizedTest
    @EnumSource(AclManifests.Variant.class)
    void kafkaUserManifestsAreTheRegistryRendered(AclManifests.Variant variant) throws IOException {
        Path dir = Manifests.deploy().resolve("kafka-users").resolve(variant.dir());
        same(dir.resolve("kafka-users.yaml"), AclManifests.kafkaUsers(variant));
        same(dir.resolve("kustomization.yaml"), AclManifests.kustomization(variant));
    }

    @ParameterizedTest
    @EnumSource(AclManifests.Variant.class)
    void renderedKafkaUsersGrantEachPrincipalExactlyItsRegistryAcls(AclManifests.Variant variant) {
        Map<String, Set<String>> rendered = new LinkedHashMap<>();
        for (ObjectNode o : Manifests.render(Manifests.deploy().resolve("kafka-users").resolve(variant.dir()))
                .objects()) {
            assertThat(o.path("kind").asText()).isEqualTo("KafkaUser");
            assertThat(o.path("metadata").path("namespace").asText()).isEqualTo("kafka");
            JsonNode spec = o.path("spec");
            assertThat(spec.path("authentication").path("type").asText()).isEqualTo(variant.type);
            assertThat(spec.path("authorization").path("type").asText()).isEqualTo("simple");
            Set<String> acls = new TreeSet<>();
            for (JsonNode acl : spec.path("authorization").path("acls")) {
                for (JsonNode op : acl.path("operations")) {
                    acls.add(op.asText() + " " + acl.path("resource").path("type").asText() + " "
                            + acl.path("resource").path("patternType").asText() + " "
                            + acl.path("resource").path("name").asText() + " " + acl.path("host").asText());
                }
            }
            rendered.put(o.path("metadata").path("name").asText(), acls);
        }
        Map<String, Set<String>> registry = new LinkedHashMap<>();
        for (Acls.Principal p : Acls.defaults()) {
            registry.put(p.user(), p.acls().stream().map(AclManifestsTest::strimzi)
                    .collect(Collectors.toCollection(TreeSet::new)));
        }
        assertThat(rendered).isEqualTo(registry);
    }

    @Test
    void operationsDocHasTheRegistryAsKafkaAclsCommands() throws IOException {
        Path doc = Manifests.root().resolve("docs/operations.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int begin = text.indexOf(AclManifests.DOC_BEGIN);
        int end = text.indexOf(AclManifests.DOC_END);
        assertThat(begin).as("%s has the generated ACL section (%s)", doc, AclManifests.DOC_BEGIN).isNotNegative();
        assertThat(end).isGreaterThan(begin);
        String expected = text.substring(0, begin) + AclManifests.docSection()
                + text.substring(end + AclManifests.DOC_END.length());
        same(doc, expected);
    }

    @Test
    void registryDefaultsAreTheComponentsDefaults() {
        assertThat(Acls.DEFAULT_DECIDER_APPLICATION_ID).isEqualTo(DeciderConfig.DEFAULT_APPLICATION_ID);
        assertThat(Acls.DEFAULT_ACTUATOR_GROUP_ID).isEqualTo(ActuatorConfig.DEFAULT_GROUP_ID);
    }

    @Test
    void everyAclOfEveryPrincipalHasItsOwnKafkaAclsCommandLine() {
        List<String> expected = new ArrayList<>();
        for (Acls.Principal p : Acls.defaults()) {
            for (KafkaAcl acl : p.acls()) {
                expected.add(p.user() + " " + acl.describe());
            }
        }
        List<String> fromCommands = new ArrayList<>();
        for (String c : AclManifests.aclCommands()) {
            List<String> w = List.of(c.split(" "));
            String user = w.get(w.indexOf("--allow-principal") + 1).substring("User:".length());
            String name = w.get(w.size() - 1);
            String type = w.get(w.size() - 2);
            boolean prefixed = w.contains("prefixed");
            for (int i = 0; i < w.size(); i++) {
                if (w.get(i).equals("--operation")) {
                    String kind = switch (type) {
                        case "--topic" -> "topic";
                        case "--group" -> "group";
                        default -> "transactional id";
                    };
                    fromCommands.add(user + " " + w.get(i + 1) + " on " + (prefixed ? kind + "s prefixed " : kind + " ")
                            + name);
                }
            }
        }
        assertThat(fromCommands).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static String strimzi(KafkaAcl acl) {
        String type = switch (acl.resourceType()) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            default -> "transactionalId";
        };
        return acl.operationName() + " " + type + " " + AclManifests.strimziPattern(acl) + " "
                + acl.name() + " *";
    }

    private static void same(Path file, String expected) throws IOException {
        String actual = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        if (WRITE && !actual.equals(expected)) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, expected, StandardCharsets.UTF_8);
            return;
        }
        assertThat(actual).as("%s differs from the ACL registry's rendering; rerun AclManifestsTest with "
                + "-Dacls.write=true and review the diff", Manifests.root().relativize(file)).isEqualTo(expected);
    }
}
