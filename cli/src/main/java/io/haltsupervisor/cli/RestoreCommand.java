package io.haltsupervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.Partitioning;
import io.haltsupervisor.schemas.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code supervisor restore FILE…}: writes records exported with {@code kcat -C -J} back into a (fresh) cluster,
 * each to <em>the partition it was exported from</em>, with its key, value, headers and timestamp. Both matter for a
 * replay to reproduce the decision log: a node's records must stay on one partition (re-producing with a partitioner
 * of one's own can split a node's story, see {@link Partitioning}), and decisions take their time from the records.
 * A record that was on the wrong partition at the source is restored where it was (the decider dead-letters it again,
 * as it did) and counted. The target topics must exist with at least as many partitions as the export names.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Write records exported with `kcat -C -J` back, each to its exported partition with its key, "
                + "headers and timestamp (what a replay needs to reproduce the decision log).")
public final class RestoreCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "kcat -J exports, one JSON record per line.")
    List<Path> files = new ArrayList<>();

    @Spec
    CommandSpec spec;

    /** One exported record. */
    record Exported(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
            List<Header> headers) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Exported> records = new ArrayList<>();
        for (Path file : files) {
            read(file, records);
        }
        kafka.requireReachable();
        Map<String, Integer> partitions = partitions(records);
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        long misrouted = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
            for (Exported r : records) {
                if (Partitioning.misrouted(r.topic(), r.partition(), r.key(), partitions.get(r.topic())).isPresent()) {
                    misrouted++;
                }
                sent.add(producer.send(new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(), r.key(), r.value(),
                        r.headers())));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (ExecutionException e) {
            err.println("supervisor restore: writing failed: " + e.getCause());
            err.flush();
            return 1;
        }
        out.printf("restored %d record(s) from %d file(s), each to its exported partition%s%n", records.size(),
                files.size(), misrouted == 0 ? "" : "; " + misrouted + " of them were on another partition than their "
                        + "key's at the source too (the decider dead-letters them again, as it did)");
        out.flush();
        return 0;
    }

    private void read(Path file, List<Exported> into) {
        int lineNo = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                into.add(parse(line));
            }
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + ":" + lineNo + ": " + e.getMessage()
                    + " (expected a line of `kcat -C -J`: {\"topic\":…,\"partition\":…,\"offset\":…,\"ts\":…,"
                    + "\"key\":…,\"payload\":…})");
        }
    }

    /** One line of {@code kcat -C -J} output. */
    static Exported parse(String line) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String topic = text(n, "topic");
        if (topic == null || Topics.byName(topic).isEmpty()) {
            throw new IllegalArgumentException("'topic' must be one of the supervisor's topics, got " + n.get("topic"));
        }
        if (!n.path("partition").canConvertToInt() || n.path("partition").asInt() < 0) {
            throw new IllegalArgumentException("'partition' must be a partition number, got " + n.get("partition"));
        }
        if (!n.path("ts").canConvertToLong() || n.path("ts").asLong() < 0) {
            throw new IllegalArgumentException("'ts' must be a timestamp in ms, got " + n.get("ts"));
        }
        List<Header> headers = new ArrayList<>();
        JsonNode h = n.path("headers");
        if (h.isArray()) {
            for (int i = 0; i + 1 < h.size(); i += 2) {
                headers.add(new RecordHeader(h.get(i).asText(), h.get(i + 1).isNull() ? null
                        : h.get(i + 1).asText().getBytes(StandardCharsets.UTF_8)));
            }
        }
        return new Exported(topic, n.get("partition").asInt(), n.path("offset").asLong(-1), n.get("ts").asLong(),
                bytes(n, "key"), bytes(n, "payload"), headers);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static byte[] bytes(JsonNode n, String field) {
        String v = text(n, field);
        return v == null ? null : v.getBytes(StandardCharsets.UTF_8);
    }

    /** Partition counts of the target topics; fails naming a topic that lacks a partition the export uses. */
    private Map<String, Integer> partitions(List<Exported> records) throws Exception {
        Map<String, Integer> highest = new HashMap<>();
        records.forEach(r -> highest.merge(r.topic(), r.partition(), Math::max));
        Map<String, Integer> out = new HashMap<>();
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Map<String, TopicDescription> described = admin.describeTopics(highest.keySet()).allTopicNames().get();
            for (Map.Entry<String, Integer> e : highest.entrySet()) {
                int n = described.get(e.getKey()).partitions().size();
                if (n <= e.getValue()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "topic " + e.getKey() + " has " + n
                            + " partitions but the export has records on partition " + e.getValue()
                            + ": create it with as many partitions as the exported cluster had");
                }
                out.put(e.getKey(), n);
            }
        } catch (ExecutionException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot describe the target topics (create "
                    + "them first, as in docs/operations.md): " + e.getCause().getMessage());
        }
        return out;
    }
}
