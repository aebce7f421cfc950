package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

/** The Alertmanager re-send decides ownership by the partition a node's decisions are on. */
class PartitionOwnershipTest {
    @Test
    void matchesTheProducersPartitionerForKeyedRecords() {
        for (String key : List.of("sei/rpc-0", "sei/validator-12", "_fleet", "other-ns/a", "x/y")) {
            for (int partitions : new int[] {1, 3, 12}) {
                assertThat(ActuatorService.partitionOf(key, partitions)).as(key + " over " + partitions)
                        .isEqualTo(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8),
                                partitions));
            }
        }
    }
}
