package io.haltsupervisor.devtools.dev;

import java.util.List;
import java.util.Locale;

/**
 * The stories {@code supervisor dev --scenario} drives a simulated node through, each ending in the
 * decisions (and their actions) it must reach.
 */
public enum Scenario {
    /** A stay-alive SeiNode reaches an upgrade height with a mapping: upgrade, then resolved. */
    UPGRADE("upgrade", List.of("upgrade", "resolve")),
    /** A stay-alive SeiNode halts for a plan with no mapping; the mapping arrives later: await, upgrade, resolved. */
    MISSING_MAPPING("missing-mapping", List.of("await-mapping", "upgrade", "resolve")),
    /** Someone sets a too-new image: 71, rolled back to the previous running image, resolved. */
    TOO_NEW("too-new", List.of("rollback", "resolve")),
    /** Someone rolls back past a completed upgrade: 72, quarantined. */
    DOWNGRADE("downgrade", List.of("quarantine")),
    /** An older seid (no halt_intent, no stay-alive) in a plain StatefulSet exits 70: plan found by height. */
    EXIT_CODE_ONLY("exit-code-only", List.of("upgrade", "resolve")),
    /** An older seid crash-loops on 71 across restarts: one incident, one rollback, resolved. */
    CRASH_LOOP("crash-loop", List.of("rollback", "resolve")),
    /**
     * A SeiNetwork of {@value #NETWORK_SIZE} validators reaches an upgrade height: three incidents, one change of
     * the network's {@code spec.image} (the others find it done), the controller rolls every node, all resolved.
     */
    NETWORK_UPGRADE("network-upgrade", List.of("upgrade", "resolve"));

    /** The nodes of the network-upgrade scenario's SeiNetwork. */
    public static final int NETWORK_SIZE = 3;

    private final String token;
    private final List<String> expectedKinds;

    Scenario(String token, List<String> expectedKinds) {
        this.token = token;
        this.expectedKinds = expectedKinds;
    }

    public String token() {
        return token;
    }

    /** The node this scenario plays on (the first of them for {@link #NETWORK_UPGRADE}: its SeiNetwork is {@link #token()}). */
    public String nodeName() {
        return token + "-0";
    }

    /** Decision kinds the scenario must reach, each with an action taken, in this order. */
    public List<String> expectedKinds() {
        return expectedKinds;
    }

    /** Parses {@code upgrade}, …, or {@code all}. */
    public static List<Scenario> parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("all")) {
            return List.of(values());
        }
        for (Scenario s : values()) {
            if (s.token.equals(v)) {
                return List.of(s);
            }
        }
        throw new IllegalArgumentException("--scenario: expected one of upgrade, missing-mapping, too-new, downgrade, "
                + "exit-code-only, crash-loop, network-upgrade, all; got '" + value + "'");
    }
}
