package io.haltsupervisor.cli.secure;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.haltsupervisor.cli.Supervisor;
import io.haltsupervisor.sandbox.kafka.EmbeddedKafka;
import io.haltsupervisor.sandbox.kafka.KafkaSecurity;
import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topic;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.LoggerFactory;

/**
 * What the secured-broker ITs share: principals over either mechanism, the CLI run in this JVM with a client
 * properties file, the topics read and written as the set-up super user, and the captured logs searched for
 * secrets.
 */
final class SecureKit {
    /** How a principal authenticates. */
    enum Mechanism { SCRAM, TLS }

    /** What a CLI run printed and returned. */
    record CliResult(int exit, String out, String err) {
    }

    private SecureKit() {
    }

    /** A secured broker with every registry topic (one partition each, so a test's reads are quick). */
    static EmbeddedKafka broker() {
        EmbeddedKafka kafka = EmbeddedKafka.secured().start();
        kafka.createTopics(1);
        return kafka;
    }

    /** Creates the principal's user over the mechanism and grants exactly its ACLs; returns its client settings. */
    static Map<String, String> grant(KafkaSecurity security, Mechanism mechanism, Acls.Principal principal) {
        Map<String, String> client = credentials(security, mechanism, principal.user());
        security.addAcls(principal.bindings());
        return client;
    }

    static Map<String, String> credentials(KafkaSecurity security, Mechanism mechanism, String user) {
        return mechanism == Mechanism.SCRAM ? security.scramUser(user) : security.tlsUser(user);
    }

    static KafkaClientConfig config(Map<String, String> client) {
        Map<String, String> props = new HashMap<>(client);
        String bootstrap = props.remove("bootstrap.servers");
        return new KafkaClientConfig(bootstrap, props);
    }

    static Path propertiesFile(Map<String, String> client, Path dir, String name) {
        return KafkaSecurity.writeProperties(client, dir.resolve(name + ".properties"));
    }

    /** Runs {@code supervisor ARGS --kafka-config FILE} in this JVM. */
    static CliResult cli(Path properties, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kafka-config", properties.toString()));
        return run(all.toArray(String[]::new));
    }

    static CliResult run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Supervisor.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CliResult(exit, out.toString(), err.toString());
    }

    /** The sum of the topic's end offsets, read as the super user (every record, committed or not). */
    static long endOffsets(EmbeddedKafka kafka, Topic<?, ?> topic) {
        Map<String, Object> p = new HashMap<>(kafka.security().superUserProperties());
        try (Admin admin = Admin.create(p)) {
            int partitions = admin.describeTopics(List.of(topic.name())).allTopicNames().get(20, TimeUnit.SECONDS)
                    .get(topic.name()).partitions().size();
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                specs.put(new TopicPartition(topic.name(), i), OffsetSpec.latest());
            }
            return admin.listOffsets(specs).all().get(20, TimeUnit.SECONDS).values().stream()
                    .mapToLong(r -> r.offset()).sum();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic.name(), e);
        }
    }

    /** Every committed value of the topic whose key starts with {@code keyPrefix}, read as the super user. */
    static <V> List<V> values(EmbeddedKafka kafka, Topic<String, V> topic, String keyPrefix) {
        Map<String, Object> p = new HashMap<>(kafka.security().superUserProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<V> values = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(topic.name()).stream()
                    .map(i -> new TopicPartition(topic.name(), i.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(keyPrefix) && r.value() != null) {
                        values.add(topic.valueSerde().deserializer().deserialize(topic.name(), r.value()));
                    }
                }
            }
        }
        return values;
    }

    /** Writes one record as the super user. */
    static <V> void produce(EmbeddedKafka kafka, Topic<String, V> topic, String key, byte[] value) {
        Map<String, Object> p = new HashMap<>(kafka.security().superUserProperties());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + topic.name(), e);
        }
    }

    static <V> void produce(EmbeddedKafka kafka, Topic<String, V> topic, String key, V value) {
        produce(kafka, topic, key, topic.valueSerde().serializer().serialize(topic.name(), value));
    }

    /**
     * The secrets in client settings: every password value, the SCRAM password inside {@code sasl.jaas.config}, and
     * the private key of every keystore (base64 of its encoding, as a PEM file or a log line would show it).
     */
    static Set<String> secrets(Map<String, String> client) {
        Set<String> secrets = new LinkedHashSet<>();
        client.forEach((k, v) -> {
            if (k.contains("password")) {
                secrets.add(v);
            }
        });
        String jaas = client.get("sasl.jaas.config");
        if (jaas != null) {
            Matcher m = Pattern.compile("password=\"([^\"]+)\"").matcher(jaas);
            if (m.find()) {
                secrets.add(m.group(1));
            }
        }
        String keystore = client.get("ssl.keystore.location");
        if (keystore != null) {
            try (InputStream in = Files.newInputStream(Path.of(keystore))) {
                char[] password = client.get("ssl.keystore.password").toCharArray();
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, password);
                for (String alias : Collections.list(ks.aliases())) {
                    Key key = ks.getKey(alias, password);
                    if (key != null) {
                        String encoded = Base64.getEncoder().encodeToString(key.getEncoded());
                        secrets.add(encoded.substring(0, 40));
                        secrets.add(Base64.getMimeEncoder().encodeToString(key.getEncoded()).substring(0, 40));
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot read " + keystore, e);
            }
        }
        return secrets;
    }

    /**
     * Captures every log line (message and stack trace) of this JVM, Kafka's clients at INFO included (their
     * configuration dumps are where a secret would show), until closed.
     */
    static final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final Logger kafkaClients = (Logger) LoggerFactory.getLogger("org.apache.kafka");
        private final Level kafkaLevel;

        LogCapture() {
            kafkaLevel = kafkaClients.getLevel();
            setContext(root.getLoggerContext());
            start();
            root.addAppender(this);
            kafkaClients.setLevel(Level.INFO);
            kafkaClients.setAdditive(false);
            kafkaClients.addAppender(this);
        }

        @Override
        protected void append(ILoggingEvent event) {
            String line = event.getLoggerName() + " " + event.getFormattedMessage();
            if (event.getThrowableProxy() != null) {
                line += "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
            }
            lines.add(line);
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        /** The captured lines that contain one of the strings. */
        List<String> containing(Set<String> needles) {
            return lines().stream().filter(l -> needles.stream().anyMatch(l::contains)).toList();
        }

        @Override
        public void close() {
            root.detachAppender(this);
            kafkaClients.detachAppender(this);
            kafkaClients.setAdditive(true);
            kafkaClients.setLevel(kafkaLevel);
            stop();
        }
    }
}
