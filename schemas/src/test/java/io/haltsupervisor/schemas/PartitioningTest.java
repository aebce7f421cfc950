package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class PartitioningTest {
    @Test
    void agreesWithTheJavaProducersPartitionerForKeyedRecords() {
        for (int n = 1; n <= 12; n++) {
            for (int i = 0; i < 500; i++) {
                byte[] key = ("sei/node-" + i).getBytes(StandardCharsets.UTF_8);
                assertThat(Partitioning.partitionOf(key, n)).isEqualTo(BuiltInPartitioner.partitionForKey(key, n));
            }
        }
    }

    @Test
    void aRecordOnItsKeysPartitionIsNotMisrouted() {
        int p = Partitioning.partitionOf("sei/rpc-0", 6);
        assertThat(Partitioning.misrouted("seid.halt-observations.v1", p, bytes("sei/rpc-0"), 6)).isEmpty();
    }

    @Test
    void aRecordOnAnotherPartitionIsMisroutedWithAReasonThatSaysHowToProduceIt() {
        int p = Partitioning.partitionOf("sei/rpc-0", 6);
        int wrong = (p + 1) % 6;
        assertThat(Partitioning.misrouted("seid.halt-observations.v1", wrong, bytes("sei/rpc-0"), 6)).hasValueSatisfying(
                reason -> assertThat(reason).contains("seid.halt-observations.v1 partition " + wrong)
                        .contains("'sei/rpc-0'").contains("partition " + p + " of 6")
                        .contains("kcat -X partitioner=murmur2_random"));
    }

    @Test
    void anUnkeyedRecordIsLeftToTheKeyCheck() {
        assertThat(Partitioning.misrouted("t", 3, null, 6)).isEmpty();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
