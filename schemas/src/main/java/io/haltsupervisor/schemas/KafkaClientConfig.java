package io.haltsupervisor.schemas;

import io.haltsupervisor.schemas.config.ConfigException;
import io.haltsupervisor.schemas.config.Parsers;
import io.haltsupervisor.schemas.config.Redaction;
import io.haltsupervisor.schemas.config.Setting;
import io.haltsupervisor.schemas.config.SettingValues;
import io.haltsupervisor.schemas.config.Settings;
import java.io.IOException;
import java.io.InputStream;
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
 * properties that look secret ({@link Redaction#isSecretName}) are redacted by {@link #toString()}. The settings are
 * the registry {@link #SETTINGS}.
 *
 * @param bootstrapServers {@code host:port[,host:port]}
 * @param properties       extra client properties
 */
public record KafkaClientConfig(String bootstrapServers, Map<String, String> properties) {
    public static final String ENV_BOOTSTRAP = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String ENV_PROPERTIES_FILE = "KAFKA_CLIENT_PROPERTIES";
    public static final String ENV_PREFIX = "KAFKA_CLIENT_";

    /** The Kafka connection's settings; {@code KAFKA_*} variables are not warned about (client properties). */
    public static final Settings SETTINGS = new Settings("kafka", "");
    public static final Setting<String> BOOTSTRAP = SETTINGS.required(ENV_BOOTSTRAP, Parsers.hostPorts(),
            "the Kafka brokers, `host:port[,host:port…]`");
    public static final Setting<Path> PROPERTIES_FILE = SETTINGS.optional(ENV_PROPERTIES_FILE, Parsers.path(), "(none)",
            "a Java properties file of client properties (`security.protocol`, `sasl.jaas.config`, "
                    + "`ssl.truststore.location`…), e.g. from a mounted Secret");

    static {
        SETTINGS.passThrough(ENV_PREFIX, ENV_PREFIX + "<PROP>", "a client property for every producer, consumer, "
                + "admin client and Kafka Streams: `KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL` sets `security.protocol`; "
                + "wins over the file. Values of properties named like a credential (password, jaas, secret, token, "
                + "key) are never logged");
    }

    public KafkaClientConfig {
        Require.nonBlank(bootstrapServers, ENV_BOOTSTRAP);
        try {
            Parsers.hostPorts().parse(bootstrapServers.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ENV_BOOTSTRAP + ": " + e.getMessage() + ", got '" + bootstrapServers
                    + "'");
        }
        properties = Collections.unmodifiableMap(new TreeMap<>(properties == null ? Map.of() : properties));
    }

    public static KafkaClientConfig of(String bootstrapServers) {
        return new KafkaClientConfig(bootstrapServers, Map.of());
    }

    /**
     * Reads the settings from environment variables (see the class comment).
     *
     * @throws ConfigException listing every bad setting
     */
    public static KafkaClientConfig fromEnv(Map<String, String> env) {
        SettingValues v = SETTINGS.read(env);
        Map<String, String> props = new TreeMap<>();
        v.find(PROPERTIES_FILE).ifPresent(file -> {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
                p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
            } catch (IOException | IllegalArgumentException e) {
                v.refuse(PROPERTIES_FILE, "expected a readable Java properties file (" + e.getClass().getSimpleName()
                        + ")");
            }
        });
        env.forEach((k, value) -> {
            if (k.startsWith(ENV_PREFIX) && !k.equals(ENV_PROPERTIES_FILE) && k.length() > ENV_PREFIX.length()) {
                props.put(k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        v.throwIfInvalid();
        return new KafkaClientConfig(v.get(BOOTSTRAP), props);
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
        return Redaction.isSecretName(key);
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((k, v) -> shown.put(k, isSecret(k) ? Redaction.REDACTED : v));
        return "KafkaClientConfig{bootstrapServers=" + bootstrapServers + ", properties=" + shown + "}";
    }
}
