package io.haltsupervisor.decider.service;

import io.haltsupervisor.decider.DeciderConfig;

import io.haltsupervisor.schemas.KafkaClientConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The decider as its own process, for the fault tests that kill it: configured from the environment as
 * {@code supervisor decider} is ({@code DECIDER_*}, {@code KAFKA_*}), it prints {@code STATE <state>} on
 * stdout at each Kafka Streams state change and runs until killed.
 */
public final class DeciderChild {
    private DeciderChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = System.getenv();
        DeciderService service = new DeciderService(DeciderConfig.fromEnv(env), KafkaClientConfig.fromEnv(env),
                new SimpleMeterRegistry());
        service.start();
        KafkaStreams.State last = null;
        while (true) {
            KafkaStreams.State now = service.streams().map(KafkaStreams::state).orElse(null);
            if (now != last) {
                System.out.println("STATE " + now);
                System.out.flush();
                last = now;
            }
            Thread.sleep(20);
        }
    }
}
