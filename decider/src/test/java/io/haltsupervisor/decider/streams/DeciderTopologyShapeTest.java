package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.DeciderConfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.haltsupervisor.schemas.Topics;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * The node processor's inputs reach it in one hop from one source node (docs/benchmarks-history.md: seven processor
 * hops per record less than four sources, wrappers and merges), and the source reads exactly its four topics.
 */
class DeciderTopologyShapeTest {

    @Test
    void theNodeProcessorReadsItsFourInputsThroughOneSource() {
        DeciderConfig config = DeciderConfig.fromEnv(Map.of());
        TopologyDescription description = DeciderTopology.build(config).describe();
        TopologyDescription.Subtopology nodes = description.subtopologies().stream()
                .filter(s -> s.nodes().stream().anyMatch(n -> n.name().equals("decider-node-processor")))
                .findFirst().orElseThrow();
        var sources = nodes.nodes().stream().filter(n -> n instanceof TopologyDescription.Source)
                .map(n -> (TopologyDescription.Source) n).toList();
        assertThat(sources).hasSize(1);
        TopologyDescription.Source source = sources.get(0);
        assertThat(source.name()).isEqualTo("decider-node-inputs");
        assertThat(source.topicSet()).isEqualTo(Set.of(Topics.HALT_OBSERVATIONS.name(),
                Topics.NODE_OBSERVATIONS.name(), Topics.OPERATOR_COMMANDS.name(), config.controlTopic()));
        assertThat(source.successors()).extracting(TopologyDescription.Node::name)
                .containsExactly("decider-node-processor");
    }
}
