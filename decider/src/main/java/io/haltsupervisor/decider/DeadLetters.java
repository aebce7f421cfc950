package io.haltsupervisor.decider;

import io.haltsupervisor.schemas.DeadLetterRecorded;
import io.haltsupervisor.schemas.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poison records go to {@code seid.dead-letters.v1} as {@link DeadLetterRecorded} (source topic,
 * partition, offset, the record's bytes and the error), and processing continues. Both handlers
 * return the dead letter in their response, so Kafka Streams writes it with the task's producer —
 * inside the same exactly-once transaction as the input offset it skips.
 */
public final class DeadLetters {
    /** Streams config key under which the {@link DeciderMetrics} instance is passed to the handlers. */
    public static final String METRICS_CONFIG = "halt-supervisor.decider.metrics";
    static final String COMPONENT = "decider";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {
    }

    static ProducerRecord<byte[], byte[]> deadLetter(String topic, int partition, long offset, long timestamp,
            byte[] key, byte[] value, Throwable error, Clock clock) {
        DeadLetterRecorded letter = DeadLetterRecorded.of(topic, partition, offset,
                timestamp < 0 ? null : Instant.ofEpochMilli(timestamp), key, value, error, COMPONENT,
                clock.instant());
        byte[] json = Topics.DEAD_LETTERS.valueSerde().serializer().serialize(Topics.DEAD_LETTERS.name(), letter);
        LOG.warn("dead-lettered {}-{}@{}: {}", topic, partition, offset, letter.error());
        return new ProducerRecord<>(Topics.DEAD_LETTERS.name(), null, timestamp < 0 ? null : timestamp, key, json);
    }

    private static DeciderMetrics metricsFrom(Map<String, ?> configs) {
        Object m = configs.get(METRICS_CONFIG);
        return m instanceof DeciderMetrics metrics ? metrics : null;
    }

    /** A record that cannot be deserialised. */
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
                    record.timestamp(), record.key(), record.value(), exception, Clock.systemUTC())));
        }
    }

    /** A record that deserialised but failed validation or processing. */
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
                    context.timestamp(), context.sourceRawKey(), context.sourceRawValue(), exception,
                    Clock.systemUTC())));
        }
    }
}
