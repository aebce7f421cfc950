package io.haltsupervisor.pollers.status;

import io.haltsupervisor.pollers.PollTarget;
import io.haltsupervisor.pollers.PollerMetrics;
import io.haltsupervisor.pollers.RecordingSink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haltsupervisor.pollers.status.ObservationError.Kind;
import io.haltsupervisor.sandbox.seid.Fault;
import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.NodeStatusObserved.Change;
import io.haltsupervisor.schemas.SampleEvents;
import io.haltsupervisor.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The poll loop against real loopback HTTP (simulated seid nodes): emits on change, survives every bad input. */
class StatusPollerIT {
    private SimulatedSeidServer server;
    private StatusFetcher fetcher;
    private ScheduledThreadPoolExecutor scheduler;
    private SimpleMeterRegistry registry;
    private PollerMetrics metrics;
    private RecordingSink sink;
    private StatusPoller poller;

    @BeforeEach
    void start() {
        server = SimulatedSeidServer.start();
        scheduler = StatusPoller.newScheduler();
        fetcher = new StatusFetcher(Duration.ofSeconds(1), Duration.ofSeconds(1), 1024 * 1024, 2, scheduler);
        registry = new SimpleMeterRegistry();
        sink = new RecordingSink();
    }

    private StatusPoller poller(Duration interval, Duration heartbeat, int maxInFlight, StatusPoller.Fetch fetch) {
        metrics = new PollerMetrics(registry, () -> poller == null ? 0 : poller.targetCount());
        poller = new StatusPoller(new StatusPoller.Settings(interval, 0.1, heartbeat, maxInFlight, Duration.ofMinutes(1)),
                fetch, sink, metrics, Clock.systemUTC(), scheduler);
        return poller;
    }

    @AfterEach
    void stop() {
        if (poller != null) {
            poller.close();
        }
        scheduler.shutdownNow();
        fetcher.close();
        server.close();
    }

    private static PollTarget target(SimulatedSeid seid) {
        return new PollTarget("uid-" + seid.id(), "sei/" + seid.id(), seid.id() + "-0", seid.statusUrl(),
                "ghcr.io/sei-protocol/seid:v5.9.0");
    }

    private List<HaltObserved> halts() {
        return sink.values(HaltObserved.class);
    }

    private List<NodeStatusObserved> statuses() {
        return sink.values(NodeStatusObserved.class);
    }

    @Test
    void publishesOnChangeOnlyThroughAHaltAndARecovery() {
        SimulatedSeid seid = server.node("rpc").height(150_999_999).version("v5.9.0");
        poller(Duration.ofMillis(50), Duration.ofHours(1), 8, fetcher::fetch).upsert(target(seid));

        await().atMost(Duration.ofSeconds(10)).until(() -> seid.requests() >= 10);
        assertThat(statuses()).extracting(NodeStatusObserved::change).containsExactly(Change.FIRST_SEEN);
        assertThat(halts()).isEmpty();

        seid.halt(SampleEvents.INTENT);
        await().atMost(Duration.ofSeconds(10)).until(() -> halts().size() == 1);
        long afterHalt = seid.requests();
        await().atMost(Duration.ofSeconds(10)).until(() -> seid.requests() >= afterHalt + 10);
        assertThat(halts()).as("the same intent is one observation").hasSize(1);
        HaltObserved halt = halts().get(0);
        assertThat(halt.nodeId()).isEqualTo("sei/rpc");
        assertThat(halt.podName()).isEqualTo("rpc-0");
        assertThat(halt.intent()).isEqualTo(SampleEvents.INTENT);
        assertThat(halt.latestBlockHeight()).isEqualTo(150_999_999L);
        assertThat(halt.version()).isEqualTo("v5.9.0");

        HaltIntent restarted = new HaltIntent(70, "upgrade_required", "v6", 151_000_000L, null,
                SampleEvents.T0.plusSeconds(60));
        seid.halt(restarted);
        await().atMost(Duration.ofSeconds(10)).until(() -> halts().size() == 2);
        assertThat(halts().get(1).intent()).isEqualTo(restarted);

        seid.recover().version("v6.0.1").height(151_000_001);
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses().size() == 2);
        assertThat(statuses().get(1).change()).isEqualTo(Change.RECOVERED);
        assertThat(statuses().get(1).version()).isEqualTo("v6.0.1");

        seid.version("v6.0.2");
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses().size() == 3);
        assertThat(statuses().get(2).change()).isEqualTo(Change.VERSION_CHANGED);
        assertThat(sink.all()).extracting(RecordingSink.Sent::key).containsOnly("sei/rpc");
        assertThat(sink.all()).filteredOn(s -> s.value() instanceof HaltObserved)
                .extracting(RecordingSink.Sent::topic).containsOnly(Topics.HALT_OBSERVATIONS.name());
    }

    @Test
    void pollsFastFromTheWindowBeforeAnUpgradeHeightUntilTheHaltThenAtTheNormalIntervalAgain() {
        long h = 1_000_000L;
        // 200 blocks at 20 ms: the window (100 blocks, 2 s) is longer than the normal interval (1 s), so a normal
        // poll lands in it whatever the random phase
        SimulatedSeid near = server.node("near").height(h - 200).blockTime(Duration.ofMillis(20))
                .haltAt(new HaltIntent(70, "upgrade_required", "v6", h, null, SampleEvents.T0));
        SimulatedSeid far = server.node("far").height(h - 100_000).blockTime(Duration.ofMillis(20));
        metrics = new PollerMetrics(registry, () -> poller == null ? 0 : poller.targetCount());
        poller = new StatusPoller(new StatusPoller.Settings(Duration.ofSeconds(1), 0.1, Duration.ofHours(1), 8,
                Duration.ofMinutes(1)), new HeightWindow.Settings(100, Duration.ofMillis(50), Duration.ofMinutes(1), 4),
                fetcher::fetch, sink, metrics, Clock.systemUTC(), scheduler);
        poller.upgradeHeights(List.of(h));
        poller.upsert(target(near));
        poller.upsert(target(far));

        await().atMost(Duration.ofSeconds(15)).until(() -> halts().size() == 1);
        HaltObserved halt = halts().get(0);
        assertThat(halt.latestBlockHeight()).isEqualTo(h - 1);
        assertThat(Duration.between(near.haltedAt(), halt.observedAt()))
                .as("seen within a few fast intervals of the halt, not a 1 s interval later")
                .isLessThan(Duration.ofMillis(500));
        assertThat(registry.get("halt_supervisor.poller.fast.window").tag("event", "entered").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("halt_supervisor.poller.fast.window").tag("event", "halted").counter().count())
                .isEqualTo(1);
        assertThat(poller.heightWindow().isFast("uid-near")).isFalse();
        assertThat(poller.heightWindow().fastCount()).isZero();
        assertThat(poller.targets()).extracting(StatusPoller.TargetView::fast).containsOnly(false);
        assertThat(far.requests()).as("a node far from the height keeps the normal interval").isLessThanOrEqualTo(8);

        long afterHalt = near.requests();
        // back at the 1 s interval once halted: at most the poll already scheduled in 0.8 s
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
                .until(() -> near.requests() - afterHalt <= 1);
    }

    @Test
    void heartbeatsCarryTheLatestBlockHeight() {
        SimulatedSeid seid = server.node("beat").height(100).blockTime(Duration.ofMillis(10));
        poller(Duration.ofMillis(50), Duration.ofMillis(300), 8, fetcher::fetch).upsert(target(seid));
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses().size() >= 4);
        List<NodeStatusObserved> s = statuses();
        assertThat(s.get(0).change()).isEqualTo(Change.FIRST_SEEN);
        assertThat(s.subList(1, s.size())).extracting(NodeStatusObserved::change).containsOnly(Change.HEARTBEAT);
        assertThat(s.get(s.size() - 1).latestBlockHeight()).isGreaterThan(s.get(0).latestBlockHeight());
        long polls = seid.requests();
        assertThat(s.size()).as("heartbeats are rarer than polls").isLessThan((int) polls / 2);
    }

    @Test
    void badInputIsCountedNeverAHaltAndNeverStallsTheOthers() {
        List<SimulatedSeid> bad = new ArrayList<>();
        bad.add(server.node("malformed").fault(new Fault.MalformedJson()));
        bad.add(server.node("html").fault(new Fault.HtmlErrorPage(502)));
        bad.add(server.node("five").fault(new Fault.HttpStatus(500)));
        bad.add(server.node("silent").fault(new Fault.NeverAnswer()));
        bad.add(server.node("big").fault(new Fault.Oversized(2L * 1024 * 1024, false)));
        bad.add(server.node("typed").fault(new Fault.ReplaceField("/sync_info/latest_block_height", "{\"h\":1}")));
        bad.add(server.node("negative").fault(new Fault.ReplaceField("/halt_intent",
                "{\"reason\":70,\"plan_name\":\"v6\",\"height\":-151000000}")));
        bad.add(server.node("unknown-code").fault(new Fault.ReplaceField("/halt_intent", "{\"reason\":99}")));
        bad.add(server.node("bad-time").fault(new Fault.ReplaceField("/halt_intent",
                "{\"reason\":70,\"announced_at\":\"20 Nov 2026 10:15\"}")));
        SimulatedSeid good = server.node("good");
        StatusPoller p = poller(Duration.ofMillis(100), Duration.ofHours(1), 4, fetcher::fetch);
        bad.forEach(s -> p.upsert(target(s)));
        p.upsert(target(good));

        await().atMost(Duration.ofSeconds(20)).until(() -> good.requests() >= 20
                && bad.stream().allMatch(s -> s.requests() >= 3));
        assertThat(halts()).as("no bad input is ever a halt").isEmpty();
        assertThat(statuses()).extracting(NodeStatusObserved::nodeId).containsExactly("sei/good");
        assertThat(metrics.errorCount(Kind.MALFORMED)).isGreaterThan(0);
        assertThat(metrics.errorCount(Kind.HTTP_STATUS)).isGreaterThan(0);
        assertThat(metrics.errorCount(Kind.TIMEOUT)).isGreaterThan(0);
        assertThat(metrics.errorCount(Kind.OVERSIZED)).isGreaterThan(0);
        assertThat(metrics.errorCount(Kind.WRONG_TYPE)).isGreaterThan(0);
        assertThat(metrics.errorCount(Kind.INVALID_INTENT)).isGreaterThan(0);
        assertThat(registry.get("halt_supervisor.poller.errors").tag("kind", "invalid-intent").counter().count())
                .isGreaterThanOrEqualTo(9);
        assertThat(p.targets()).filteredOn(t -> t.nodeId().equals("sei/negative")).singleElement()
                .satisfies(t -> assertThat(t.lastOutcome()).startsWith("invalid-intent: halt_intent.height"));

        bad.forEach(SimulatedSeid::recover);
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses().size() == 1 + bad.size());
        assertThat(halts()).isEmpty();
    }

    @Test
    void logsAFailingNodeAtMostOncePerMinute() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(StatusPoller.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            SimulatedSeid seid = server.node("noisy").fault(new Fault.HtmlErrorPage(503));
            StatusPoller p = poller(Duration.ofMillis(20), Duration.ofHours(1), 8, fetcher::fetch);
            p.upsert(target(seid));
            await().atMost(Duration.ofSeconds(10)).until(() -> metrics.errorCount(Kind.HTTP_STATUS) >= 20);
            assertThat(appender.list).filteredOn(e -> e.getFormattedMessage().contains("sei/noisy")
                    && e.getLevel() == ch.qos.logback.classic.Level.WARN).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("(http-status): HTTP 503"));
            seid.recover();
            await().atMost(Duration.ofSeconds(10)).until(() -> appender.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("sei/noisy pod noisy-0: /status readable again")));
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void neverRunsMorePollsAtOnceThanAllowed() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        StatusPoller.Fetch counting = url -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            CompletableFuture<StatusResult> f = fetcher.fetch(url);
            return f.whenComplete((r, e) -> running.decrementAndGet());
        };
        List<SimulatedSeid> nodes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            nodes.add(server.node("slow-" + i).fault(new Fault.Delay(Duration.ofMillis(100))));
        }
        StatusPoller p = poller(Duration.ofMillis(100), Duration.ofHours(1), 3, counting);
        nodes.forEach(n -> p.upsert(target(n)));
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> n.requests() >= 2));
        assertThat(peak.get()).isBetween(2, 3);
        assertThat(metrics.lateness().count()).isGreaterThanOrEqualTo(40);
        assertThat(statuses()).hasSizeGreaterThanOrEqualTo(20);
    }

    @Test
    void republishesAHaltWhosePublishFailed() {
        SimulatedSeid seid = server.node("flaky").halt(SampleEvents.INTENT);
        sink.failNext(v -> v instanceof HaltObserved);
        poller(Duration.ofMillis(50), Duration.ofHours(1), 8, fetcher::fetch).upsert(target(seid));
        await().atMost(Duration.ofSeconds(10)).until(() -> halts().size() == 1);
        long after = seid.requests();
        await().atMost(Duration.ofSeconds(10)).until(() -> seid.requests() >= after + 5);
        assertThat(halts()).hasSize(1);
        assertThat(registry.get("halt_supervisor.poller.publish.failures").counter().count()).isEqualTo(1);
    }

    @Test
    void stopsPollingARemovedTarget() {
        SimulatedSeid seid = server.node("leaving");
        StatusPoller p = poller(Duration.ofMillis(50), Duration.ofHours(1), 8, fetcher::fetch);
        p.upsert(target(seid));
        await().atMost(Duration.ofSeconds(10)).until(() -> seid.requests() >= 3);
        p.remove(target(seid).key());
        assertThat(p.targetCount()).isZero();
        long at = seid.requests();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> seid.requests() <= at + 1);
    }

    @Test
    void exportsWhenEachPodsStatusLastAnsweredAndForgetsRemovedTargets() {
        SimulatedSeid good = server.node("answers");
        SimulatedSeid broken = server.node("broken").fault(new Fault.HttpStatus(500));
        StatusPoller p = poller(Duration.ofMillis(50), Duration.ofHours(1), 8, fetcher::fetch);
        double before = java.time.Instant.now().toEpochMilli() / 1000.0;
        p.upsert(target(good));
        p.upsert(target(broken));
        await().atMost(Duration.ofSeconds(10)).until(() -> good.requests() >= 3 && broken.requests() >= 3);
        double goodFirst = lastSuccess("sei/answers");
        double brokenFirst = lastSuccess("sei/broken");
        assertThat(brokenFirst).as("never answered: when it became a target").isBetween(before - 1, before + 2);
        long at = good.requests();
        await().atMost(Duration.ofSeconds(10)).until(() -> good.requests() >= at + 3);
        assertThat(lastSuccess("sei/answers")).as("advances with every answer").isGreaterThan(goodFirst);
        assertThat(lastSuccess("sei/broken")).as("a failing poll does not count").isEqualTo(brokenFirst);
        assertThat(registry.find("halt_supervisor.poller.node.last.success.timestamp").tag("node", "sei/broken")
                .gauge().getId().getTag("pod")).isEqualTo("broken-0");

        p.remove(target(broken).key());
        assertThat(registry.find("halt_supervisor.poller.node.last.success.timestamp").tag("node", "sei/broken")
                .gauges()).as("no series left for a removed target").isEmpty();
    }

    private double lastSuccess(String nodeId) {
        return registry.get("halt_supervisor.poller.node.last.success.timestamp").tag("node", nodeId).gauge().value();
    }

    @Test
    void anUnpollableUrlIsAnErrorNotACrash() {
        StatusPoller p = poller(Duration.ofMillis(50), Duration.ofHours(1), 8, fetcher::fetch);
        p.upsert(new PollTarget("uid-x", "sei/x", "x-0", URI.create("http://no-such-host.invalid:26657/status"), null));
        SimulatedSeid good = server.node("neighbour");
        p.upsert(target(good));
        await().atMost(Duration.ofSeconds(10)).until(() -> good.requests() >= 5 && metrics.errorCount(Kind.IO) >= 3);
        assertThat(p.targets()).filteredOn(t -> t.nodeId().equals("sei/x")).singleElement()
                .satisfies(t -> assertThat(t.lastOutcome()).isEqualTo("io: host cannot be resolved"));
        assertThat(halts()).isEmpty();
    }
}
