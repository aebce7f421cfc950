package io.haltsupervisor.sandbox.seid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.schemas.HaltIntent;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The simulated chain's pace and its halt at an upgrade height, on a clock the test moves. */
class SimulatedSeidTest {
    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");
    private static final HaltIntent V6 = new HaltIntent(70, "upgrade_required", "v6", 1_000L, null, T0);

    /** A clock only the test moves. */
    private static final class TestClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private final TestClock clock = new TestClock();
    private final SimulatedSeid seid = new SimulatedSeid("n", URI.create("http://127.0.0.1:1/n/status"), clock);

    @Test
    void advancesOneBlockPerBlockTime() {
        seid.height(990).blockTime(Duration.ofMillis(400));
        clock.advance(Duration.ofMillis(1_999));
        assertThat(seid.height()).isEqualTo(994);
        clock.advance(Duration.ofMillis(1));
        assertThat(seid.height()).isEqualTo(995);
    }

    @Test
    void haltsOnItsOwnWhenTheChainReachesTheUpgradeHeight() {
        seid.height(990).blockTime(Duration.ofMillis(400)).haltAt(V6);
        clock.advance(Duration.ofMillis(3_999));
        assertThat(seid.height()).isEqualTo(999);
        assertThat(seid.intent()).isNull();
        assertThat(seid.haltedAt()).isNull();

        clock.advance(Duration.ofSeconds(7));
        assertThat(seid.height()).as("the last block committed before the upgrade height").isEqualTo(999);
        Instant reached = T0.plusMillis(4_000);
        assertThat(seid.haltedAt()).as("when block 1000 would have been executed").isEqualTo(reached);
        assertThat(seid.intent()).isEqualTo(new HaltIntent(70, "upgrade_required", "v6", 1_000L, null, reached));
        assertThat(seid.statusJson()).contains("\"halt_intent\"").contains("\"999\"");

        seid.recover().height(1_000);
        assertThat(seid.intent()).isNull();
        assertThat(seid.haltedAt()).isNull();
    }

    @Test
    void aStaggeredStartSetsWhenTheHeightIsReached() {
        seid.blockTime(Duration.ofMillis(400)).height(995, T0.minusMillis(200)).haltAt(V6);
        clock.advance(Duration.ofMillis(1_799));
        assertThat(seid.intent()).isNull();
        clock.advance(Duration.ofMillis(1));
        assertThat(seid.haltedAt()).isEqualTo(T0.plusMillis(1_800));
    }

    @Test
    void aHaltAtARightNowReachedHeightHaltsAtOnce() {
        seid.height(1_000).haltAt(V6);
        assertThat(seid.haltedAt()).isEqualTo(T0);
        assertThat(seid.height()).isEqualTo(999);
    }

    @Test
    void refusesAHaltWithoutAHeight() {
        assertThatThrownBy(() -> seid.haltAt(new HaltIntent(70, "upgrade_required", "v6", null, null, T0)))
                .hasMessageContaining("expected an upgrade height");
    }
}
