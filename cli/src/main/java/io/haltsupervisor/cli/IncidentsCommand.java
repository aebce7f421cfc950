package io.haltsupervisor.cli;

import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code supervisor incidents}: the open incidents, folded from {@code seid.decisions.v1}; for a node near a known
 * upgrade height, the blocks remaining ({@link UpgradeApproach}: its height from its latest halt observation, the
 * heights from {@code seid.image-mappings.v1}).
 */
@Command(name = "incidents", mixinStandardHelpOptions = true,
        description = "Open incidents as a table (--json for machines), from the decision log.")
public final class IncidentsCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--json", description = "A JSON array instead of a table.")
    boolean json;

    @Option(names = "--held", description = "The nodes on hold (no automatic action until `release`) instead of the"
            + " incidents.")
    boolean held;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        kafka.requireReachable();
        IncidentView view = new IncidentView();
        try (TopicReader reader = new TopicReader(kafka.clientProperties())) {
            Map<TopicPartition, Topic<?, ?>> partitions = new LinkedHashMap<>();
            reader.partitions(Topics.DECISIONS.name()).forEach(tp -> partitions.put(tp, Topics.DECISIONS));
            PrintWriter err = spec.commandLine().getErr();
            long[] skipped = {0};
            reader.readAll(partitions, k -> true, e -> {
                if (e.value() instanceof Decision d) {
                    view.apply(d);
                } else if (e.value() instanceof TopicReader.Skipped) {
                    skipped[0]++;
                    err.println(TopicReader.skippedLine("incidents", e));
                }
            });
            if (skipped[0] > 0) {
                err.println("incidents: " + skipped[0] + " record(s) skipped (the actuator dead-lettered them too)");
            }
            err.flush();
        }
        PrintWriter out = spec.commandLine().getOut();
        List<IncidentView.Hold> holds = view.held();
        if (held) {
            printHolds(out, holds);
            out.flush();
            return 0;
        }
        Map<String, IncidentView.Hold> holdOf = new LinkedHashMap<>();
        holds.forEach(h -> holdOf.put(h.nodeId(), h));
        List<IncidentView.Incident> open = view.open();
        Map<String, UpgradeApproach> approach = open.isEmpty() ? Map.of() : approaches(open);
        if (json) {
            com.fasterxml.jackson.databind.node.ArrayNode array = Json.MAPPER.createArrayNode();
            for (IncidentView.Incident i : open) {
                com.fasterxml.jackson.databind.node.ObjectNode o = Json.MAPPER.valueToTree(i);
                UpgradeApproach a = approach.get(i.nodeId());
                if (a != null) {
                    o.put("blocksRemaining", a.blocksRemaining());
                    o.put("upgradePlan", a.plan());
                    o.put("upgradeHeight", a.upgradeHeight());
                }
                IncidentView.Hold h = holdOf.get(i.nodeId());
                if (h != null) {
                    o.set("hold", Json.MAPPER.valueToTree(h));
                }
                array.add(o);
            }
            out.println(Json.write(array));
        } else if (open.isEmpty()) {
            out.println("no open incidents");
        } else {
            String format = "%-26s %-24s %-5s %-8s %-34s %-24s %-9s %s%n";
            out.printf(java.util.Locale.ROOT, format, "INCIDENT", "NODE", "CODE", "PLAN", "STATE", "OPENED", "DECISIONS",
                    "TO UPGRADE");
            for (IncidentView.Incident i : open) {
                UpgradeApproach a = approach.get(i.nodeId());
                out.printf(java.util.Locale.ROOT, format, i.incidentId(), i.nodeId(),
                        i.reasonCode() == null ? "-" : i.reasonCode(), i.planName() == null ? "-" : i.planName(),
                        i.state(), i.openedAt(), i.decisions(), a == null ? "-" : a.describe());
            }
        }
        if (!json && !holds.isEmpty()) {
            out.println();
            out.println(holds.size() + " node(s) on hold: no automatic action until `supervisor release NODE`");
            printHolds(out, holds);
        }
        out.flush();
        return 0;
    }

    private void printHolds(PrintWriter out, List<IncidentView.Hold> holds) {
        if (json) {
            out.println(Json.write(Json.MAPPER.valueToTree(holds)));
        } else if (holds.isEmpty()) {
            out.println("no node on hold");
        } else {
            String format = "%-24s %-24s %-26s %s%n";
            out.printf(java.util.Locale.ROOT, format, "HELD NODE", "SINCE", "BY", "REASON");
            for (IncidentView.Hold h : holds) {
                out.printf(java.util.Locale.ROOT, format, h.nodeId(), h.since(), h.by(),
                        h.reason() == null || h.reason().isBlank() ? "-" : h.reason());
            }
        }
    }

    /** Per open incident's node: how far it is from the next mapped height, when near one. */
    private Map<String, UpgradeApproach> approaches(List<IncidentView.Incident> open) {
        java.util.Set<String> nodes = new java.util.HashSet<>();
        open.forEach(i -> {
            if (i.nodeId() != null) {
                nodes.add(i.nodeId());
            }
        });
        Map<String, Long> heights = new java.util.TreeMap<>();
        Map<String, Long> latest = new java.util.HashMap<>();
        try (TopicReader reader = new TopicReader(kafka.clientProperties())) {
            Map<TopicPartition, Topic<?, ?>> partitions = new LinkedHashMap<>();
            reader.partitions(Topics.IMAGE_MAPPINGS.name()).forEach(tp -> partitions.put(tp, Topics.IMAGE_MAPPINGS));
            reader.readAll(partitions, k -> true, e -> {
                if (e.value() instanceof io.haltsupervisor.schemas.ImageMappingChanged m && m.upgradeHeight() != null) {
                    heights.put(e.key(), m.upgradeHeight());
                } else if (!(e.value() instanceof TopicReader.Skipped)) {
                    heights.remove(e.key());
                }
            });
            if (heights.isEmpty()) {
                return Map.of();
            }
            Map<TopicPartition, Topic<?, ?>> halts = new LinkedHashMap<>();
            nodes.forEach(n -> halts.put(reader.partitionFor(Topics.HALT_OBSERVATIONS.name(), n),
                    Topics.HALT_OBSERVATIONS));
            reader.readAll(halts, nodes::contains, e -> {
                if (e.value() instanceof io.haltsupervisor.schemas.HaltObserved h && h.latestBlockHeight() != null) {
                    latest.put(h.nodeId(), h.latestBlockHeight());
                }
            });
        }
        Map<String, UpgradeApproach> out = new java.util.HashMap<>();
        latest.forEach((node, h) -> UpgradeApproach.of(h, heights).ifPresent(a -> out.put(node, a)));
        return out;
    }
}
