package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.DeciderMetrics;
import io.haltsupervisor.decider.service.DeciderHealth;

import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.DeadLetterRecorded.Category;
import io.haltsupervisor.schemas.LogThrottle;
import io.haltsupervisor.schemas.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poison records go to {@code seid.dead-letters.v1} as {@link DeadLetterRecorded} — source topic, partition,
 * offset, key, the value's size and SHA-256, bounded excerpts and the error, within
 * {@link DeadLetterRecorded#BUDGET_BYTES} whatever the record's size — and processing continues. The handlers return
 * the dead letter in their response (KIP-1034), so Kafka Streams writes it with the task's producer, inside the
 * same exactly-once transaction as the input offset it skips.
 *
 * <p>Under exactly-once, a write the broker or the producer refuses (a record too large, say) makes the whole
 * transaction abortable: nothing can be skipped then, so {@link OnProduction} fails the task and the decider says
 * why ({@link DeciderHealth}). That no single input can cause it is the inputs' size bound's job
 * ({@link io.haltsupervisor.schemas.Topics#MAX_INPUT_BYTES}): every output derives from a bounded input.
 */
public final class DeadLetters {
    /** Streams config key under which the {@link DeciderMetrics} instance is passed to the handlers. */
    public static final String METRICS_CONFIG = "halt-supervisor.decider.metrics";
    static final String COMPONENT = "decider";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final LogThrottle THROTTLE = new LogThrottle(20);

    private DeadLetters() {
    }

    static ProducerRecord<byte[], byte[]> deadLetter(String topic, int partition, long offset, long timestamp,
            byte[] key, byte[] value, Category category, Throwable error, Clock clock) {
        DeadLetterRecorded letter = DeadLetterRecorded.of(topic, partition, offset,
                timestamp < 0 ? null : Instant.ofEpochMilli(timestamp), key, value, category, error, COMPONENT,
                clock.instant());
        long held = THROTTLE.admit(clock.millis());
        if (held >= 0) {
            LOG.warn("dead-lettered {}-{}@{} ({}, {} bytes): {}{}", topic, partition, offset, category.name(),
                    value == null ? "no" : Integer.toString(value.length), letter.error(),
                    held == 0 ? "" : " (" + held + " more dead-lettered without a log line; see " + letter.toProducerRecord(null).topic() + ")");
        }
        return letter.toProducerRecord(key);
    }

    /** The category of a processing failure: a misrouted or otherwise rejected record, or an unexpected failure. */
    static Category categoryOf(Throwable error) {
        if (error instanceof MisroutedRecordException) {
            return Category.MISROUTED;
        }
        return error instanceof RejectedRecordException ? Category.REJECTED : Category.FAILED;
    }

    private static DeciderMetrics metricsFrom(Map<String, ?> configs) {
        Object m = configs.get(METRICS_CONFIG);
        return m instanceof DeciderMetrics metrics ? metrics : null;
    }

    private static DeciderHealth healthFrom(Map<String, ?> configs) {
        Object h = configs.get(DeciderHealth.CONFIG);
        return h instanceof DeciderHealth health ? health : new DeciderHealth();
    }

    /** A record that cannot be deserialised (malformed, or larger than its topic's readers accept). */
    public static final class OnDeserialization implements DeserializationExceptionHandler {
        private DeciderMetrics metrics;

        @Override
        public void configure(Map<String, ?> configs) {
            metrics = metricsFrom(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                Exception exception) {
            if (metrics != null) {
                metrics.deadLetter(record.topic());
            }
            return Response.resume(List.of(deadLetter(record.topic(), record.partition(), record.offset(),
                    record.timestamp(), record.key(), record.value(), DeadLetterRecorded.categoryOfReadError(exception),
                    exception, Clock.systemUTC())));
        }
    }

    /** A record that deserialised but was misrouted, rejected, or failed in processing. */
    public static final class OnProcessing implements ProcessingExceptionHandler {
        private DeciderMetrics metrics;

        @Override
        public void configure(Map<String, ?> configs) {
            metrics = metricsFrom(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            if (context.topic() == null || context.partition() < 0 || context.offset() < 0) {
                // a punctuation, not a record: nothing to dead-letter, keep going
                LOG.error("processing failed in {} outside of a record (task {}); continuing",
                        context.processorNodeId(), context.taskId(), exception);
                return Response.resume();
            }
            if (metrics != null) {
                metrics.deadLetter(context.topic());
            }
            return Response.resume(List.of(deadLetter(context.topic(), context.partition(), context.offset(),
                    context.timestamp(), context.sourceRawKey(), context.sourceRawValue(), categoryOf(exception),
                    exception, Clock.systemUTC())));
        }
    }

    /**
     * An output that cannot be serialised is dead-lettered under its source record (nothing was sent, so the
     * transaction is intact) and skipped; a retriable send error is retried; any other send error fails the task,
     * since under exactly-once the transaction it belongs to can only be aborted, and the reason is kept for
     * {@code /healthy}.
     */
    public static final class OnProduction implements ProductionExceptionHandler {
        private DeciderMetrics metrics;
        private DeciderHealth health;

        @Override
        public void configure(Map<String, ?> configs) {
            metrics = metricsFrom(configs);
            health = healthFrom(configs);
        }

        @Override
        public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record,
                Exception exception, SerializationExceptionOrigin origin) {
            LOG.error("decider output to {} could not be serialised ({}); skipped", record.topic(),
                    origin.name(), exception);
            if (context.topic() == null || context.partition() < 0 || context.offset() < 0) {
                return Response.resume();
            }
            if (metrics != null) {
                metrics.deadLetter(context.topic());
            }
            return Response.resume(List.of(deadLetter(context.topic(), context.partition(), context.offset(),
                    context.timestamp(), context.sourceRawKey(), context.sourceRawValue(), Category.FAILED,
                    new IllegalStateException("an output of this record to " + record.topic()
                            + " could not be serialised: " + exception.getMessage(), exception),
                    Clock.systemUTC())));
        }

        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                Exception exception) {
            if (exception instanceof RetriableException) {
                LOG.warn("decider output to {} failed ({}); retrying", record.topic(), exception.toString());
                return Response.retry();
            }
            String why = "an output to " + record.topic() + " (" + (record.value() == null ? 0 : record.value().length)
                    + " bytes) for input " + context.topic() + "-" + context.partition() + "@" + context.offset()
                    + " could not be written: " + exception;
            health.failed(why);
            LOG.error("decider cannot go on: {}", why, exception);
            return Response.fail();
        }
    }
}
