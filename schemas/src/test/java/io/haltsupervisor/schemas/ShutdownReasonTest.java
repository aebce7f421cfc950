package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShutdownReasonTest {

    @Test
    void parseExitCodeMapsEveryCodeFrom0To255() {
        for (int code = 0; code <= 255; code++) {
            Optional<HaltCode> parsed = ShutdownReason.parseExitCode(code);
            if (code < 70 || code > 89) {
                assertThat(parsed).as("exit code %d is not a graceful halt", code).isEmpty();
                assertThat(ShutdownReason.ofCode(code)).isEqualTo(ShutdownReason.UNKNOWN);
                continue;
            }
            assertThat(parsed).as("exit code %d is a graceful halt", code).isPresent();
            HaltCode halt = parsed.orElseThrow();
            assertThat(halt.code()).as("raw code kept").isEqualTo(code);
            ShutdownReason expected = switch (code) {
                case 70 -> ShutdownReason.UPGRADE_REQUIRED;
                case 71 -> ShutdownReason.BINARY_TOO_NEW;
                case 72 -> ShutdownReason.DOWNGRADE_DETECTED;
                default -> code <= 79 ? ShutdownReason.RESERVED_UPGRADE : ShutdownReason.RESERVED_OPERATOR;
            };
            assertThat(halt.reason()).as("reason of %d", code).isEqualTo(expected);
            assertThat(halt.recognised()).as("recognised %d", code).isEqualTo(code <= 72);
        }
    }

    @Test
    void negativeAndHugeCodesAreNotGraceful() {
        assertThat(ShutdownReason.parseExitCode(-1)).isEmpty();
        assertThat(ShutdownReason.parseExitCode(Integer.MAX_VALUE)).isEmpty();
        assertThat(ShutdownReason.parseExitCode(70 + 256)).isEmpty();
    }

    @Test
    void exitCodeConstantsMatchTheContract() {
        assertThat(ShutdownReason.EXIT_CODE_UPGRADE_REQUIRED).isEqualTo(70);
        assertThat(ShutdownReason.EXIT_CODE_BINARY_TOO_NEW).isEqualTo(71);
        assertThat(ShutdownReason.EXIT_CODE_DOWNGRADE_DETECTED).isEqualTo(72);
        assertThat(ShutdownReason.UPGRADE_REQUIRED.code()).isEqualTo(70);
        assertThat(ShutdownReason.BINARY_TOO_NEW.code()).isEqualTo(71);
        assertThat(ShutdownReason.DOWNGRADE_DETECTED.code()).isEqualTo(72);
        assertThat(ShutdownReason.UNKNOWN.code()).isZero();
    }

    @Test
    void tokensAreStableLowercaseAndRoundTrip() {
        assertThat(ShutdownReason.UNKNOWN.token()).isEqualTo("unknown");
        assertThat(ShutdownReason.UPGRADE_REQUIRED.token()).isEqualTo("upgrade_required");
        assertThat(ShutdownReason.BINARY_TOO_NEW.token()).isEqualTo("binary_too_new");
        assertThat(ShutdownReason.DOWNGRADE_DETECTED.token()).isEqualTo("downgrade_detected");
        for (ShutdownReason r : ShutdownReason.values()) {
            assertThat(r.token()).isEqualTo(r.token().toLowerCase(Locale.ROOT));
            assertThat(ShutdownReason.fromToken(r.token())).contains(r);
            assertThat(ShutdownReason.fromToken(r.token().toUpperCase(Locale.ROOT))).contains(r);
        }
        assertThat(ShutdownReason.fromToken("chain_on_fire")).isEmpty();
        assertThat(ShutdownReason.fromToken(null)).isEmpty();
    }

    @Test
    void haltCodeRejectsCodesOutsideTheGracefulRange() {
        assertThatThrownBy(() -> new HaltCode(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("halt code 1").hasMessageContaining("70–89");
        assertThat(new HaltCode(73).token()).isEqualTo("reserved_upgrade");
        assertThat(new HaltCode(88).token()).isEqualTo("reserved_operator");
    }
}
