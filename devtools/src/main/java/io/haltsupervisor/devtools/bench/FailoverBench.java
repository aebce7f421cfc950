package io.haltsupervisor.devtools.bench;

import io.haltsupervisor.schemas.Durations;
import io.haltsupervisor.schemas.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code ./supervisor bench failover}: how long the fleet goes unsupervised when a decider, an actuator or a broker
 * dies. On a {@link FailoverRig} (three broker processes, two decider and two actuator processes, a halt every
 * {@code --every}), each fault is injected {@code --repeats} times, one after the other:
 * <ul>
 *   <li>{@code decider-kill}: SIGKILL of one decider instance, restarted at once (as the kubelet does);</li>
 *   <li>{@code rolling}: SIGTERM of one decider instance, started again once it has exited (a rolling restart);</li>
 *   <li>{@code actuator-kill}: SIGKILL of one actuator instance, restarted at once;</li>
 *   <li>{@code broker-kill}: SIGKILL of one broker (in turn), started again after the window;</li>
 *   <li>{@code leader-kill}: SIGKILL of the broker leading partition 0 of the decisions topic;</li>
 *   <li>{@code decider-lost} (not in the default list): SIGKILL of one decider instance, started again only 20 s
 *   later (a lost node: nothing on the instance's side aborts its open transaction).</li>
 *   <li>{@code actuator-rolling}, {@code actuator-lost} (not in the default list): the same two for an actuator
 *   instance.</li>
 * </ul>
 *
 * <p>The <b>gap</b> of one fault: for each partition, from the fault to the first decision (for the actuator: the
 * first {@code set-image} applied) for a halt observed on that partition after the fault — the longest over the
 * partitions (with two instances, the survivor's partitions never stop, so the fault shows on the others) — or, if
 * longer, the longest any halt observed in the fault's window waited for its decision (change): that catches a
 * second stall, when the restarted instance takes its partitions back. A fault's window ends when what was killed
 * is back and ready and everything observed until then is decided (and, for the actuator's fault, acted on); a
 * halt observed after that point belongs to no window. Totals over the run: halts without a
 * decision (lost), nodes with more than one decision record (duplicates, read with {@code read_committed}), and
 * pages per paging incident as PagerDuty counts them (exactly one each is right; a trigger re-sent after a crash with
 * the same {@code dedup_key} joins the open alert), beside the trigger events on the wire.
 *
 * <p>Settings of the components ({@code DECIDER_*}, {@code ACTUATOR_*}, {@code KAFKA_CLIENT_*}) in the environment
 * override the bench's, so other failover settings can be measured the same way ({@code DECIDER_KAFKA_CLIENT_X}
 * sets the client setting {@code KAFKA_CLIENT_X} for the deciders only, e.g. {@code GROUP_PROTOCOL=streams}).
 * The last line is
 * machine-readable: {@code name=failover decider_kill_gap_max_ms=… rolling_gap_max_ms=… actuator_kill_gap_max_ms=…
 * broker_kill_gap_max_ms=… lost=… duplicates=… pages_per_incident_max=… trigger_events_per_incident_max=…}.
 * Options: {@code --repeats N} (5),
 * {@code --faults LIST} (all), {@code --every D} (200ms), {@code --partitions N} (4), {@code --membership M}
 * ({@link Membership}: {@code defaults}, {@code kafka-defaults}, {@code static}, {@code streams}), {@code --logs DIR}
 * (keep the instances' logs there, with Kafka's group and transaction events, and the brokers' logs),
 * {@code --broker KEY=VALUE} (a server property of the three brokers on top of the sandbox cluster's; repeatable).
 */
public final class FailoverBench {
    private static final long DECIDER_TARGET_MS = 10_000;
    private static final long ROLLING_TARGET_MS = 3_000;
    private static final long ACTUATOR_TARGET_MS = 10_000;
    private static final long BROKER_TARGET_MS = 10_000;
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final Duration MIN_WINDOW = Duration.ofSeconds(4);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(120);

    /** The faults, in the order they run. */
    public enum Fault {
        DECIDER_KILL("decider-kill", "SIGKILL of one decider instance (restarted at once)"),
        ROLLING("rolling", "SIGTERM + restart of one decider instance (rolling restart)"),
        ACTUATOR_KILL("actuator-kill", "SIGKILL of one actuator instance (restarted at once)"),
        BROKER_KILL("broker-kill", "SIGKILL of one broker"),
        LEADER_KILL("leader-kill", "SIGKILL of the decisions topic's partition-0 leader"),
        DECIDER_LOST("decider-lost", "SIGKILL of one decider instance, back only after the window (a lost node)"),
        ACTUATOR_ROLLING("actuator-rolling", "SIGTERM + restart of one actuator instance (rolling restart)"),
        ACTUATOR_LOST("actuator-lost", "SIGKILL of one actuator instance, back only after the window (a lost node)");

        /** The actuator's faults: judged by the cluster change gap. */
        boolean actuator() {
            return this == ACTUATOR_KILL || this == ACTUATOR_ROLLING || this == ACTUATOR_LOST;
        }

        final String token;
        final String what;

        Fault(String token, String what) {
            this.token = token;
            this.what = what;
        }

        static Fault of(String token) {
            for (Fault f : values()) {
                if (f.token.equals(token)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("--faults: expected a comma-separated list of decider-kill, rolling, "
                    + "actuator-kill, broker-kill, leader-kill, decider-lost, actuator-rolling, actuator-lost; got '"
                    + token + "'");
        }
    }

    /**
     * The group membership variant the instances run with ({@code --membership}): settings in the children's
     * environment and, for the streams protocol, the brokers' streams-group settings. The environment of the bench
     * ({@code DECIDER_*} etc.) still wins over a variant's.
     */
    public enum Membership {
        DEFAULTS("defaults", "the defaults of deploy/ and the config", Map.of(), Map.of()),
        KAFKA_DEFAULTS("kafka-defaults", "Kafka's client defaults: 45 s session, 3 s heartbeat, no standby, Streams "
                + "staying in the group on close, Kafka's acceptable recovery lag (10,000)",
                Map.of("DECIDER_SESSION_TIMEOUT", "45s", "DECIDER_HEARTBEAT_INTERVAL", "3s",
                        "DECIDER_STANDBY_REPLICAS", "0", "DECIDER_LEAVE_GROUP_ON_CLOSE", "false",
                        "DECIDER_ACCEPTABLE_RECOVERY_LAG", "10000",
                        "ACTUATOR_SESSION_TIMEOUT", "45s", "ACTUATOR_HEARTBEAT_INTERVAL", "3s"), Map.of()),
        STATIC("static", "the defaults with static membership (group.instance.id = the pod name) and, as static "
                + "membership intends, no leave on close: a restarted instance takes its own partitions back",
                Map.of("DECIDER_STATIC_MEMBERSHIP", "true", "DECIDER_LEAVE_GROUP_ON_CLOSE", "false",
                        "ACTUATOR_STATIC_MEMBERSHIP", "true", "ACTUATOR_LEAVE_GROUP_ON_CLOSE", "false"), Map.of()),
        STREAMS("streams", "the defaults with the deciders on group.protocol=streams (KIP-1071); the brokers' "
                + "streams-group session 6 s (minimum lowered from 45 s), heartbeat 1.5 s, 1 standby replica, "
                + "acceptable recovery lag 100",
                Map.of("DECIDER_KAFKA_CLIENT_GROUP_PROTOCOL", "streams"),
                Map.of("group.streams.session.timeout.ms", "6000", "group.streams.min.session.timeout.ms", "6000",
                        "group.streams.heartbeat.interval.ms", "1500",
                        "group.streams.min.heartbeat.interval.ms", "1500",
                        "group.streams.num.standby.replicas", "1",
                        "group.streams.acceptable.recovery.lag", "100"));

        final String token;
        final String what;
        final Map<String, String> env;
        final Map<String, String> brokers;

        Membership(String token, String what, Map<String, String> env, Map<String, String> brokers) {
            this.token = token;
            this.what = what;
            this.env = env;
            this.brokers = brokers;
        }

        static Membership of(String token) {
            for (Membership m : values()) {
                if (m.token.equals(token)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("--membership: expected one of defaults, kafka-defaults, static, "
                    + "streams; got '" + token + "'");
        }
    }

    /** One injected fault: when, and when its window ended (epoch ms). */
    public record Incident(Fault fault, int repeat, long atMs, long endMs, String target) {
    }

    /** The gaps of one incident (ms; {@code Long.MAX_VALUE} when a halt in its window never got there). */
    public record Gaps(long decisionMs, long changeMs) {
    }

    private FailoverBench() {
    }

    public static int run(String[] args) {
        return run(args, System.out);
    }

    static int run(String[] args, PrintStream out) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("bench failover: " + e.getMessage());
            out.println("usage: bench failover [--repeats N] [--faults decider-kill,rolling,actuator-kill,broker-kill,"
                    + "leader-kill,decider-lost,actuator-rolling,actuator-lost] [--every D] [--partitions N] [--membership defaults|kafka-defaults|static|streams]"
                    + " [--logs DIR] [--broker KEY=VALUE]...");
            return 2;
        }
        BenchSupport.quietLogs();
        Path work;
        try {
            work = o.logs.isPresent() ? Files.createDirectories(o.logs.get()) : Files.createTempDirectory("bench-failover-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new HashMap<>(o.membership.env);
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("DECIDER_") || k.startsWith("ACTUATOR_") || k.startsWith("KAFKA_CLIENT_")) {
                env.put(k, v);
            }
        });
        out.printf(Locale.ROOT, "bench failover: %s, %d repeats each; a halt every %d ms; 3 broker processes "
                + "(RF 3, min.insync.replicas 2, acks=all), 2 decider and 2 actuator processes, %d partitions%n",
                o.faults.stream().map(f -> f.token).toList(), o.repeats, o.every.toMillis(), o.partitions);
        out.println("  " + BenchSupport.ranOn());
        out.println("  membership: " + o.membership.token + " (" + o.membership.what + ")");
        new TreeMap<>(env).forEach((k, v) -> out.println("  component setting: " + k + "=" + v
                + (o.membership.env.containsKey(k) && o.membership.env.get(k).equals(v) ? "" : " (from the environment)")));
        new TreeMap<>(o.brokers).forEach((k, v) -> out.println("  broker setting: " + k + "=" + v));
        List<Incident> incidents = new ArrayList<>();
        try (FailoverRig rig = FailoverRig.start(new FailoverRig.Options(2, 2, o.partitions, o.every, env,
                work, o.brokers, o.logs.isPresent()))) {
            out.println("  logs of the instances: " + work + (o.logs.isPresent() ? " (kept, with Kafka's group and "
                    + "transaction events)" : " (deleted at the end)"));
            rig.startHalts();
            Thread.sleep(10_000); // warm-up (and the no-fault figures): the first 50 halts decided and acted on
            if (!rig.awaitCaughtUp(Duration.ofSeconds(60))) {
                out.println("bench failover: FAILED: the warm-up halts were not decided within 60 s");
                return 1;
            }
            for (Fault f : o.faults) {
                for (int r = 0; r < o.repeats; r++) {
                    incidents.add(inject(rig, f, r));
                }
            }
            rig.stopHalts();
            boolean drained = rig.awaitCaughtUp(Duration.ofSeconds(60));
            Thread.sleep(3_000); // anything extra (a duplicate) would show up now
            return report(out, o, rig, incidents, drained);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("bench failover: interrupted");
            return 1;
        } catch (IllegalStateException e) {
            out.println("bench failover: FAILED: " + e.getMessage());
            return 1;
        } finally {
            if (o.logs.isEmpty()) {
                BenchSupport.deleteTree(work);
            }
        }
    }

    /** Injects one fault, waits out its window (recovery included) and returns it. */
    static Incident inject(FailoverRig rig, Fault fault, int repeat) throws InterruptedException {
        String target;
        long at;
        Runnable recover;
        switch (fault) {
            case DECIDER_KILL, ROLLING, DECIDER_LOST, ACTUATOR_KILL, ACTUATOR_ROLLING, ACTUATOR_LOST -> {
                target = fault.actuator() ? FailoverRig.actuatorName(repeat % 2)
                        : FailoverRig.deciderName(repeat % 2);
                at = System.currentTimeMillis();
                if (fault == Fault.ROLLING || fault == Fault.ACTUATOR_ROLLING) {
                    rig.terminate(target);
                } else {
                    rig.kill(target);
                }
                if (fault == Fault.DECIDER_LOST || fault == Fault.ACTUATOR_LOST) {
                    recover = () -> {
                        sleep(MIN_WINDOW.plusSeconds(16));
                        rig.restart(target);
                    };
                } else {
                    rig.restart(target); // at once, as the kubelet does
                    recover = () -> { };
                }
            }
            case BROKER_KILL, LEADER_KILL -> {
                int broker = fault == Fault.LEADER_KILL ? rig.cluster().leaderOf(Topics.DECISIONS.name(), 0)
                        : 1 + repeat % 3;
                target = "broker " + broker + (rig.cluster().activeController() == broker ? ", the active controller"
                        : "");
                at = System.currentTimeMillis();
                rig.cluster().kill(broker);
                recover = () -> {
                    sleep(MIN_WINDOW.plusSeconds(8));
                    rig.cluster().restart(broker);
                    rig.cluster().awaitFullyReplicated(Topics.ALL.stream().map(t -> t.name()).toList(),
                            RECOVERY_TIMEOUT);
                };
            }
            default -> throw new IllegalStateException("unknown fault " + fault);
        }
        sleep(MIN_WINDOW);
        recover.run();
        rig.awaitAllReady(RECOVERY_TIMEOUT);
        sleep(SETTLE);
        // the window ends once everything observed is decided (for the actuator's fault: acted on too); the
        // actuator's backlog after a decider or broker fault is measured in the same window at the end. It holds
        // the halts observed before that check began, each of them done: a halt observed later, while the next
        // fault is injected, is in no window (counting it here would charge the next fault's stall to this one)
        long end = System.currentTimeMillis();
        if (!rig.awaitCaughtUp(RECOVERY_TIMEOUT, !fault.actuator(), end)) {
            throw new IllegalStateException(fault.token + " #" + (repeat + 1) + ": halts still undecided "
                    + RECOVERY_TIMEOUT.toSeconds() + " s after the window");
        }
        return new Incident(fault, repeat, at, end, target);
    }

    /** The gaps of one incident, from what the rig observed (see the class comment). */
    static Gaps gaps(FailoverRig rig, Incident incident, int partitions) {
        Map<String, FailoverRig.Halt> halts = rig.halts();
        return new Gaps(gap(halts, rig.decidedAt(), incident, partitions, false),
                gap(halts, rig.changedAt(), incident, partitions, true));
    }

    private static long gap(Map<String, FailoverRig.Halt> halts, Map<String, Long> done, Incident incident,
            int partitions, boolean upgradesOnly) {
        long[] firstByPartition = new long[partitions];
        Arrays.fill(firstByPartition, -1);
        long[] firstObserved = new long[partitions];
        Arrays.fill(firstObserved, Long.MAX_VALUE);
        long longestWait = 0;
        for (FailoverRig.Halt h : halts.values()) {
            if (h.observedAtMs() < incident.atMs() || h.observedAtMs() >= incident.endMs()
                    || upgradesOnly && !h.upgrade()) {
                continue;
            }
            Long at = done.get(h.nodeId());
            if (at == null) {
                return Long.MAX_VALUE;
            }
            longestWait = Math.max(longestWait, at - h.observedAtMs());
            int p = h.partition();
            if (h.observedAtMs() < firstObserved[p]) {
                firstObserved[p] = h.observedAtMs();
                firstByPartition[p] = at;
            }
        }
        long gap = longestWait;
        for (long first : firstByPartition) {
            if (first >= 0) {
                gap = Math.max(gap, first - incident.atMs());
            }
        }
        return gap;
    }

    private static int report(PrintStream out, Options o, FailoverRig rig, List<Incident> incidents,
            boolean drained) {
        Map<Fault, List<Gaps>> byFault = new EnumMap<>(Fault.class);
        for (Incident i : incidents) {
            Gaps g = gaps(rig, i, o.partitions);
            byFault.computeIfAbsent(i.fault(), f -> new ArrayList<>()).add(g);
            out.printf(Locale.ROOT, "    %s #%d (%s, at %s): decision gap %s, cluster change gap %s, window %d s%n",
                    i.fault().token, i.repeat() + 1, i.target(), java.time.Instant.ofEpochMilli(i.atMs()),
                    ms(g.decisionMs()), ms(g.changeMs()), (i.endMs() - i.atMs()) / 1000);
        }
        Map<String, FailoverRig.Halt> halts = rig.halts();
        Map<String, Long> decided = rig.decidedAt();
        Map<String, Long> changed = rig.changedAt();
        // without a fault: halts observed before the first one, and after a window's end before the next fault
        List<Long> decisionLatency = new ArrayList<>();
        List<Long> changeLatency = new ArrayList<>();
        long firstFault = incidents.isEmpty() ? Long.MAX_VALUE : incidents.get(0).atMs();
        for (FailoverRig.Halt h : halts.values()) {
            if (h.observedAtMs() < firstFault) {
                Optional.ofNullable(decided.get(h.nodeId())).ifPresent(t -> decisionLatency.add(t - h.observedAtMs()));
                if (h.upgrade()) {
                    Optional.ofNullable(changed.get(h.nodeId())).ifPresent(t -> changeLatency.add(t - h.observedAtMs()));
                }
            }
        }
        long[] dl = decisionLatency.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] cl = changeLatency.stream().mapToLong(Long::longValue).sorted().toArray();
        out.printf(Locale.ROOT, "  no fault (the %d halts before the first fault): halt -> decision p50 %s, max %s; halt -> "
                + "cluster change p50 %s, max %s%n", dl.length, ms(p50(dl)), ms(max(dl)), ms(p50(cl)), ms(max(cl)));
        // between the windows (after the first fault): a late rebalance (e.g. a probing rebalance giving a restarted
        // instance its tasks back) would show here
        long[] between = halts.values().stream().filter(h -> h.observedAtMs() >= firstFault)
                .filter(h -> incidents.stream().noneMatch(i -> h.observedAtMs() >= i.atMs() && h.observedAtMs() < i.endMs()))
                .filter(h -> decided.containsKey(h.nodeId()))
                .mapToLong(h -> decided.get(h.nodeId()) - h.observedAtMs()).sorted().toArray();
        out.printf(Locale.ROOT, "  between the windows (%d halts observed after a window's end, before the next fault): halt -> "
                + "decision p50 %s, max %s%n", between.length, ms(p50(between)), ms(max(between)));
        long lost = halts.keySet().stream().filter(n -> !decided.containsKey(n)).count();
        long notActed = halts.values().stream().filter(h -> h.upgrade() && !changed.containsKey(h.nodeId())).count();
        long duplicates = rig.decisionRecords().values().stream().filter(n -> n > 1).count();
        Map<String, Long> triggers = rig.triggersByIncident();
        long paging = halts.values().stream().filter(h -> !h.upgrade()).count();
        long notPaged = halts.values().stream().filter(h -> !h.upgrade())
                .filter(h -> triggers.keySet().stream().noneMatch(k -> k.startsWith(h.nodeId() + "#"))).count();
        long triggersMax = triggers.values().stream().mapToLong(Long::longValue).max().orElse(0);
        long pagesMax = rig.pagesByIncident().values().stream().mapToLong(Long::longValue).max().orElse(0);

        out.println("  per fault (gap p50 / max over the repeats; target beside it):");
        Map<Fault, Long> max = new EnumMap<>(Fault.class);
        for (Fault f : o.faults) {
            List<Gaps> gs = byFault.getOrDefault(f, List.of());
            long[] decision = gs.stream().mapToLong(Gaps::decisionMs).sorted().toArray();
            long[] change = gs.stream().mapToLong(Gaps::changeMs).sorted().toArray();
            boolean actuator = f.actuator();
            long[] judged = actuator ? change : decision;
            long target = switch (f) {
                case DECIDER_KILL, DECIDER_LOST -> DECIDER_TARGET_MS;
                case ROLLING -> ROLLING_TARGET_MS;
                case ACTUATOR_KILL, ACTUATOR_LOST -> ACTUATOR_TARGET_MS;
                case ACTUATOR_ROLLING -> ACTUATOR_TARGET_MS; // the issue sets none: the actuator's SIGKILL target
                default -> BROKER_TARGET_MS;
            };
            long m = judged.length == 0 ? Long.MAX_VALUE : judged[judged.length - 1];
            max.put(f, m);
            out.printf(Locale.ROOT, "  %-13s %s: %s gap p50 %s, max %s (target <= %d ms: %s); %s gap p50 %s, max %s"
                    + "%n", f.token, "(" + f.what + ", " + gs.size() + "x)", actuator ? "cluster change" : "decision",
                    ms(p50(judged)), ms(m), target, m <= target ? "met" : "NOT met by " + ms(m - target),
                    actuator ? "decision" : "cluster change", ms(p50(actuator ? decision : change)),
                    ms(actuator ? max(decision) : max(change)));
        }
        out.printf(Locale.ROOT, "  halts: %d (%d upgrades, %d paging); lost (no decision) %d, duplicates (nodes with "
                + "more than one decision record) %d, upgrades without a cluster change %d, paging incidents not paged "
                + "%d, pages per incident max %d (target 0, 0, 0, 0, 1: %s; PagerDuty trigger events per incident max %d, "
                + "a re-sent trigger with the same dedup_key joining the open alert); publishes retried %d%s%n",
                halts.size(), halts.size() - paging, paging, lost, duplicates, notActed, notPaged, pagesMax,
                lost == 0 && duplicates == 0 && notActed == 0 && notPaged == 0 && pagesMax == 1 ? "met" : "NOT met",
                triggersMax, rig.publishFailures(), drained ? "" : "; NOT drained within 60 s");
        out.println("  " + BenchSupport.loadAverage());
        long brokerMax = Math.max(max.getOrDefault(Fault.BROKER_KILL, -1L), max.getOrDefault(Fault.LEADER_KILL, -1L));
        out.printf(Locale.ROOT, "name=failover decider_kill_gap_max_ms=%s rolling_gap_max_ms=%s "
                + "actuator_kill_gap_max_ms=%s broker_kill_gap_max_ms=%s lost=%d duplicates=%d "
                + "pages_per_incident_max=%d trigger_events_per_incident_max=%d%n", figure(max.get(Fault.DECIDER_KILL)),
                figure(max.get(Fault.ROLLING)), figure(max.get(Fault.ACTUATOR_KILL)),
                figure(brokerMax < 0 ? null : brokerMax), lost, duplicates, pagesMax, triggersMax);
        return 0;
    }

    private static String figure(Long ms) {
        if (ms == null) {
            return "NaN";
        }
        return ms == Long.MAX_VALUE ? "inf" : Long.toString(ms);
    }

    private static String ms(long ms) {
        return ms == Long.MAX_VALUE ? "never (a halt was not decided)" : ms < 0 ? "-" : ms + " ms";
    }

    private static long p50(long[] sorted) {
        return sorted.length == 0 ? -1 : sorted[(sorted.length - 1) / 2];
    }

    private static long max(long[] sorted) {
        return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Command-line options. */
    record Options(int repeats, List<Fault> faults, Duration every, int partitions, Membership membership,
            Optional<Path> logs, Map<String, String> brokers) {
        static Options parse(String[] args) {
            Membership membership = Membership.DEFAULTS;
            Map<String, String> brokers = new TreeMap<>();
            Optional<Path> logs = Optional.empty();
            int repeats = 5;
            Set<Fault> faults = new LinkedHashSet<>(List.of(Fault.DECIDER_KILL, Fault.ROLLING, Fault.ACTUATOR_KILL,
                    Fault.BROKER_KILL, Fault.LEADER_KILL));
            Duration every = Duration.ofMillis(200);
            int partitions = 4;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                try {
                    switch (flag) {
                        case "--repeats" -> repeats = Integer.parseInt(value);
                        case "--faults" -> {
                            faults = new LinkedHashSet<>();
                            for (String t : value.split(",")) {
                                faults.add(Fault.of(t.trim()));
                            }
                        }
                        case "--every" -> every = Durations.parse(flag, value);
                        case "--partitions" -> partitions = Integer.parseInt(value);
                        case "--membership" -> membership = Membership.of(value);
                        case "--logs" -> logs = Optional.of(Path.of(value));
                        case "--broker" -> {
                            int eq = value.indexOf('=');
                            if (eq < 1 || eq == value.length() - 1) {
                                throw new IllegalArgumentException("--broker: expected a broker setting as KEY=VALUE"
                                        + " (e.g. broker.session.timeout.ms=9000), got '" + value + "'");
                            }
                            brokers.put(value.substring(0, eq).trim(), value.substring(eq + 1).trim());
                        }
                        default -> throw new IllegalArgumentException("unknown option " + flag);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(flag + ": expected a positive integer, got '" + value + "'");
                }
            }
            if (repeats < 1 || partitions < 1 || every.isZero() || every.isNegative()) {
                throw new IllegalArgumentException("--repeats and --partitions >= 1, --every > 0");
            }
            List<Fault> ordered = new ArrayList<>(faults);
            Map<String, String> allBrokers = new TreeMap<>(membership.brokers);
            allBrokers.putAll(brokers);
            return new Options(repeats, ordered, every, partitions, membership, logs, Map.copyOf(allBrokers));
        }
    }
}
