package io.haltsupervisor.cli;

import io.haltsupervisor.schemas.KafkaClientConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Option;

/**
 * {@code --bootstrap HOST:PORT} for commands that talk to Kafka directly. Defaults to
 * {@code KAFKA_BOOTSTRAP_SERVERS}; TLS/SASL client settings pass through from the environment as for
 * the components ({@link KafkaClientConfig}). An unreachable broker is reported within
 * {@link #REACH_TIMEOUT}, never a hang.
 */
public final class KafkaOptions {
    public static final Duration REACH_TIMEOUT = Duration.ofSeconds(10);
    static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS, else " + DEFAULT_BOOTSTRAP + ").")
    String bootstrap;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties (TLS, SASL), e.g. the file `dev --secure` prints "
                    + "(default: $KAFKA_CLIENT_PROPERTIES).")
    String clientProperties;

    /** The client settings: the option, else the environment, else the default. */
    public KafkaClientConfig config() {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (bootstrap != null) {
            env.put(KafkaClientConfig.ENV_BOOTSTRAP, bootstrap);
        }
        boolean bootstrapGiven = env.containsKey(KafkaClientConfig.ENV_BOOTSTRAP);
        env.putIfAbsent(KafkaClientConfig.ENV_BOOTSTRAP, DEFAULT_BOOTSTRAP);
        if (clientProperties != null) {
            env.put(KafkaClientConfig.ENV_PROPERTIES_FILE, clientProperties);
        }
        KafkaClientConfig fromEnv = KafkaClientConfig.fromEnv(env);
        if (!bootstrapGiven && fromEnv.properties().containsKey("bootstrap.servers")) {
            // a properties file naming its brokers (as `dev --secure` writes) needs no --bootstrap
            return new KafkaClientConfig(fromEnv.properties().get("bootstrap.servers"), fromEnv.properties());
        }
        return fromEnv;
    }

    /** Client properties with bounded timeouts, so nothing waits longer than a user would. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = config().toMap();
        p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) REACH_TIMEOUT.toMillis());
        p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REACH_TIMEOUT.toMillis() / 2);
        p.putIfAbsent("max.block.ms", REACH_TIMEOUT.toMillis());
        p.putIfAbsent("delivery.timeout.ms", (int) REACH_TIMEOUT.toMillis());
        return p;
    }

    /**
     * Fails fast with a clear message when the brokers do not answer.
     *
     * @throws UnreachableKafkaException naming the bootstrap servers
     */
    public void requireReachable() {
        Map<String, Object> p = new HashMap<>(clientProperties());
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().nodes().get(REACH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new UnreachableKafkaException(config().bootstrapServers(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableKafkaException(config().bootstrapServers(), e);
        }
    }

    /** Kafka did not answer. */
    public static final class UnreachableKafkaException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreachableKafkaException(String bootstrap, Throwable cause) {
            super("cannot reach Kafka at " + bootstrap + " within " + REACH_TIMEOUT.toSeconds()
                    + " s (is it running? is --bootstrap right?)", cause);
        }
    }
}
