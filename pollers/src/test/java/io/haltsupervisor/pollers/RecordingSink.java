package io.haltsupervisor.pollers;

import io.haltsupervisor.schemas.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * An in-memory {@link ObservationSink} for tests of the poller loop's behaviour (what and when it publishes,
 * what it does when a publish fails). Publishing to Kafka itself is covered by {@code PollersServiceIT}
 * against a real broker.
 */
public final class RecordingSink implements ObservationSink {
    public record Sent(String topic, String key, Object value) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private volatile Predicate<Object> failing = v -> false;

    @Override
    public synchronized <V> CompletableFuture<Void> publish(Topic<String, V> topic, String key, V value) {
        if (failing.test(value)) {
            failing = v -> false;
            return CompletableFuture.failedFuture(new IllegalStateException("broker unavailable (simulated)"));
        }
        sent.add(new Sent(topic.name(), key, value));
        return CompletableFuture.completedFuture(null);
    }

    /** Fails the next publish whose value matches. */
    public void failNext(Predicate<Object> which) {
        failing = which;
    }

    public synchronized <T> List<T> values(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Sent s : sent) {
            if (type.isInstance(s.value())) {
                out.add(type.cast(s.value()));
            }
        }
        return out;
    }

    public synchronized List<Sent> all() {
        return List.copyOf(sent);
    }
}
