package io.haltsupervisor.sandbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class SecuredEmbeddedKafkaIT {
    private static final String TOPIC = "it.secured";
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.secured().start();
        kafka.createTopic(TOPIC, 1, Map.of());
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void scramAndCertificateUsersReachOnlyWhatTheirAclsAllow() throws Exception {
        KafkaSecurity security = kafka.security();
        assertThat(kafka.bootstrapServers()).isEqualTo(security.saslBootstrapServers());
        Map<String, String> writer = security.scramUser("writer");
        Map<String, String> reader = security.tlsUser("reader");
        assertThatThrownBy(() -> produce(writer, "before-acl"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);

        security.addAcls(List.of(allow("writer", AclOperation.WRITE), allow("reader", AclOperation.READ)));
        produce(writer, "after-acl");
        assertThat(readAll(reader)).containsExactly("after-acl");
        // no Write on any topic: refused before any topic is looked at (the idempotent producer's id)
        assertThatThrownBy(() -> produce(reader, "reader-may-not-write"))
                .hasRootCauseInstanceOf(ClusterAuthorizationException.class);

        security.removeAcls(List.of(allow("writer", AclOperation.WRITE)));
        assertThatThrownBy(() -> produce(writer, "after-removal"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThat(security.acls()).containsExactly(allow("reader", AclOperation.READ));
        security.removeAllAcls();
        assertThat(security.acls()).isEmpty();
    }

    @Test
    void refusesAWrongPasswordAndAnUntrustedCertificate() {
        KafkaSecurity security = kafka.security();
        security.scramUser("someone");
        assertThatThrownBy(() -> describeCluster(security.scramClient("someone", "not-the-password")))
                .hasRootCauseInstanceOf(SaslAuthenticationException.class);
        assertThatThrownBy(() -> describeCluster(security.untrustedTlsUser("someone")))
                .hasCauseInstanceOf(SslAuthenticationException.class);
    }

    private static AclBinding allow(String user, AclOperation operation) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    private static void produce(Map<String, String> client, String value) throws Exception {
        Map<String, Object> p = new HashMap<>(client);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, "k", value)).get(15, TimeUnit.SECONDS);
        }
    }

    private static List<String> readAll(Map<String, String> client) {
        Map<String, Object> p = new HashMap<>(client);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            return values;
        }
    }

    private static void describeCluster(Map<String, String> client) throws Exception {
        Map<String, Object> p = new HashMap<>(client);
        p.put("default.api.timeout.ms", 10_000);
        p.put("request.timeout.ms", 5_000);
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().nodes().get(15, TimeUnit.SECONDS);
        }
    }
}
