package io.haltsupervisor.devtools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The replay benchmark on a small audit log, for what it asserts rather than for its rate: the live decider's
 * decision log (exactly-once, on a real broker) is reproduced byte for byte by the offline replay, and its last
 * line is machine-readable.
 */
class ReplayBenchIT {

    @Test
    void aRecordedAuditLogReplaysToAnIdenticalDecisionLog() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = ReplayBench.run(new String[] {"--records", "30000", "--nodes", "1200", "--reference-records",
            "300", "--explain", "2"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertThat(code).isZero();
        String[] lines = out.strip().split("\n");
        assertThat(lines[lines.length - 1]).startsWith("name=replay rate=").contains(" identical=true ");
        assertThat(out).contains("IDENTICAL").contains(", 0 differ;");
    }
}
