package io.haltsupervisor.cli;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.replay.DeciderReplay;
import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.ImageReference;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.Partitioning;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code supervisor replay}: re-runs the decider topology offline over the recorded input topics and
 * diffs the decisions it makes against the recorded decision log. Exit 0 when identical, 1 with a
 * readable diff when not. {@code --mapping PLAN=IMAGE} overrides a mapping for a what-if.
 *
 * <p>The replay starts from empty state and merges the four input topics by record timestamp (then
 * topic, partition, offset), as Kafka Streams does; timers expire by record time only. See the
 * decider's package documentation for when this reproduces a live run exactly.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-run the decider offline over the recorded input topics and diff its decisions against "
                + "the recorded ones (exit 0 identical, 1 different).")
public final class ReplayCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--mapping", paramLabel = "PLAN=IMAGE",
            description = "What-if: replay as if PLAN mapped to IMAGE (repeatable).")
    List<String> mappingOverrides = new ArrayList<>();

    @Option(names = "--from", paramLabel = "INSTANT",
            description = "Only input records at or after this time (RFC 3339); state before it is not rebuilt.")
    Instant from;

    @Option(names = "--until", paramLabel = "INSTANT", description = "Only records before this time (RFC 3339).")
    Instant until;

    @Option(names = "--grace-window", defaultValue = "${env:DECIDER_GRACE_WINDOW:-5m}",
            description = "The live decider's DECIDER_GRACE_WINDOW (default: $DECIDER_GRACE_WINDOW or 5m).")
    String graceWindow;

    @Option(names = "--max-diff", defaultValue = "50", description = "Show at most this many differences.")
    int maxDiff;

    @Spec
    CommandSpec spec;

    /** One input record to replay. */
    record Input(String topic, int partition, long offset, Instant timestamp, byte[] key, byte[] value) {
    }

    @Override
    public Integer call() {
        Map<String, ImageMappingChanged> overrides = parseOverrides();
        DeciderConfig config = DeciderConfig.fromEnv(Map.of("DECIDER_GRACE_WINDOW", graceWindow));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        kafka.requireReachable();

        List<Input> inputs = new ArrayList<>();
        Map<String, byte[]> recorded = new LinkedHashMap<>();
        readTopics(inputs, recorded, err);
        inputs.sort(Comparator.comparing(Input::timestamp)
                .thenComparing(i -> Topics.ALL.indexOf(Topics.byName(i.topic()).orElseThrow()))
                .thenComparingInt(Input::partition).thenComparingLong(Input::offset));
        if (!overrides.isEmpty()) {
            // a what-if keeps the recorded upgrade height of the plan it overrides
            for (Input i : inputs) {
                String plan = i.key() == null ? null : new String(i.key(), StandardCharsets.UTF_8);
                if (i.topic().equals(Topics.IMAGE_MAPPINGS.name()) && overrides.containsKey(plan) && i.value() != null) {
                    try {
                        ImageMappingChanged recordedMapping = Topics.IMAGE_MAPPINGS.valueSerde().deserializer()
                                .deserialize(i.topic(), i.value());
                        ImageMappingChanged o = overrides.get(plan);
                        overrides.put(plan, ImageMappingChanged.of(plan, o.image(), recordedMapping.upgradeHeight(),
                                o.source(), o.changedAt()));
                    } catch (RuntimeException e) {
                        // a poison mapping record: the override stands as given
                    }
                }
            }
            inputs.removeIf(i -> i.topic().equals(Topics.IMAGE_MAPPINGS.name()) && i.key() != null
                    && overrides.containsKey(new String(i.key(), StandardCharsets.UTF_8)));
            Instant first = inputs.isEmpty() ? Instant.EPOCH : inputs.get(0).timestamp();
            List<Input> injected = new ArrayList<>();
            overrides.values().forEach(m -> injected.add(new Input(Topics.IMAGE_MAPPINGS.name(), -1, -1, first,
                    m.plan().getBytes(StandardCharsets.UTF_8), Topics.IMAGE_MAPPINGS.valueSerde().serializer()
                            .serialize(Topics.IMAGE_MAPPINGS.name(), m))));
            inputs.addAll(0, injected);
        }

        Map<String, byte[]> replayed = new LinkedHashMap<>();
        long start = System.nanoTime();
        long lastReport = start;
        long deadLettered = 0;
        try (DeciderReplay replay = new DeciderReplay(config)) {
            for (int n = 0; n < inputs.size(); n++) {
                Input i = inputs.get(n);
                for (DeciderReplay.Output o : replay.feed(i.topic(), i.key(), i.value(), i.timestamp())) {
                    replayed.put(decisionId(o.value()), o.value());
                }
                if (replay.deadLetters() > deadLettered) {
                    deadLettered = replay.deadLetters();
                    if (i.partition() >= 0) {
                        err.printf("replay: skipped %s[%d]@%d (dead-lettered, as the decider does): %s%n", i.topic(),
                                i.partition(), i.offset(), replay.lastDeadLetterError());
                    }
                }
                long now = System.nanoTime();
                if (now - lastReport > 1_000_000_000L || n == inputs.size() - 1) {
                    double secs = Math.max(1e-9, (now - start) / 1e9);
                    err.printf("replay: %d/%d input records (%.0f%%) at %.0f records/s%n", n + 1, inputs.size(),
                            100.0 * (n + 1) / inputs.size(), (n + 1) / secs);
                    err.flush();
                    lastReport = now;
                }
            }
        }
        if (deadLettered > 0 || skipped > 0) {
            err.printf("replay: %d input record(s) dead-lettered by the replay, %d record(s) skipped as misrouted or "
                    + "unreadable%n", deadLettered, skipped);
            err.flush();
        }
        return diff(recorded, replayed, out);
    }

    /** Records skipped while reading (misrouted inputs, unreadable or misrouted recorded decisions). */
    private long skipped;

    private void readTopics(List<Input> inputs, Map<String, byte[]> recorded, PrintWriter err) {
        Map<String, Object> p = new java.util.HashMap<>(kafka.clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        p.keySet().removeIf(k -> k.equals("max.block.ms") || k.equals("delivery.timeout.ms"));
        List<Topic<?, ?>> topics = new ArrayList<>(Topics.DECIDER_INPUTS);
        topics.add(Topics.DECISIONS);
        try (TopicReader names = new TopicReader(kafka.clientProperties());
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            Map<String, Integer> counts = new java.util.HashMap<>();
            topics.forEach(t -> {
                List<TopicPartition> of = names.partitions(t.name());
                counts.put(t.name(), of.size());
                tps.addAll(of);
            });
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            long read = 0;
            List<TopicPartition> open = new ArrayList<>(tps);
            open.removeIf(tp -> end.get(tp) == 0);
            while (!open.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(java.time.Duration.ofMillis(500))) {
                    read++;
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    Instant ts = Instant.ofEpochMilli(r.timestamp());
                    if (!inRange(ts)) {
                        continue;
                    }
                    // a misrouted record was dead-lettered by the live decider (or actuator): skipped here too
                    java.util.Optional<String> misrouted = Partitioning.misrouted(r.topic(), r.partition(), r.key(),
                            counts.get(r.topic()));
                    if (misrouted.isPresent()) {
                        skip(err, r, misrouted.get());
                    } else if (r.topic().equals(Topics.DECISIONS.name())) {
                        String unreadable = unreadableDecision(r.key(), r.value());
                        if (unreadable != null) {
                            skip(err, r, unreadable);
                        } else {
                            recorded.put(decisionId(r.value()), r.value());
                        }
                    } else {
                        inputs.add(new Input(r.topic(), r.partition(), r.offset(), ts, r.key(), r.value()));
                    }
                }
                open.removeIf(tp -> consumer.position(tp) >= end.get(tp));
            }
            err.printf("replay: read %d records (%d inputs, %d recorded decisions)%n", Math.min(read, total),
                    inputs.size(), recorded.size());
        }
    }

    private void skip(PrintWriter err, ConsumerRecord<byte[], byte[]> r, String why) {
        skipped++;
        err.printf("replay: skipped %s[%d]@%d (key %s): %s%n", r.topic(), r.partition(), r.offset(),
                r.key() == null ? "none" : "'" + new String(r.key(), StandardCharsets.UTF_8) + "'", why);
    }

    /** Why a recorded decision record is not a decision the actuator would run (null when it is one). */
    private static String unreadableDecision(byte[] key, byte[] value) {
        Decision d;
        try {
            d = Topics.DECISIONS.valueSerde().deserializer().deserialize(Topics.DECISIONS.name(), value);
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        if (d == null) {
            return "a tombstone on " + Topics.DECISIONS.name() + ", not a decision";
        }
        String k = key == null ? null : new String(key, StandardCharsets.UTF_8);
        return d.key().equals(k) ? null : "decision " + d.decisionId() + " is about '" + d.key() + "' but keyed '" + k
                + "'";
    }

    private boolean inRange(Instant ts) {
        return (from == null || !ts.isBefore(from)) && (until == null || ts.isBefore(until));
    }

    private Map<String, ImageMappingChanged> parseOverrides() {
        Map<String, ImageMappingChanged> overrides = new LinkedHashMap<>();
        for (String o : mappingOverrides) {
            int eq = o.indexOf('=');
            if (eq <= 0 || eq == o.length() - 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--mapping: expected PLAN=IMAGE, got '" + o + "'");
            }
            String plan = o.substring(0, eq);
            String image = o.substring(eq + 1);
            try {
                ImageReference.parse(image);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--mapping " + plan + ": " + e.getMessage());
            }
            overrides.put(plan, ImageMappingChanged.of(plan, image, null, "replay:what-if", Instant.EPOCH));
        }
        return overrides;
    }

    static String decisionId(byte[] value) {
        try {
            return Json.MAPPER.readTree(value).path("decisionId").asText("(no decisionId)");
        } catch (java.io.IOException e) {
            return "(unreadable)";
        }
    }

    private int diff(Map<String, byte[]> recorded, Map<String, byte[]> replayed, PrintWriter out) {
        List<String> lines = new ArrayList<>();
        int differences = 0;
        for (Map.Entry<String, byte[]> e : recorded.entrySet()) {
            byte[] again = replayed.get(e.getKey());
            if (again == null) {
                differences++;
                lines.add("- only recorded: " + summary(e.getValue()));
            } else if (!java.util.Arrays.equals(again, e.getValue())) {
                differences++;
                lines.add("~ differs:       " + e.getKey());
                lines.add("    recorded: " + new String(e.getValue(), StandardCharsets.UTF_8));
                lines.add("    replayed: " + new String(again, StandardCharsets.UTF_8));
            }
        }
        for (Map.Entry<String, byte[]> e : replayed.entrySet()) {
            if (!recorded.containsKey(e.getKey())) {
                differences++;
                lines.add("+ only replayed: " + summary(e.getValue()));
            }
        }
        if (differences == 0) {
            out.printf("identical: %d decisions recorded, %d replayed%n", recorded.size(), replayed.size());
            out.flush();
            return 0;
        }
        out.printf("different: %d difference(s) between %d recorded and %d replayed decisions%n", differences,
                recorded.size(), replayed.size());
        lines.stream().limit(Math.max(1, maxDiff) * 3L).forEach(out::println);
        out.flush();
        return 1;
    }

    private static String summary(byte[] value) {
        try {
            Decision d = Topics.DECISIONS.valueSerde().deserializer().deserialize(Topics.DECISIONS.name(), value);
            return d.decisionId() + "  " + EventFormatter.label(d) + "  " + EventFormatter.describe(d);
        } catch (RuntimeException e) {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

}
