package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class AclsTest {
    private static final Acls.Principal DECIDER = Acls.decider("d", "app");

    @Test
    void deciderOwnsEveryTopicGroupAndTransactionalIdUnderItsApplicationId() {
        assertThat(DECIDER.acls()).extracting(KafkaAcl::describe).containsExactly(
                "Read on topic seid.halt-observations.v1", "Read on topic seid.node-observations.v1",
                "Read on topic seid.image-mappings.v1", "Read on topic seid.operator-commands.v1",
                "Write on topic seid.decisions.v1", "Write on topic seid.dead-letters.v1",
                "Create on topics prefixed app-", "Read on topics prefixed app-", "Write on topics prefixed app-",
                "Delete on topics prefixed app-", "Read on group app", "Write on transactional ids prefixed app-");
        assertThat(DECIDER.bindings()).allSatisfy(b -> {
            assertThat(b.entry().principal()).isEqualTo("User:d");
            assertThat(b.entry().host()).isEqualTo("*");
        });
    }

    @Test
    void viewerReadsTheUnionOfItsCommandsTopicsAndWritesNothing() {
        Acls.Principal viewer = Acls.viewer("v");
        assertThat(viewer.acls()).allMatch(a -> a.operation() == AclOperation.READ);
        assertThat(viewer.acls()).extracting(KafkaAcl::name)
                .containsExactlyElementsOf(Topics.ALL.stream().map(Topic::name).toList());
        assertThat(viewer.commands()).containsExactly("incidents", "timeline", "replay", "mapping ls");
    }

    @Test
    void defaultPrincipalsHaveDistinctNames() {
        assertThat(Acls.defaults()).extracting(Acls.Principal::user).doesNotHaveDuplicates().hasSize(6);
    }

    @Test
    void withoutRemovesExactlyOneAclAndRefusesOneItDoesNotHave() {
        KafkaAcl group = KafkaAcl.group("app", AclOperation.READ);
        assertThat(DECIDER.without(group).acls()).hasSize(DECIDER.acls().size() - 1).doesNotContain(group);
        assertThatThrownBy(() -> DECIDER.without(KafkaAcl.group("other", AclOperation.READ)))
                .hasMessageContaining("d has no ACL Read on group other");
    }

    @Test
    void prefixedAclsMatchNamesStartingWithThePrefix() {
        KafkaAcl acl = KafkaAcl.topicsPrefixed("app-", AclOperation.CREATE);
        assertThat(acl.matches(ResourceType.TOPIC, "app-control")).isTrue();
        assertThat(acl.matches(ResourceType.TOPIC, "apple")).isFalse();
        assertThat(acl.matches(ResourceType.GROUP, "app-control")).isFalse();
        assertThatThrownBy(() -> new KafkaAcl(ResourceType.TOPIC, PatternType.MATCH, "x", AclOperation.READ))
                .hasMessageContaining("LITERAL or PREFIXED");
    }

    @Test
    void explainsATopicDenialWithTheOperationAndTopicTheprincipalNeeds() {
        var error = new KafkaException("send failed",
                new TopicAuthorizationException(Set.of("seid.decisions.v1")));
        assertThat(Acls.explain(DECIDER, error)).hasValueSatisfying(m -> assertThat(m)
                .contains("Kafka denied the decider access to topic seid.decisions.v1", "it needs Write on topic seid.decisions.v1"));
    }

    @Test
    void explainsATopicDenialWithoutTopicSetFromTheMessages() {
        var error = new KafkaException("cannot create app-control", new TopicAuthorizationException("denied"));
        assertThat(Acls.explain(DECIDER, error)).hasValueSatisfying(m -> assertThat(m)
                .contains("Create on topics prefixed app-", "Write on topics prefixed app-"));
    }

    @Test
    void explainsGroupTransactionalIdAndClusterDenials() {
        assertThat(Acls.explain(DECIDER, new GroupAuthorizationException("no", "app")))
                .hasValueSatisfying(m -> assertThat(m).contains("access to group app", "Read on group app"));
        assertThat(Acls.explain(DECIDER, new TransactionalIdAuthorizationException("no")))
                .hasValueSatisfying(m -> assertThat(m).contains("Write on transactional ids prefixed app-"));
        assertThat(Acls.explain(Acls.operator("o"), new ClusterAuthorizationException("no")))
                .hasValueSatisfying(m -> assertThat(m).contains("Write on topic seid.operator-commands.v1"));
    }

    @Test
    void explainsAnAuthenticationFailureAndIgnoresOtherErrors() {
        assertThat(Acls.explain(DECIDER, new KafkaException(new SaslAuthenticationException("invalid credentials"))))
                .hasValueSatisfying(m -> assertThat(m).contains("refused to authenticate the decider", "invalid credentials"));
        assertThat(Acls.explain(DECIDER, new IllegalStateException("other"))).isEmpty();
        assertThat(Acls.explain(new TopicAuthorizationException(Set.of("t")))).hasValueSatisfying(m ->
                assertThat(m).contains("access to topic t"));
        assertThat(List.of(Acls.explain(new RuntimeException()))).containsExactly(java.util.Optional.empty());
    }
}
