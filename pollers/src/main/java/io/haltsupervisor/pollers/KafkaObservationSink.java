package io.haltsupervisor.pollers;

import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topic;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pollers' one producer: idempotent, {@code acks=all}, values serialised with each topic's serde from
 * the registry. Kafka client metrics are bound to the registry.
 */
public final class KafkaObservationSink implements ObservationSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaObservationSink.class);
    private final Producer<String, byte[]> producer;
    private final KafkaClientMetrics metrics;
    private final Acls.Principal principal;
    private final AtomicReference<String> denied = new AtomicReference<>();
    private volatile boolean closed;

    public KafkaObservationSink(KafkaClientConfig kafka, String clientId, MeterRegistry registry) {
        this(kafka, clientId, registry, Acls.pollers("pollers"));
    }

    /**
     * @param principal the ACLs the producer runs with, to name what Kafka refused when it does
     */
    public KafkaObservationSink(KafkaClientConfig kafka, String clientId, MeterRegistry registry,
            Acls.Principal principal) {
        this.principal = principal;
        Map<String, Object> props = kafka.toMap();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        metrics = new KafkaClientMetrics(producer);
        metrics.bindTo(registry);
    }

    @Override
    public <V> CompletableFuture<Void> publish(Topic<String, V> topic, String key, V value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IllegalStateException("the pollers' producer is closed"));
            return done;
        }
        try {
            byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
            producer.send(new ProducerRecord<>(topic.name(), key, bytes), (metadata, error) -> {
                if (error != null) {
                    noteDenied(error);
                    done.completeExceptionally(error);
                } else {
                    done.complete(null);
                }
            });
        } catch (RuntimeException e) {
            noteDenied(e);
            done.completeExceptionally(e);
        }
        return done;
    }

    /**
     * False once Kafka refused this producer's credentials or ACLs: retrying cannot help until someone changes them,
     * so the pollers report unhealthy (and are restarted) instead of failing every publish quietly.
     */
    public boolean healthy() {
        return denied.get() == null;
    }

    /** What Kafka refused, once it did. */
    public Optional<String> denied() {
        return Optional.ofNullable(denied.get());
    }

    private void noteDenied(Exception error) {
        Acls.explain(principal, error).ifPresent(message -> {
            if (denied.compareAndSet(null, message)) {
                LOG.error("pollers: {}; unhealthy until restarted", message);
            }
        });
    }

    /** Sends what is buffered and waits until Kafka has acknowledged it (or given up). */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        metrics.close();
        producer.close(timeout);
    }
}
