package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.sandbox.kafka.KafkaFixture;
import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code supervisor mapping put|rm|ls} against a real broker. */
class MappingCommandIT {
    private static KafkaFixture.Broker kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaFixture.start();
        kafka.createTopics(2);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new MappingCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void putListRemove() throws Exception {
        String b = kafka.bootstrapServers();
        Run put = run("put", "--bootstrap", b, "--by", "alice", "--height", "151000000", "v6",
                "ghcr.io/sei-protocol/seid:v6.0.1");
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(put.out()).isEqualTo("v6 -> ghcr.io/sei-protocol/seid:v6.0.1 at height 151000000 (cli:alice)\n");

        Run ls = run("ls", "--bootstrap", b);
        assertThat(ls.exit()).isZero();
        assertThat(ls.out().lines()).first().asString().startsWith("PLAN").contains("IMAGE").contains("SOURCE");
        assertThat(ls.out()).contains("v6    ghcr.io/sei-protocol/seid:v6.0.1  151000000    cli:alice");

        Run json = run("ls", "--bootstrap", b, "--json");
        ImageMappingChanged m = Json.MAPPER.readValue(json.out().lines().findFirst().orElseThrow(),
                ImageMappingChanged.class);
        assertThat(m.plan()).isEqualTo("v6");
        assertThat(m.upgradeHeight()).isEqualTo(151_000_000L);

        Run rm = run("rm", "--bootstrap", b, "v6");
        assertThat(rm.exit()).isZero();
        assertThat(rm.out()).startsWith("v6 removed (was ghcr.io/sei-protocol/seid:v6.0.1 from cli:alice)");
        assertThat(run("ls", "--bootstrap", b, "--json").out()).doesNotContain("\"v6\"");

        Run again = run("rm", "--bootstrap", b, "v6");
        assertThat(again.exit()).isZero();
        assertThat(again.err()).contains("plan 'v6' has no mapping; nothing removed");
    }

    @Test
    void badInputIsExit2WithAClearErrorAndWritesNothing() {
        String b = kafka.bootstrapServers();
        Run image = run("put", "--bootstrap", b, "v7", "Not/An:Image");
        assertThat(image.exit()).isEqualTo(2);
        assertThat(image.err()).contains("supervisor mapping put: plan 'v7': image reference 'Not/An:Image' is not valid");
        Run height = run("put", "--bootstrap", b, "--height", "-3", "v7", "ghcr.io/sei-protocol/seid:v7");
        assertThat(height.exit()).isEqualTo(2);
        assertThat(height.err()).contains("plan 'v7': height -3 is not valid: expected a positive block height");
        Run plan = run("rm", "--bootstrap", b, "v7/x");
        assertThat(plan.exit()).isEqualTo(2);
        assertThat(plan.err()).contains("plan name 'v7/x' is not valid");
        assertThat(run("ls", "--bootstrap", b, "--json").out()).doesNotContain("\"v7\"");
    }

    @Test
    void badInputIsExit2EvenWhenKafkaIsDown() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run r = run("put", "--bootstrap", "127.0.0.1:" + port, "v8", "ghcr.io/sei-protocol/seid:v8 height=5");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("image reference 'ghcr.io/sei-protocol/seid:v8 height=5' is not valid");
    }
}
