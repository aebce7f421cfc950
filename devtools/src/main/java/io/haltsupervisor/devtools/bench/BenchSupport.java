package io.haltsupervisor.devtools.bench;

import io.haltsupervisor.schemas.Topics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** What the benchmarks share: what they ran on, quiet logs, offsets, temp directories. */
final class BenchSupport {
    /** The decider's input topics, in {@code Topics.DECIDER_INPUTS} order. */
    static final List<String> DECIDER_INPUTS = Topics.DECIDER_INPUTS.stream().map(t -> t.name()).toList();

    private BenchSupport() {
    }

    /** Cores, Java, heap, OS and the load average now. */
    static String ranOn() {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, "ran on: %d cores, Java %s (%s), max heap %d MiB, %s %s; %s",
                rt.availableProcessors(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
                rt.maxMemory() / (1024 * 1024), System.getProperty("os.name"), System.getProperty("os.arch"),
                loadAverage());
    }

    /** The system's 1-minute load average, from {@code /proc/loadavg} when there is one. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "load average " + f[0] + " / " + f[1] + " / " + f[2] + " (1 / 5 / 15 min)";
        } catch (IOException | RuntimeException e) {
            double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return String.format(Locale.ROOT, "load average %.2f (1 min)", l);
        }
    }

    static void quietLogs() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
            ctx.getLogger("io.haltsupervisor").setLevel(ch.qos.logback.classic.Level.WARN);
            ctx.getLogger("io.haltsupervisor.decider.DeadLetters").setLevel(ch.qos.logback.classic.Level.ERROR);
            ctx.getLogger("io.fabric8").setLevel(ch.qos.logback.classic.Level.ERROR);
            ctx.getLogger("org.apache.kafka").setLevel(ch.qos.logback.classic.Level.ERROR);
            ctx.getLogger("kafka").setLevel(ch.qos.logback.classic.Level.ERROR);
            ctx.getLogger("state.change.logger").setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    static Map<TopicPartition, Long> endOffsets(String bootstrap, List<String> topics) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Set<TopicPartition> partitions = admin.describeTopics(topics).allTopicNames().get().values().stream()
                    .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                    .collect(Collectors.toSet());
            Map<TopicPartition, OffsetSpec> specs = partitions.stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(specs).all().get();
            return result.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    static Map<TopicPartition, Long> committed(Admin admin, String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> out = new HashMap<>();
            offsets.forEach((tp, om) -> {
                if (om != null) {
                    out.put(tp, om.offset());
                }
            });
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            return Map.of();
        }
    }

    static boolean reached(Map<TopicPartition, Long> positions, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                || positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * CPU time of this process, whole and by kind of thread, at one moment; {@link #since} gives what was spent
     * from then to now. Thread CPU comes from the JVM's thread timers; what the JVM's own threads (GC, JIT) spent is
     * the process's total minus every Java thread's, so it is an upper bound that also holds threads that ended.
     */
    record CpuSnapshot(long processNanos, Map<Long, Long> threadNanos) {
        static CpuSnapshot take() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            Map<Long, Long> perThread = new HashMap<>();
            for (long id : threads.getAllThreadIds()) {
                long cpu = threads.getThreadCpuTime(id);
                if (cpu >= 0) {
                    perThread.put(id, cpu);
                }
            }
            return new CpuSnapshot(processCpuNanos(), perThread);
        }

        /** Seconds of CPU since this snapshot: {@code total}, then by group ({@link #group}), then {@code jvm}. */
        Map<String, Double> since() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            Map<String, Double> out = new LinkedHashMap<>();
            double total = (processCpuNanos() - processNanos) / 1e9;
            out.put("total", total);
            double javaThreads = 0;
            for (long id : threads.getAllThreadIds()) {
                ThreadInfo info = threads.getThreadInfo(id);
                long cpu = threads.getThreadCpuTime(id);
                if (info == null || cpu < 0) {
                    continue;
                }
                double spent = (cpu - threadNanos.getOrDefault(id, 0L)) / 1e9;
                javaThreads += spent;
                out.merge(group(info.getThreadName()), spent, Double::sum);
            }
            out.put("jvm", Math.max(0, total - javaThreads));
            return out;
        }

        private static long processCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }

        /**
         * streams (stream threads), clients (producer/admin network threads, and {@code main}, which runs the raw
         * passthroughs), broker (the embedded KRaft server), other.
         */
        static String group(String thread) {
            if (thread.contains("StreamThread") && !thread.contains("producer-network")) {
                return "streams";
            }
            if (thread.startsWith("kafka-producer-network-thread") || thread.startsWith("kafka-admin-client-thread")
                    || thread.startsWith("kafka-coordinator-heartbeat-thread")
                    || thread.startsWith("consumer_background_thread") || thread.equals("main")) {
                return "clients";
            }
            if (thread.startsWith("data-plane-") || thread.startsWith("kafka-") || thread.startsWith("broker-")
                    || thread.startsWith("controller-") || thread.startsWith("quorum-controller")
                    || thread.startsWith("group-coordinator") || thread.startsWith("share-coordinator")
                    || thread.startsWith("TxnMarkerSender") || thread.startsWith("AddPartitionsToTxn")
                    || thread.startsWith("transaction-") || thread.startsWith("log-")
                    || thread.startsWith("ExpirationReaper")
                    || thread.startsWith("LogDirFailureHandler") || thread.startsWith("raft-")
                    || thread.startsWith("executor-") || thread.startsWith("ReplicaFetcher")) {
                return "broker";
            }
            return "other";
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }
}
