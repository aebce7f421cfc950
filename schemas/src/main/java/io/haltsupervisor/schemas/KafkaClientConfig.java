package io.haltsupervisor.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka client settings shared by every component: the bootstrap servers plus any client property
 * passed through, so TLS/SASL configured by the user reaches every producer, consumer, admin client
 * and Streams instance unchanged.
 *
 * <p>From the environment: {@code KAFKA_BOOTSTRAP_SERVERS} (required), {@code KAFKA_CLIENT_PROPERTIES}
 * (a path to a Java properties file, e.g. a mounted Secret holding {@code security.protocol},
 * {@code sasl.jaas.config}, {@code ssl.truststore.location}) and {@code KAFKA_CLIENT_<PROP>} variables
 * ({@code KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL} → {@code security.protocol=SASL_SSL}). Values of
 * properties that look secret are redacted by {@link #toString()}.
 *
 * @param bootstrapServers {@code host:port[,host:port]}
 * @param properties       extra client properties
 */
public record KafkaClientConfig(String bootstrapServers, Map<String, String> properties) {
    public static final String ENV_BOOTSTRAP = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String ENV_PROPERTIES_FILE = "KAFKA_CLIENT_PROPERTIES";
    public static final String ENV_PREFIX = "KAFKA_CLIENT_";

    public KafkaClientConfig {
        Require.nonBlank(bootstrapServers, ENV_BOOTSTRAP);
        for (String server : bootstrapServers.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1 || !s.substring(colon + 1).matches("\\d{1,5}")) {
                throw new IllegalArgumentException(
                        ENV_BOOTSTRAP + ": expected host:port[,host:port…], got '" + bootstrapServers + "'");
            }
        }
        properties = Collections.unmodifiableMap(new TreeMap<>(properties == null ? Map.of() : properties));
    }

    public static KafkaClientConfig of(String bootstrapServers) {
        return new KafkaClientConfig(bootstrapServers, Map.of());
    }

    /** Reads the settings from environment variables (see the class comment). */
    public static KafkaClientConfig fromEnv(Map<String, String> env) {
        Map<String, String> props = new TreeMap<>();
        String file = env.get(ENV_PROPERTIES_FILE);
        if (file != null && !file.isBlank()) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(ENV_PROPERTIES_FILE + ": cannot read '" + file + "'", e);
            }
            p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
        }
        env.forEach((k, v) -> {
            if (k.startsWith(ENV_PREFIX) && !k.equals(ENV_PROPERTIES_FILE) && k.length() > ENV_PREFIX.length()) {
                props.put(k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        String bootstrap = env.get(ENV_BOOTSTRAP);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("missing required setting " + ENV_BOOTSTRAP + " (expected host:port)");
        }
        return new KafkaClientConfig(bootstrap, props);
    }

    /** Client properties: the pass-through ones plus {@code bootstrap.servers}. */
    public Properties toProperties() {
        Properties p = new Properties();
        p.putAll(properties);
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }

    /** Same as {@link #toProperties()}, as a mutable map ready for more settings. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new TreeMap<>(properties);
        m.put("bootstrap.servers", bootstrapServers);
        return m;
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token")
                || k.endsWith(".key") || k.contains("credentials");
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((k, v) -> shown.put(k, isSecret(k) ? "[redacted]" : v));
        return "KafkaClientConfig{bootstrapServers=" + bootstrapServers + ", properties=" + shown + "}";
    }
}
