package io.haltsupervisor.pollers;

import io.haltsupervisor.schemas.Topic;
import java.util.concurrent.CompletableFuture;

/** Where the pollers publish: a topic of the registry, a key, a value (null for a tombstone). */
@FunctionalInterface
public interface ObservationSink {

    /** Publishes one record; the future completes when it is acknowledged, or exceptionally. */
    <V> CompletableFuture<Void> publish(Topic<String, V> topic, String key, V value);
}
