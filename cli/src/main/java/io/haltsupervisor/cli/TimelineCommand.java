package io.haltsupervisor.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code supervisor timeline NODE}: every observation, decision, action result, operator command and
 * dead letter of one node, in order, read from the topics (only the one partition per topic that
 * holds the node's key).
 */
@Command(name = "timeline", mixinStandardHelpOptions = true,
        description = "Every observation, decision and action result for one node, in order, from the topics.")
public final class TimelineCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "NODE", converter = NodeIdConverter.class,
            description = "The node id, namespace/name (e.g. sei/rpc-0).")
    String node;

    @Option(names = "--json", description = "One JSON object per line instead of text.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        kafka.requireReachable();
        List<TopicReader.Entry> entries = read(kafka, node);
        PrintWriter out = spec.commandLine().getOut();
        if (entries.isEmpty() && !json) {
            out.println("no records for " + node);
        }
        PrintWriter err = spec.commandLine().getErr();
        for (TopicReader.Entry e : entries) {
            out.println(json ? toJson(e) : toLine(e));
            if (e.value() instanceof TopicReader.Skipped) {
                err.println(TopicReader.skippedLine("timeline", e));
            }
        }
        out.flush();
        err.flush();
        return 0;
    }

    /** The node's records across every topic, ordered by timestamp, then topic order, then offset. */
    static List<TopicReader.Entry> read(KafkaOptions kafka, String node) {
        List<TopicReader.Entry> entries = new ArrayList<>();
        try (TopicReader reader = new TopicReader(kafka.clientProperties())) {
            Map<TopicPartition, Topic<?, ?>> partitions = new LinkedHashMap<>();
            for (Topic<?, ?> topic : Topics.ALL) {
                if (topic != Topics.IMAGE_MAPPINGS) {
                    partitions.put(reader.partitionFor(topic.name(), node), topic);
                }
            }
            reader.readAll(partitions, node::equals, entries::add);
        }
        List<String> order = Topics.ALL.stream().map(Topic::name).toList();
        entries.sort(Comparator.comparing(TopicReader.Entry::timestamp)
                .thenComparing(e -> order.indexOf(e.topic()))
                .thenComparingLong(TopicReader.Entry::offset));
        return entries;
    }

    static String toLine(TopicReader.Entry e) {
        Object v = e.value();
        String text = v instanceof TopicReader.Skipped u ? "unreadable record at " + e.topic() + "[" + e.partition()
                + "]@" + e.offset() + ": " + u.reason() : EventFormatter.describe(v);
        return String.format(java.util.Locale.ROOT, "%-30s %-22s %s", e.timestamp(),
                v instanceof TopicReader.Skipped ? "unreadable" : EventFormatter.label(v), text);
    }

    static String toJson(TopicReader.Entry e) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("timestamp", e.timestamp().toString());
        n.put("topic", e.topic());
        n.put("partition", e.partition());
        n.put("offset", e.offset());
        n.put("key", e.key());
        if (e.value() instanceof TopicReader.Skipped u) {
            n.put("error", u.reason());
        } else {
            n.set("value", Json.MAPPER.valueToTree(e.value()));
        }
        return Json.write(n);
    }
}
