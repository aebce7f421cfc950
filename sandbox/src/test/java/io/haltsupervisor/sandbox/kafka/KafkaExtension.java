package io.haltsupervisor.sandbox.kafka;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

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
public final class KafkaExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, KafkaFixture.Broker {
    private KafkaFixture.Broker broker;
    private boolean perClass;

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        broker = KafkaFixture.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (broker == null) {
            broker = KafkaFixture.start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private KafkaFixture.Broker broker() {
        if (broker == null) {
            throw new IllegalStateException("the broker is not started: register KafkaExtension with @RegisterExtension");
        }
        return broker;
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
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
