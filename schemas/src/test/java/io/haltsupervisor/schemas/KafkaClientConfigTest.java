package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientConfigTest {

    @Test
    void passesClientPropertiesThroughFromEnvAndFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.jaas.config=secret-stuff password=\"hunter2\";\n");
        KafkaClientConfig config = KafkaClientConfig.fromEnv(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9093,kafka-1:9093",
                "KAFKA_CLIENT_PROPERTIES", file.toString(),
                "KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512"));
        assertThat(config.toProperties())
                .containsEntry("bootstrap.servers", "kafka-0:9093,kafka-1:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "secret-stuff password=\"hunter2\";");
        assertThat(config.toString()).doesNotContain("hunter2").contains("[redacted]").contains("SASL_SSL");
    }

    @Test
    void rejectsMissingOrMalformedBootstrapServersNamingTheSetting() {
        assertThatThrownBy(() -> KafkaClientConfig.fromEnv(Map.of()))
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
        assertThatThrownBy(() -> KafkaClientConfig.of("kafka-0"))
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS").hasMessageContaining("host:port");
    }

    @Test
    void reportsABadBootstrapAndAnUnreadablePropertiesFileTogether(@TempDir Path dir) {
        Path missing = dir.resolve("missing.properties");
        assertThatThrownBy(() -> KafkaClientConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka-0",
                "KAFKA_CLIENT_PROPERTIES", missing.toString(), "KAFKA_CLIENT_SSL_KEY_PASSWORD", "hunter2")))
                .isInstanceOf(io.haltsupervisor.schemas.config.ConfigException.class)
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS: expected host:port[,host:port…], got 'kafka-0'")
                .hasMessageContaining("KAFKA_CLIENT_PROPERTIES: expected a readable Java properties file")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void passThroughPropertiesNamedLikeACredentialAreRedacted() {
        KafkaClientConfig config = KafkaClientConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "KAFKA_CLIENT_SSL_KEY_PASSWORD", "hunter2", "KAFKA_CLIENT_SSL_KEYSTORE_KEY", "PEMKEY",
                "KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"));
        assertThat(config.properties()).containsEntry("ssl.key.password", "hunter2");
        assertThat(config.toString()).doesNotContain("hunter2", "PEMKEY").contains("security.protocol=SSL");
    }
}
