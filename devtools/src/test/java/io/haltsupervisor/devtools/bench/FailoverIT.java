package io.haltsupervisor.devtools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haltsupervisor.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The acceptance test of failover (the CI-sized sibling of {@code bench failover}): on a three-broker cluster
 * (RF 3, {@code min.insync.replicas=2}) with two decider processes and an actuator process, halts arrive every
 * 250 ms while the broker leading the decisions topic's partition 0 is SIGKILLed and, a few seconds later, one
 * decider instance too (neither comes back). Every halt must then be decided exactly once (read with
 * {@code read_committed}: zero lost, zero duplicated), every upgrade acted on, and every paging incident paged
 * exactly once. The instances' logs, with Kafka's group and transaction events, are in {@code target/failover-it/}.
 */
@Timeout(300)
class FailoverIT {

    @Test
    void aBrokerAndADeciderDieMidScenarioAndEveryHaltIsDecidedOnceAndPagedOnce() throws Exception {
        Path work = Path.of("target", "failover-it");
        Files.createDirectories(work);
        // trace: the instances' logs carry Kafka's group, rebalance and transaction events, to read a slow takeover
        try (FailoverRig rig = FailoverRig.start(new FailoverRig.Options(2, 1, 2, Duration.ofMillis(250),
                Map.of(), Files.createTempDirectory(work, "run-"), Map.of(), true))) {
            rig.startHalts();
            assertThat(rig.awaitCaughtUp(Duration.ofSeconds(60))).as("the first halts decided").isTrue();
            Thread.sleep(1_000);

            int leader = rig.cluster().leaderOf(Topics.DECISIONS.name(), 0);
            long brokerKilled = System.currentTimeMillis();
            rig.cluster().kill(leader);
            Thread.sleep(3_000);
            long deciderKilled = System.currentTimeMillis();
            rig.kill(FailoverRig.deciderName(0));
            Thread.sleep(4_000);
            rig.stopHalts();

            assertThat(rig.awaitCaughtUp(Duration.ofSeconds(120)))
                    .as("every halt decided and every upgrade acted on by the surviving decider").isTrue();
            await("no decision record doubles meanwhile").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> rig.decisionRecords().values().stream().allMatch(n -> n == 1));

            Map<String, FailoverRig.Halt> halts = rig.halts();
            Map<String, Long> decided = rig.decidedAt();
            List<String> lost = halts.keySet().stream().filter(n -> !decided.containsKey(n)).sorted().toList();
            Map<String, Integer> duplicated = new TreeMap<>(rig.decisionRecords());
            duplicated.values().removeIf(n -> n == 1);
            Map<String, Long> pages = rig.pagesByIncident();
            Map<String, Long> pagesByNode = halts.values().stream().filter(h -> !h.upgrade()).collect(
                    Collectors.toMap(FailoverRig.Halt::nodeId, h -> pages.entrySet().stream()
                            .filter(e -> e.getKey().startsWith(h.nodeId() + "#")).mapToLong(Map.Entry::getValue)
                            .sum(), (a, b) -> a, TreeMap::new));
            long afterFaults = halts.values().stream().filter(h -> h.observedAtMs() >= brokerKilled).count();
            long worstWait = halts.values().stream().filter(h -> h.observedAtMs() >= deciderKilled)
                    .mapToLong(h -> decided.getOrDefault(h.nodeId(), h.observedAtMs()) - h.observedAtMs()).max().orElse(0);
            System.out.printf("FailoverIT: broker %d and decider-0 killed; %d halts (%d after the faults), %d lost, "
                    + "%d duplicated, pages per paging incident %s; longest wait of a halt after the decider kill "
                    + "%d ms%n", leader, halts.size(), afterFaults, lost.size(), duplicated.size(),
                    pagesByNode.values().stream().distinct().sorted().toList(), worstWait);

            assertThat(afterFaults).as("halts observed after the faults").isGreaterThanOrEqualTo(20);
            assertThat(lost).as("halts without a decision").isEmpty();
            assertThat(duplicated).as("nodes with more than one decision record").isEmpty();
            assertThat(rig.distinctDecisions().values()).containsOnly(1);
            assertThat(pagesByNode).as("pages per paging incident, as PagerDuty counts them").isNotEmpty()
                    .allSatisfy((node, n) -> assertThat(n).as(node).isEqualTo(1L));
            assertThat(pages.values()).containsOnly(1L);
            assertThat(halts.values().stream().filter(FailoverRig.Halt::upgrade)
                    .allMatch(h -> rig.changedAt().containsKey(h.nodeId()))).as("every upgrade acted on").isTrue();
        }
    }
}
