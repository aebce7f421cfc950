package io.haltsupervisor.pollers.mappings;

import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code supervisor mapping put|rm|ls}: writes and reads the compacted {@code seid.image-mappings.v1}
 * directly, with the validation of the ConfigMap path ({@link ImageMappingFormat}). A mapping written here
 * has the source {@code cli:USER}. Input errors throw {@link IllegalArgumentException} (exit 2 in the CLI);
 * Kafka failures throw other exceptions (exit 1).
 */
public final class MappingAdmin {
    private static final Pattern USER = Pattern.compile("[^\\s/]{1,128}");

    private final KafkaClientConfig kafka;
    private final Duration timeout;
    private final Clock clock;
    private final Consumer<String> warnings;

    /**
     * @param timeout  bound on every Kafka interaction
     * @param warnings receives notes worth showing the operator (stderr)
     */
    public MappingAdmin(KafkaClientConfig kafka, Duration timeout, Clock clock, Consumer<String> warnings) {
        this.kafka = kafka;
        this.timeout = timeout;
        this.clock = clock;
        this.warnings = warnings;
    }

    /** Validates and writes {@code plan → image [height]}; returns what was written. */
    public ImageMappingChanged put(String plan, String image, Long height, String user) throws Exception {
        ImageMappingFormat.Mapping mapping = ImageMappingFormat.validate(plan, image, height);
        String source = "cli:" + checkUser(user);
        ImageMappingChanged value = ImageMappingChanged.of(mapping.plan(), mapping.image(), mapping.upgradeHeight(),
                source, clock.instant());
        Optional<ImageMappingChanged> current = Optional.ofNullable(list().get(plan));
        current.filter(c -> c.source().startsWith(MappingReconciler.CONFIGMAP_SOURCE_PREFIX)).ifPresent(c ->
                warnings.accept("plan '" + plan + "' is defined by " + c.source() + " (" + c.image() + "); the "
                        + "pollers' mapping sync restores that value when it restarts or that ConfigMap entry changes"));
        send(plan, value);
        return value;
    }

    /** Removes a plan's mapping with a tombstone; empty (and nothing written) when there was none. */
    public Optional<ImageMappingChanged> remove(String plan) throws Exception {
        ImageMappingFormat.checkPlan(plan);
        ImageMappingChanged current = list().get(plan);
        if (current == null) {
            return Optional.empty();
        }
        if (current.source().startsWith(MappingReconciler.CONFIGMAP_SOURCE_PREFIX)) {
            warnings.accept("plan '" + plan + "' comes from " + current.source() + "; the pollers' mapping sync "
                    + "writes it again unless it is removed from that ConfigMap");
        }
        send(plan, null);
        return Optional.of(current);
    }

    /** Every current mapping, by plan. */
    public SortedMap<String, ImageMappingChanged> list() {
        Map<String, ImageMappingChanged> all = MappingTopic.read(kafka, timeout, warnings);
        return new TreeMap<>(all);
    }

    private void send(String plan, ImageMappingChanged value) throws InterruptedException, ExecutionException,
            TimeoutException {
        Map<String, Object> props = kafka.toMap();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "halt-supervisor-mapping-cli");
        int ms = (int) Math.max(1000, timeout.toMillis());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ms + 5);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        byte[] bytes = Topics.IMAGE_MAPPINGS.valueSerde().serializer().serialize(Topics.IMAGE_MAPPINGS.name(), value);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.IMAGE_MAPPINGS.name(), plan, bytes))
                    .get(ms + 1000L, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Checks the name recorded as {@code cli:USER}.
     *
     * @throws IllegalArgumentException naming it and what was expected
     */
    public static String checkUser(String user) {
        if (user == null || !USER.matcher(user).matches()) {
            throw new IllegalArgumentException("user '" + (user == null ? "" : user)
                    + "' is not valid: expected 1-128 characters without spaces or '/'");
        }
        return user;
    }
}
