package io.haltsupervisor.devtools.dev;

import io.haltsupervisor.devtools.LiveView;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.Decision;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * Follows each scenario to its end: for every expected decision kind, the decision on the node and an
 * action taken for it ({@code applied}, {@code already-applied} or {@code dry-run}). Prints a line as each
 * step is reached and counts down when every scenario is complete.
 */
public final class ScenarioTracker {
    private final Map<String, Scenario> scenarios;
    private final PrintStream out;
    private final Map<String, List<String>> decisionsByNode = new ConcurrentHashMap<>();
    private final Map<String, String> kindByDecision = new ConcurrentHashMap<>();
    private final Map<String, String> nodeByDecision = new ConcurrentHashMap<>();
    private final Set<String> acted = ConcurrentHashMap.newKeySet();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final CountDownLatch done;

    public ScenarioTracker(Map<String, Scenario> scenarioByNode, PrintStream out) {
        this.scenarios = new LinkedHashMap<>(scenarioByNode);
        this.out = out;
        this.done = new CountDownLatch(scenarios.size());
    }

    public synchronized void onEvent(LiveView.Event event) {
        Object v = event.value();
        if (v instanceof Decision d && d.nodeId() != null && scenarios.containsKey(d.nodeId())) {
            decisionsByNode.computeIfAbsent(d.nodeId(), k -> new ArrayList<>()).add(d.decisionId());
            kindByDecision.put(d.decisionId(), d.kind());
            nodeByDecision.put(d.decisionId(), d.nodeId());
        } else if (v instanceof ActionResultRecorded a && a.outcome().isFinal()
                && a.outcome() != ActionResultRecorded.Outcome.FAILED
                && a.outcome() != ActionResultRecorded.Outcome.REFUSED_BY_POLICY) {
            acted.add(a.decisionId());
        } else {
            return;
        }
        check();
    }

    private void check() {
        for (Map.Entry<String, Scenario> e : scenarios.entrySet()) {
            String node = e.getKey();
            Scenario s = e.getValue();
            List<String> reached = reachedKinds(node);
            for (String kind : s.expectedKinds()) {
                if (reached.contains(kind) && reported.add(node + "/" + kind)) {
                    out.printf("  ✔ scenario %-15s %-24s reached %s (decided and acted on)%n", s.token(), node, kind);
                }
            }
            if (reached.containsAll(s.expectedKinds()) && reported.add(node + "/done")) {
                out.printf("  ✔ scenario %-15s complete%n", s.token());
                done.countDown();
            }
        }
        out.flush();
    }

    private List<String> reachedKinds(String node) {
        List<String> kinds = new ArrayList<>();
        for (String id : decisionsByNode.getOrDefault(node, List.of())) {
            if (acted.contains(id)) {
                kinds.add(kindByDecision.get(id));
            }
        }
        return kinds;
    }

    /** Scenarios not complete yet, with what they still miss. */
    public synchronized Map<String, List<String>> missing() {
        Map<String, List<String>> missing = new LinkedHashMap<>();
        scenarios.forEach((node, s) -> {
            List<String> reached = reachedKinds(node);
            List<String> left = s.expectedKinds().stream().filter(k -> !reached.contains(k)).toList();
            if (!left.isEmpty()) {
                missing.put(s.token(), left);
            }
        });
        return missing;
    }

    public CountDownLatch done() {
        return done;
    }
}
