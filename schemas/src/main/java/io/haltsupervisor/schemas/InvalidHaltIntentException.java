package io.haltsupervisor.schemas;

/** A {@code halt_intent} that does not follow the contract; the message names the field and what was expected. */
public class InvalidHaltIntentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidHaltIntentException(String field, String expected, String got) {
        super((field.equals("halt_intent") ? field : "halt_intent." + field) + ": expected " + expected + ", got " + got);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
