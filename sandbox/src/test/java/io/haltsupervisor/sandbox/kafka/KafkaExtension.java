package io.haltsupervisor.sandbox.kafka;

import io.haltsupervisor.sandbox.testkit.ScopedResource;

/**
 * A broker for a test, from {@link KafkaFixture#start()} (an external cluster, a Testcontainers broker, or the
 * embedded KRaft broker), as a JUnit 5 extension: register it in a {@code static} field for one broker per test
 * class, in an instance field for a fresh broker per test. It is closed after the class or the test.
 *
 * <pre>{@code
 * @RegisterExtension
 * final KafkaExtension kafka = new KafkaExtension();
 * ...
 * kafka.createTopics(3);
 * }</pre>
 */
public final class KafkaExtension extends ScopedResource<KafkaFixture.Broker> implements KafkaFixture.Broker {
    @Override
    protected KafkaFixture.Broker open() {
        return KafkaFixture.start();
    }

    private KafkaFixture.Broker broker() {
        return resource();
    }

    @Override
    public KafkaFixture.Source source() {
        return broker().source();
    }

    @Override
    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    @Override
    public void createTopics(int partitions) {
        broker().createTopics(partitions);
    }

    @Override
    public void createTopic(String name, int partitions, java.util.Map<String, String> configs) {
        broker().createTopic(name, partitions, configs);
    }

    @Override
    public void close() {
        release();
    }
}
