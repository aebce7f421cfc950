package io.haltsupervisor.schemas;

import org.apache.kafka.common.errors.SerializationException;

/** A value larger than its topic's readers accept ({@link JsonSerde#withMaxBytes}); it is never parsed. */
public class OversizedRecordException extends SerializationException {
    private static final long serialVersionUID = 1L;

    public OversizedRecordException(String message) {
        super(message);
    }
}
