package io.haltsupervisor.pollers.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.pollers.status.ObservationError.Kind;
import io.haltsupervisor.sandbox.seid.Fault;
import io.haltsupervisor.sandbox.seid.SimulatedSeid;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.SampleEvents;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fetcher against a real loopback HTTP server: every way a /status can fail is a typed error, in time. */
class StatusFetcherIT {
    private static final int CAP = 1024 * 1024;
    private static SimulatedSeidServer server;
    private static StatusFetcher fetcher;

    @BeforeAll
    static void start() {
        server = SimulatedSeidServer.start();
        fetcher = new StatusFetcher(Duration.ofSeconds(1), Duration.ofMillis(1500), CAP, 2, null);
    }

    @AfterAll
    static void stop() {
        fetcher.close();
        server.close();
    }

    private static StatusResult fetch(URI url) throws Exception {
        return fetcher.fetch(url).get(10, TimeUnit.SECONDS);
    }

    private static ObservationError error(SimulatedSeid seid) throws Exception {
        StatusResult r = fetch(seid.statusUrl());
        assertThat(r).as("result for %s", seid).isInstanceOf(StatusResult.Failed.class);
        return ((StatusResult.Failed) r).error();
    }

    @Test
    void readsAHealthyAndAHaltedNode() throws Exception {
        SimulatedSeid seid = server.node("ok").height(150_999_999).version("v5.9.0");
        StatusResult healthy = fetch(seid.statusUrl());
        assertThat(((StatusResult.Read) healthy).status().latestBlockHeight()).isEqualTo(150_999_999L);

        seid.halt(SampleEvents.INTENT);
        StatusResult halted = fetch(seid.statusUrl());
        assertThat(((StatusResult.Read) halted).status().haltIntent()).isEqualTo(SampleEvents.INTENT);
    }

    @Test
    void readsUnwrappedNumericStatusAndAnOlderSeid() throws Exception {
        SimulatedSeid seid = server.node("old").envelope(SimulatedSeid.Envelope.UNWRAPPED).int64AsNumbers(true)
                .haltIntentSupported(false).height(7).halt(SampleEvents.INTENT);
        NodeStatus status = ((StatusResult.Read) fetch(seid.statusUrl())).status();
        assertThat(status.latestBlockHeight()).isEqualTo(7);
        assertThat(status.haltIntent()).as("an older seid has no halt_intent").isNull();
    }

    @Test
    void anHtmlErrorPageIsAnHttpStatusError() throws Exception {
        ObservationError e = error(server.node("proxy").fault(new Fault.HtmlErrorPage(502)));
        assertThat(e).isEqualTo(new ObservationError(Kind.HTTP_STATUS, "HTTP 502 (an HTML page titled '502 Bad Gateway')"));
    }

    @Test
    void a5xxIsAnHttpStatusError() throws Exception {
        assertThat(error(server.node("five").fault(new Fault.HttpStatus(503))).message()).startsWith("HTTP 503");
    }

    @Test
    void anHtmlPageWith200IsMalformed() throws Exception {
        ObservationError e = error(server.node("html200").fault(new Fault.Body(200, "text/html",
                "<html><head><title>Welcome</title></head></html>")));
        assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
    }

    @Test
    void malformedJsonIsMalformed() throws Exception {
        assertThat(error(server.node("cut").fault(new Fault.MalformedJson())).kind()).isEqualTo(Kind.MALFORMED);
    }

    @Test
    void wrongTypesAreNamed() throws Exception {
        ObservationError e = error(server.node("typed").fault(
                new Fault.ReplaceField("/sync_info/latest_block_height", "[1]")));
        assertThat(e.kind()).isEqualTo(Kind.WRONG_TYPE);
        assertThat(e.message()).startsWith("sync_info.latest_block_height");
    }

    @Test
    void anOversizedBodyWithAContentLengthIsRefusedUnread() throws Exception {
        SimulatedSeid seid = server.node("big").fault(new Fault.Oversized(CAP + 1, true));
        assertThat(error(seid)).isEqualTo(new ObservationError(Kind.OVERSIZED,
                "response declares " + (CAP + 1) + " bytes, over the cap of " + CAP));
    }

    @Test
    void aChunkedOversizedBodyStopsBeingReadAtTheCap() throws Exception {
        SimulatedSeid seid = server.node("endless").fault(new Fault.Oversized(64L * CAP, false));
        long start = System.nanoTime();
        ObservationError e = error(seid);
        assertThat(e.kind()).isEqualTo(Kind.OVERSIZED);
        assertThat(e.message()).contains("stopped reading");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aBodyExactlyAtTheCapIsRead() throws Exception {
        SimulatedSeid seid = server.node("edge").fault(new Fault.Oversized(CAP, false));
        assertThat(error(seid).kind()).as("padding only: not a status, but read whole").isEqualTo(Kind.MALFORMED);
    }

    @Test
    void aConnectionThatIsNeverAnsweredTimesOut() throws Exception {
        SimulatedSeid seid = server.node("silent").fault(new Fault.NeverAnswer());
        long start = System.nanoTime();
        ObservationError e = error(seid);
        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aResponseSlowerThanTheReadTimeoutTimesOut() throws Exception {
        assertThat(error(server.node("slow").fault(new Fault.Delay(Duration.ofSeconds(3)))).kind())
                .isEqualTo(Kind.TIMEOUT);
    }

    @Test
    void aClosedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        StatusResult r = fetch(URI.create("http://127.0.0.1:" + port + "/status"));
        assertThat(((StatusResult.Failed) r).error()).isEqualTo(new ObservationError(Kind.REFUSED, "connection refused"));
    }

    @Test
    void aMissingNodeIs404() throws Exception {
        StatusResult r = fetch(server.baseUri().resolve("/nodes/nobody/status"));
        assertThat(((StatusResult.Failed) r).error().message()).startsWith("HTTP 404");
    }

    @Test
    void pollsManyTimesOverKeptAliveConnections() throws Exception {
        SimulatedSeid seid = server.node("busy");
        for (int i = 0; i < 50; i++) {
            assertThat(fetch(seid.statusUrl())).isInstanceOf(StatusResult.Read.class);
        }
        assertThat(seid.requests()).isEqualTo(50);
    }
}
