package io.haltsupervisor.pollers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardTest {

    @Test
    void everyNodeBelongsToExactlyOneReplicaAndTheLoadIsSpread() {
        int replicas = 3;
        int[] counts = new int[replicas];
        List<Shard> shards = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            shards.add(new Shard(i, replicas));
        }
        for (int n = 0; n < 3000; n++) {
            String node = "ns-" + (n % 7) + "/node-" + n;
            long owners = shards.stream().filter(s -> s.owns(node)).count();
            assertThat(owners).as(node).isEqualTo(1);
            for (int i = 0; i < replicas; i++) {
                if (shards.get(i).owns(node)) {
                    counts[i]++;
                }
            }
        }
        for (int c : counts) {
            assertThat(c).isBetween(800, 1200);
        }
    }

    @Test
    void isStableAcrossInstances() {
        assertThat(new Shard(0, 2).owns("sei/rpc-0")).isEqualTo(Math.floorMod("sei/rpc-0".hashCode(), 2) == 0);
        assertThat(Shard.SOLE.owns("anything/at-all")).isTrue();
    }

    @Test
    void rejectsAnOrdinalOutsideTheReplicas() {
        assertThatThrownBy(() -> new Shard(2, 2)).hasMessageContaining("ordinal");
        assertThatThrownBy(() -> new Shard(0, 0)).hasMessageContaining("replicas");
    }
}
