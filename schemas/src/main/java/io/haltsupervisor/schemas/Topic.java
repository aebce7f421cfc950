package io.haltsupervisor.schemas;

import org.apache.kafka.common.serialization.Serde;

/**
 * A topic of the supervisor: its name and serdes, and whether it is compacted. Obtain from
 * {@link Topics}; never spell a topic name elsewhere.
 *
 * @param schemaFile the JSON Schema of the value, under {@code /schemas/} on the classpath
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, boolean compacted,
        String schemaFile) {

    @Override
    public String toString() {
        return name;
    }
}
