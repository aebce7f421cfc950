package io.haltsupervisor.schemas;

/**
 * A graceful-halt code (70–89) with its reason, or 0 ({@link ShutdownReason#UNKNOWN}): a {@code halt_intent}
 * whose numeric {@code reason} is sei-config's {@code ShutdownReasonUnknown} — the node announced a graceful
 * halt without saying why (sei-config {@code docs/upgrade-shutdown-contract/DESIGN.md} at 3ee1047). No exit
 * code is ever read as 0 (a clean exit is not a halt). The raw code is kept so that a reserved code (73–89) is
 * never collapsed into its range: operators see exactly what the node said.
 */
public record HaltCode(int code) {

    public HaltCode {
        if (!ShutdownReason.isHaltReason(code)) {
            throw new IllegalArgumentException(
                    "halt code " + code + " is not a graceful halt code (expected "
                            + ShutdownReason.GRACEFUL_MIN + "–" + ShutdownReason.GRACEFUL_MAX
                            + ", or 0 for a halt_intent without a known reason)");
        }
    }

    public ShutdownReason reason() {
        return ShutdownReason.ofCode(code);
    }

    /** True for 70, 71, 72; false for the reserved codes. */
    public boolean recognised() {
        return reason().recognised();
    }

    /** The stable token of the reason ({@code reserved_upgrade} / {@code reserved_operator} for reserved codes). */
    public String token() {
        return reason().token();
    }
}
