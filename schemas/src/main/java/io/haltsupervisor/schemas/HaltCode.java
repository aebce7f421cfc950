package io.haltsupervisor.schemas;

/**
 * A graceful-halt code (70–89) with its reason. The raw code is kept so that a reserved code
 * (73–89) is never collapsed into its range: operators see exactly what the node said.
 */
public record HaltCode(int code) {

    public HaltCode {
        if (!ShutdownReason.isGraceful(code)) {
            throw new IllegalArgumentException(
                    "halt code " + code + " is not a graceful halt code (expected "
                            + ShutdownReason.GRACEFUL_MIN + "–" + ShutdownReason.GRACEFUL_MAX + ")");
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
