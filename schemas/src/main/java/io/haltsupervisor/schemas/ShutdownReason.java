package io.haltsupervisor.schemas;

import java.util.Locale;
import java.util.Optional;

/**
 * Why a {@code seid} stopped: the halt contract shared with the Sei node (sei-config {@code ShutdownReason}).
 *
 * <p>The numeric values are stable process exit codes and the list is append-only. Codes 73–79 and
 * 80–89 are reserved for future halts; they are represented by {@link #RESERVED_UPGRADE} and
 * {@link #RESERVED_OPERATOR} so that a newer node's halt is surfaced as <em>graceful but
 * unrecognised</em> instead of a crash. The raw code always travels beside the reason (see
 * {@link HaltCode}), never only the enum.
 */
public enum ShutdownReason {
    /** Not a graceful halt. */
    UNKNOWN(0, 0, "unknown"),
    /** The chain reached an upgrade height and this binary has no handler for the plan. */
    UPGRADE_REQUIRED(70, 70, "upgrade_required"),
    /** The binary has a handler for an upgrade whose height has not arrived. */
    BINARY_TOO_NEW(71, 71, "binary_too_new"),
    /** State is ahead of the binary by a completed upgrade: a botched rollback. */
    DOWNGRADE_DETECTED(72, 72, "downgrade_detected"),
    /** 73–79: a future upgrade-related graceful halt this supervisor does not know yet. */
    RESERVED_UPGRADE(73, 79, "reserved_upgrade"),
    /** 80–89: a future operator-action graceful halt (e.g. halt-height) this supervisor does not know yet. */
    RESERVED_OPERATOR(80, 89, "reserved_operator");

    public static final int EXIT_CODE_UPGRADE_REQUIRED = 70;
    public static final int EXIT_CODE_BINARY_TOO_NEW = 71;
    public static final int EXIT_CODE_DOWNGRADE_DETECTED = 72;
    /** Lowest graceful-halt exit code. */
    public static final int GRACEFUL_MIN = 70;
    /** Highest graceful-halt exit code (inclusive). */
    public static final int GRACEFUL_MAX = 89;

    private final int firstCode;
    private final int lastCode;
    private final String token;

    ShutdownReason(int firstCode, int lastCode, String token) {
        this.firstCode = firstCode;
        this.lastCode = lastCode;
        this.token = token;
    }

    /** The exit code of a specific reason; for reserved ranges, the first code of the range. */
    public int code() {
        return firstCode;
    }

    /** The stable lowercase token ({@code reason_string} on the wire). */
    public String token() {
        return token;
    }

    /** True for the reasons this supervisor knows how to act on (70, 71, 72). */
    public boolean recognised() {
        return this == UPGRADE_REQUIRED || this == BINARY_TOO_NEW || this == DOWNGRADE_DETECTED;
    }

    /**
     * True for a code a {@code halt_intent} may carry: a graceful halt code 70–89, or 0 (sei-config's
     * {@code ShutdownReasonUnknown}: a graceful halt whose reason the node did not give). The numeric
     * {@code reason} is authoritative (sei-config {@code docs/upgrade-shutdown-contract/DESIGN.md} at 3ee1047).
     */
    public static boolean isHaltReason(int code) {
        return code == 0 || isGraceful(code);
    }

    /** True when a code in 70–89 (a graceful halt). */
    public static boolean isGraceful(int code) {
        return code >= GRACEFUL_MIN && code <= GRACEFUL_MAX;
    }

    /**
     * Maps any integer to a reason: a graceful code to its reason (reserved ranges included), anything
     * else to {@link #UNKNOWN}. Use {@link #parseExitCode(int)} when the raw code must be kept.
     */
    public static ShutdownReason ofCode(int code) {
        for (ShutdownReason r : values()) {
            if (r != UNKNOWN && code >= r.firstCode && code <= r.lastCode) {
                return r;
            }
        }
        return UNKNOWN;
    }

    /**
     * {@code ParseExitCode}: maps a process exit code to a graceful halt, keeping the raw code.
     * Empty for codes outside 70–89 (not graceful: a crash, a signal, a clean exit).
     */
    public static Optional<HaltCode> parseExitCode(int exitCode) {
        return isGraceful(exitCode) ? Optional.of(new HaltCode(exitCode)) : Optional.empty();
    }

    /** The reason for a wire token, case-insensitively; empty for an unknown token. */
    public static Optional<ShutdownReason> fromToken(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String t = token.trim().toLowerCase(Locale.ROOT);
        for (ShutdownReason r : values()) {
            if (r.token.equals(t)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
