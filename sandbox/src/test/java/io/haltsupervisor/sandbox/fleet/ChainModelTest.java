package io.haltsupervisor.sandbox.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.sandbox.fleet.ChainModel.Upgrade;
import io.haltsupervisor.sandbox.fleet.ChainModel.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChainModelTest {
    private static final Upgrade V6 = new Upgrade("v6", 1_000, "{}");
    private static final Upgrade V7 = new Upgrade("v7", 2_000, "{}");
    private final ChainModel chain = new ChainModel(List.of(V6, V7), Map.of("seid:v5", 0, "seid:v6", 1, "seid:v7", 2));

    @Test
    void anOldBinaryRunsUntilTheUpgradeHeightThenHaltsWith70() {
        assertThat(chain.evaluate(chain.known("seid:v5"), 0, 999)).isEqualTo(new Verdict.Run());
        assertThat(chain.evaluate(chain.known("seid:v5"), 0, 1_000)).isEqualTo(new Verdict.Halt(70, V6));
    }

    @Test
    void theRightBinaryAppliesTheUpgradeAtItsHeight() {
        assertThat(chain.evaluate(chain.known("seid:v6"), 0, 1_000)).isEqualTo(new Verdict.Apply(V6));
        assertThat(chain.evaluate(chain.known("seid:v6"), 1, 1_500)).isEqualTo(new Verdict.Run());
    }

    @Test
    void aBinaryThatKnowsAnUpgradeNotYetReachedHaltsWith71() {
        assertThat(chain.evaluate(chain.known("seid:v6"), 0, 999)).isEqualTo(new Verdict.Halt(71, V6));
        assertThat(chain.evaluate(chain.known("seid:v7"), 1, 1_500)).isEqualTo(new Verdict.Halt(71, V7));
    }

    @Test
    void stateAheadOfTheBinaryHaltsWith72() {
        assertThat(chain.evaluate(chain.known("seid:v5"), 1, 1_500)).isEqualTo(new Verdict.Halt(72, V6));
        assertThat(chain.evaluate(chain.known("unknown:image"), 2, 2_500)).isEqualTo(new Verdict.Halt(72, V7));
    }

    @Test
    void rejectsUpgradesOutOfOrder() {
        assertThatThrownBy(() -> new ChainModel(List.of(V7, V6), Map.of())).hasMessageContaining("increasing");
    }
}
