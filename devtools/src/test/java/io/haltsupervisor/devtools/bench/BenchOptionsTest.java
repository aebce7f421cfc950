package io.haltsupervisor.devtools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bad options end a benchmark with exit code 2 and its usage, before anything starts. */
class BenchOptionsTest {

    private static String run(java.util.function.BiFunction<String[], PrintStream, Integer> bench, int expected,
            String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = bench.apply(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(expected);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void latencyRejectsUnknownOptionsAndNonsense() {
        assertThat(run(LatencyBench::run, 2, "--bogus", "1")).contains("unknown option --bogus")
                .contains("usage: bench latency");
        assertThat(run(LatencyBench::run, 2, "--incidents", "0")).contains("--incidents");
        assertThat(run(LatencyBench::run, 2, "--every")).contains("--every needs a value");
    }

    @Test
    void replayRejectsUnknownOptionsAndTooSmallLogs() {
        assertThat(run(ReplayBench::run, 2, "--records", "10")).contains("--records >= 1000")
                .contains("usage: bench replay");
        assertThat(run(ReplayBench::run, 2, "--nodes", "many")).contains("expected a positive integer");
    }

    @Test
    void failoverNamesTheMembershipVariantsAndTheFaults() {
        assertThat(run(FailoverBench::run, 2, "--membership", "sticky")).contains("--membership")
                .contains("defaults, kafka-defaults, static, streams").contains("'sticky'")
                .contains("usage: bench failover");
        assertThat(run(FailoverBench::run, 2, "--faults", "decider-kill,node-loss")).contains("decider-lost")
                .contains("'node-loss'");
        FailoverBench.Options o = FailoverBench.Options.parse(new String[] {"--membership", "streams", "--faults",
                "decider-lost", "--logs", "/tmp/x"});
        assertThat(o.membership()).isEqualTo(FailoverBench.Membership.STREAMS);
        assertThat(o.membership().brokers).containsEntry("group.streams.min.session.timeout.ms", "6000");
        assertThat(o.faults()).containsExactly(FailoverBench.Fault.DECIDER_LOST);
        assertThat(o.logs()).contains(java.nio.file.Path.of("/tmp/x"));
        assertThat(FailoverBench.Options.parse(new String[0]).faults()).doesNotContain(FailoverBench.Fault.DECIDER_LOST,
                FailoverBench.Fault.ACTUATOR_ROLLING, FailoverBench.Fault.ACTUATOR_LOST).hasSize(5);
    }

    @Test
    void failoverTakesBrokerSettingsAsKeyValueOnTopOfTheVariants() {
        assertThat(run(FailoverBench::run, 2, "--broker", "broker.session.timeout.ms")).contains("expected a broker"
                + " setting as KEY=VALUE").contains("'broker.session.timeout.ms'");
        FailoverBench.Options o = FailoverBench.Options.parse(new String[] {"--membership", "streams", "--broker",
                "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000", "--broker",
                "group.streams.min.session.timeout.ms=9000", "--faults", "actuator-lost,actuator-rolling"});
        assertThat(o.brokers()).containsEntry("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")
                .containsEntry("group.streams.min.session.timeout.ms", "9000")
                .containsEntry("group.streams.session.timeout.ms", "6000");
        assertThat(o.faults()).containsExactly(FailoverBench.Fault.ACTUATOR_LOST, FailoverBench.Fault.ACTUATOR_ROLLING);
    }

    @Test
    void deciderTakesStreamsSettingsAsKeyValue() {
        assertThat(run(DeciderBench::run, 2, "--streams", "max.task.idle.ms")).contains("expected KEY=VALUE");
        assertThat(run(DeciderBench::run, 2, "--warmup", "-1")).contains("--warmup >= 0")
                .contains("usage: bench decider");
        assertThat(run(DeciderBench::run, 0, "--help")).contains("usage: bench decider").contains("--warmup ROUNDS");
    }
}
