package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.sandbox.kafka.KafkaFixture;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.SampleEvents;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code timeline} and the operator commands against a real broker. */
class OperatorAndTimelineIT {
    static KafkaFixture.Broker kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaFixture.start();
        kafka.createTopics(3);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Supervisor.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** A sample event (about sei/rpc-0) as if it were about {@code node}. */
    @SuppressWarnings("unchecked")
    static <V> V about(Topic<String, V> topic, String node, Object sample) {
        byte[] json = topic.valueSerde().serializer().serialize(topic.name(), (V) sample);
        String moved = new String(json, java.nio.charset.StandardCharsets.UTF_8).replace("sei/rpc-0", node);
        return topic.valueSerde().deserializer().deserialize(topic.name(),
                moved.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    static <V> void publish(Topic<String, V> topic, String key, Object... values) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(p, topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            for (Object v : values) {
                producer.send(new ProducerRecord<>(topic.name(), key, (V) v));
            }
        }
    }

    static List<ConsumerRecord<String, OperatorCommandIssued>> commands() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, OperatorCommandIssued>> out = new ArrayList<>();
        try (KafkaConsumer<String, OperatorCommandIssued> c = new KafkaConsumer<>(p,
                Topics.OPERATOR_COMMANDS.keySerde().deserializer(), Topics.OPERATOR_COMMANDS.valueSerde().deserializer())) {
            c.subscribe(List.of(Topics.OPERATOR_COMMANDS.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(300)).forEach(out::add);
                if (!out.isEmpty() && c.assignment().stream().allMatch(tp ->
                        c.position(tp) >= c.endOffsets(List.of(tp)).get(tp))) {
                    break;
                }
            }
        }
        return out;
    }

    @Test
    void timelineShowsOneNodesRecordsFromEveryTopicInOrder() {
        String node = "sei/timeline-0";
        // the samples are about sei/rpc-0: re-addressed to the node, since a record keyed by another node than its
        // body's is skipped (the decider and the actuator reject it)
        publish(Topics.HALT_OBSERVATIONS, node, about(Topics.HALT_OBSERVATIONS, node, SampleEvents.haltObservations().get(0)));
        publish(Topics.HALT_OBSERVATIONS, "sei/someone-else", about(Topics.HALT_OBSERVATIONS, "sei/someone-else",
                SampleEvents.haltObservations().get(0)));
        publish(Topics.DECISIONS, node, about(Topics.DECISIONS, node, SampleEvents.decisions().get(0)));
        publish(Topics.ACTION_RESULTS, node, about(Topics.ACTION_RESULTS, node, SampleEvents.actionResults().get(0)));

        Run r = run("timeline", node, "--bootstrap", kafka.bootstrapServers());
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("halt").contains("upgrade_required").contains("plan=v6");
        assertThat(lines.get(1)).contains("decision:upgrade").contains("ghcr.io/sei-protocol/seid:v6.0.1");
        assertThat(lines.get(2)).contains("action").contains("set-image").contains("applied");

        Run json = run("timeline", node, "--json", "--bootstrap", kafka.bootstrapServers());
        assertThat(json.out().lines()).hasSize(3).allMatch(l -> l.startsWith("{") && l.contains("\"topic\""));
    }

    @Test
    void timelineShowsAPoisonRecordAsUnreadableInsteadOfHidingIt() {
        String node = "sei/poison-0";
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.HALT_OBSERVATIONS.name(), node, "{not json"));
        }
        Run r = run("timeline", node, "--bootstrap", kafka.bootstrapServers());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("unreadable").contains("seid.halt-observations.v1");
    }

    @Test
    void operatorCommandsArePublishedWithWhoAndWhy() {
        for (String command : List.of("ack", "hold", "release", "retry")) {
            Run r = run(command, "sei/ops-0", "--by", "alice", "--reason", "testing " + command,
                    "--bootstrap", kafka.bootstrapServers());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains(command + " sei/ops-0 by alice");
        }
        Run fleet = run("release", "--fleet", "--by", "bob", "--bootstrap", kafka.bootstrapServers());
        assertThat(fleet.exit()).as(fleet.err()).isZero();

        List<ConsumerRecord<String, OperatorCommandIssued>> published = commands();
        assertThat(published).filteredOn(r -> r.key().equals("sei/ops-0"))
                .extracting(r -> r.value().command().token(), r -> r.value().by(), r -> r.value().reason())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ack", "alice", "testing ack"),
                        org.assertj.core.groups.Tuple.tuple("hold", "alice", "testing hold"),
                        org.assertj.core.groups.Tuple.tuple("release", "alice", "testing release"),
                        org.assertj.core.groups.Tuple.tuple("retry", "alice", "testing retry"));
        assertThat(published).filteredOn(r -> r.key().equals(Topics.FLEET_KEY)).singleElement()
                .satisfies(r -> {
                    assertThat(r.value().fleet()).isTrue();
                    assertThat(r.value().by()).isEqualTo("bob");
                });
    }

    @Test
    void incidentsListsOpenIncidentsFromTheDecisionLog() {
        publish(Topics.DECISIONS, "sei/inc-0", new io.haltsupervisor.schemas.Decision.QuarantineDecided(1,
                "sei/inc-0#1/quarantine/0", "sei/inc-0#1", "sei/inc-0", SampleEvents.T0, 72, "v6", "seid:v5", "inc-0-0",
                "uid"));
        publish(Topics.DECISIONS, "sei/inc-1", new io.haltsupervisor.schemas.Decision.HaltPaged(1,
                "sei/inc-1#1/page/0", "sei/inc-1#1", "sei/inc-1", SampleEvents.T0, 73, null,
                io.haltsupervisor.schemas.Decision.Severity.error, io.haltsupervisor.schemas.Decision.PageReason.UnrecognisedHalt,
                "graceful but unrecognised halt 73"),
                new io.haltsupervisor.schemas.Decision.IncidentResolved(1, "sei/inc-1#1/resolve/1", "sei/inc-1#1",
                        "sei/inc-1", SampleEvents.T0.plusSeconds(1), 73, null, "seid:v5", SampleEvents.T0, "released"));
        // a known upgrade height 42 blocks above the node's height at its halt: the blocks remaining are shown
        publish(Topics.IMAGE_MAPPINGS, "v7", io.haltsupervisor.schemas.ImageMappingChanged.of("v7",
                "ghcr.io/sei-protocol/seid:v7.0.0", 2_000_000L, "configmap:sei/m", SampleEvents.T0));
        publish(Topics.HALT_OBSERVATIONS, "sei/inc-0", io.haltsupervisor.schemas.HaltObserved.fromStatus("sei/inc-0",
                new io.haltsupervisor.schemas.HaltIntent(72, "state_ahead_of_binary", "v6", 1_000_000L, null,
                        SampleEvents.T0), SampleEvents.T0, "inc-0-0", "seid:v5", 1_999_958L, "v5.9.0"));
        Run table = run("incidents", "--bootstrap", kafka.bootstrapServers());
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).contains("INCIDENT").contains("sei/inc-0#1").contains("quarantined")
                .contains("TO UPGRADE").contains("42 blocks to v7 (2000000)").doesNotContain("sei/inc-1#1");
        Run json = run("incidents", "--json", "--bootstrap", kafka.bootstrapServers());
        assertThat(json.out()).contains("\"incidentId\":\"sei/inc-0#1\"").contains("\"blocksRemaining\":42")
                .contains("\"upgradePlan\":\"v7\"");
    }

    @Test
    void badArgumentsExit2WithUsage() {
        Run bad = run("ack", "not-a-node", "--bootstrap", kafka.bootstrapServers());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("namespace/name").contains("Usage:");
        Run both = run("release", "sei/x", "--fleet", "--bootstrap", kafka.bootstrapServers());
        assertThat(both.exit()).isEqualTo(2);
        Run neither = run("release", "--bootstrap", kafka.bootstrapServers());
        assertThat(neither.exit()).isEqualTo(2);
    }

    @Test
    void anUnreachableBrokerIsReportedWithin15Seconds() {
        long start = System.nanoTime();
        Run r = run("timeline", "sei/x", "--bootstrap", "127.0.0.1:1");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach Kafka at 127.0.0.1:1");
    }
}
