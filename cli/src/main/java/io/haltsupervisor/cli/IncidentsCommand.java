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

/** {@code supervisor incidents}: the open incidents, folded from {@code seid.decisions.v1}. */
@Command(name = "incidents", mixinStandardHelpOptions = true,
        description = "Open incidents as a table (--json for machines), from the decision log.")
public final class IncidentsCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--json", description = "A JSON array instead of a table.")
    boolean json;

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
        List<IncidentView.Incident> open = view.open();
        if (json) {
            out.println(Json.write(open));
        } else if (open.isEmpty()) {
            out.println("no open incidents");
        } else {
            String format = "%-26s %-24s %-5s %-8s %-34s %-24s %s%n";
            out.printf(java.util.Locale.ROOT, format, "INCIDENT", "NODE", "CODE", "PLAN", "STATE", "OPENED", "DECISIONS");
            for (IncidentView.Incident i : open) {
                out.printf(java.util.Locale.ROOT, format, i.incidentId(), i.nodeId(),
                        i.reasonCode() == null ? "-" : i.reasonCode(), i.planName() == null ? "-" : i.planName(),
                        i.state(), i.openedAt(), i.decisions());
            }
        }
        out.flush();
        return 0;
    }
}
