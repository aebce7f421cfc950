package io.haltsupervisor.schemas;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The project's one JSON serde, over {@link Json#MAPPER}. Null in → null out (tombstones). Every
 * failure is a {@link SerializationException} whose message names the topic and, where Jackson or a
 * record constructor knows it, the field.
 */
public final class JsonSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {
    private final Class<T> type;
    private final ObjectReader reader;
    private final ObjectWriter writer;
    private final FastDecoders.Decoder<T> fast;
    private final int maxBytes;

    private JsonSerde(Class<T> type, int maxBytes) {
        this.type = type;
        this.maxBytes = maxBytes;
        this.fast = FastDecoders.forType(type);
        JavaType javaType = Json.MAPPER.constructType(type);
        this.reader = Json.MAPPER.readerFor(javaType);
        this.writer = Json.MAPPER.writerFor(javaType);
    }

    public static <T> JsonSerde<T> of(Class<T> type) {
        return new JsonSerde<>(type, Integer.MAX_VALUE);
    }

    /**
     * This serde, rejecting on read any value larger than {@code maxBytes} with an {@link OversizedRecordException}
     * (before parsing it): what a reader accepts is bounded, so nothing it derives from a record (state,
     * decisions, results) can outgrow the producer's and the topic's limits. Writing is not limited.
     */
    public JsonSerde<T> withMaxBytes(int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1, got " + maxBytes);
        }
        return new JsonSerde<>(type, maxBytes);
    }

    /** The largest value this serde reads, in bytes ({@link Integer#MAX_VALUE}: unlimited). */
    public int maxBytes() {
        return maxBytes;
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            return writer.writeValueAsBytes(data);
        } catch (IOException e) {
            throw new SerializationException(
                    "cannot write " + type.getSimpleName() + " to topic " + topic + ": " + explain(e), e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length > maxBytes) {
            throw new OversizedRecordException("record of " + data.length + " bytes on topic " + topic
                    + " is larger than the " + maxBytes + " bytes a " + type.getSimpleName() + " may have");
        }
        if (fast != null) {
            T value = FastDecoders.decode(fast, data);
            if (value != null) {
                return value;
            }
        }
        try {
            return reader.readValue(data);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "malformed " + type.getSimpleName() + " on topic " + topic + ": " + explain(e), e);
        }
    }

    /** A one-line reason: the constructor's validation message, or Jackson's message with its JSON path. */
    static String explain(Throwable e) {
        if (e instanceof ValueInstantiationException vie && vie.getCause() != null) {
            return vie.getCause().getMessage();
        }
        if (e instanceof JsonMappingException jme) {
            String field = jme.getPath().isEmpty() ? null : jme.getPath().get(jme.getPath().size() - 1).getFieldName();
            String original = jme.getOriginalMessage();
            if (field != null && original != null && (original.startsWith("Cannot map `null` into type")
                    || original.startsWith("Missing required creator property"))) {
                return "missing required field '" + field + "'";
            }
            Throwable cause = jme.getCause();
            if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
                return cause.getMessage();
            }
            String path = jme.getPath().isEmpty() ? "" : " at " + jme.getPathReference().replaceAll("^[^\\[]*", "");
            return jme.getOriginalMessage() + path;
        }
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe) {
            return jpe.getOriginalMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the type is fixed at construction
    }

    @Override
    public void close() {
        // stateless
    }
}
