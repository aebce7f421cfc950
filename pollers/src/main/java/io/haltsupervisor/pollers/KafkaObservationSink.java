package io.haltsupervisor.pollers;

import io.haltsupervisor.schemas.Acls;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pollers' one producer: idempotent, {@code acks=all}, values serialised with each topic's serde from
 * the registry. Kafka client metrics are bound to the registry.
 *
 * <p>Riding out a broker outage (docs/operations.md, "Failover"): {@link #publish} never blocks the poll loop.
 * It hands the record to a bounded queue ({@value #DEFAULT_QUEUE_CAPACITY} records) that one sender thread
 * drains into the producer; when the queue is full the publish fails at once, and so does a record the producer
 * gave up on. While Kafka is unreachable the sender holds the record at the head of the queue and offers it again
 * every {@code max.block.ms} ({@value #MAX_BLOCK_MS} ms without metadata or buffer space), for up to
 * {@code delivery.timeout.ms} ({@value #DELIVERY_TIMEOUT_MS} ms) in all; the queue behind it keeps the order, and
 * {@code buffer.memory} is 32 MiB. So an observation made during an outage of up to two minutes — a pod that went
 * unready and does not change again, whose watcher has nothing to re-publish — is delivered late, never lost. A
 * publish that fails anyway (full queue, longer outage) is treated as not published: the status poller publishes
 * the node's current state again at its next poll. Every producer setting can be overridden with
 * {@code KAFKA_CLIENT_*}.
 */
public final class KafkaObservationSink implements ObservationSink, AutoCloseable {
    /** Records waiting for the sender thread at most; beyond, a publish fails at once. */
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    /** How long the sender thread waits for metadata or buffer space for one record. */
    public static final int MAX_BLOCK_MS = 5_000;
    /** How long the producer tries to deliver one record (Kafka's default). */
    public static final int DELIVERY_TIMEOUT_MS = 120_000;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaObservationSink.class);
    private final Producer<String, byte[]> producer;
    private final KafkaClientMetrics metrics;
    private final Acls.Principal principal;
    private final AtomicReference<String> denied = new AtomicReference<>();
    private final BlockingQueue<Pending> queue;
    private final int capacity;
    private final Thread sender;
    private final Counter overflows;
    private final AtomicLong inFlight = new AtomicLong();
    private volatile boolean closed;

    /** A record waiting for the sender thread. */
    private record Pending(ProducerRecord<String, byte[]> record, CompletableFuture<Void> done) {
    }

    public KafkaObservationSink(KafkaClientConfig kafka, String clientId, MeterRegistry registry) {
        this(kafka, clientId, registry, Acls.pollers("pollers"));
    }

    /**
     * @param principal the ACLs the producer runs with, to name what Kafka refused when it does
     */
    public KafkaObservationSink(KafkaClientConfig kafka, String clientId, MeterRegistry registry,
            Acls.Principal principal) {
        this(kafka, clientId, registry, principal, DEFAULT_QUEUE_CAPACITY);
    }

    /**
     * @param queueCapacity records waiting for the sender thread at most
     */
    public KafkaObservationSink(KafkaClientConfig kafka, String clientId, MeterRegistry registry,
            Acls.Principal principal, int queueCapacity) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity: expected >= 1, got " + queueCapacity);
        }
        this.principal = principal;
        this.capacity = queueCapacity;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        Map<String, Object> props = kafka.toMap();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        metrics = new KafkaClientMetrics(producer);
        metrics.bindTo(registry);
        overflows = Counter.builder("halt_supervisor.pollers.publish.overflows")
                .description("publishes refused at once because the hand-off queue to Kafka was full").register(registry);
        Gauge.builder("halt_supervisor.pollers.publish.queued", queue, BlockingQueue::size)
                .description("observations waiting to be handed to the Kafka producer").register(registry);
        sender = new Thread(this::send, "pollers-kafka-sender-" + clientId);
        sender.setDaemon(true);
        sender.start();
    }

    @Override
    public <V> CompletableFuture<Void> publish(Topic<String, V> topic, String key, V value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IllegalStateException("the pollers' producer is closed"));
            return done;
        }
        byte[] bytes;
        try {
            bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
            return done;
        }
        inFlight.incrementAndGet();
        done.whenComplete((ok, error) -> inFlight.decrementAndGet());
        Pending pending = new Pending(new ProducerRecord<>(topic.name(), key, bytes), done);
        if (!queue.offer(pending)) {
            overflows.increment();
            done.completeExceptionally(new IllegalStateException("the pollers' queue to Kafka is full (" + capacity
                    + " records waiting: is Kafka reachable?)"));
        } else if (closed && queue.remove(pending)) {
            done.completeExceptionally(new IllegalStateException("the pollers' producer is closed"));
        }
        return done;
    }

    /** The sender thread: hands queued records to the producer, which may block it (never the poll loop). */
    private void send() {
        while (true) {
            Pending p;
            try {
                p = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            long started = System.nanoTime();
            boolean warned = false;
            while (!handOver(p, started)) {
                // Kafka unreachable: keep this record (and, behind it, the queue) until it is back
                if (!warned) {
                    LOG.warn("pollers: Kafka unreachable (no metadata within {} ms); holding {} observation(s) until"
                            + " it is back, for up to {} ms", MAX_BLOCK_MS, queue.size() + 1, DELIVERY_TIMEOUT_MS);
                    warned = true;
                }
            }
            if (warned) {
                LOG.info("pollers: Kafka reachable again after {} ms", (System.nanoTime() - started) / 1_000_000);
            }
        }
    }

    /**
     * Gives {@code p} to the producer; false to try again: the producer could not take it within
     * {@code max.block.ms} (no metadata or buffer space: Kafka unreachable), the record has waited less than
     * {@code delivery.timeout.ms} in all, and the sink is open. Any other failure, or that one after
     * {@code delivery.timeout.ms}, fails the publish.
     */
    private boolean handOver(Pending p, long started) {
        AtomicBoolean inSend = new AtomicBoolean(true);
        AtomicBoolean again = new AtomicBoolean(false);
        try {
            producer.send(p.record(), (metadata, error) -> {
                if (error instanceof TimeoutException && inSend.get() && mayWait(started)) {
                    again.set(true); // failed inside send(): never buffered, so nothing else will report it
                } else if (error != null) {
                    noteDenied(error);
                    p.done().completeExceptionally(error);
                } else {
                    p.done().complete(null);
                }
            });
        } catch (TimeoutException e) {
            if (mayWait(started)) {
                return false;
            }
            p.done().completeExceptionally(e);
        } catch (RuntimeException e) {
            // e.g. the producer closed
            noteDenied(e);
            p.done().completeExceptionally(e);
        } finally {
            inSend.set(false);
        }
        return !again.get();
    }

    private boolean mayWait(long started) {
        return !closed && System.nanoTime() - started < DELIVERY_TIMEOUT_MS * 1_000_000L;
    }

    /** Observations handed to {@link #publish} and not yet acknowledged or failed. */
    public long pending() {
        return inFlight.get();
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

    /** Sends what is queued and buffered and waits until Kafka has acknowledged it (or given up). */
    public void flush() {
        while (!queue.isEmpty() && sender.isAlive()) {
            Thread.onSpinWait();
            LockSupport.parkNanos(1_000_000);
        }
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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!queue.isEmpty() && sender.isAlive() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000);
        }
        sender.interrupt();
        for (Pending p; (p = queue.poll()) != null; ) {
            p.done().completeExceptionally(new IllegalStateException("the pollers' producer is closed"));
        }
        metrics.close();
        producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
}
