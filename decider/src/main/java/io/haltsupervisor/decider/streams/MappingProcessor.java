package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.core.ControlEvent;

import io.haltsupervisor.schemas.ImageMappingChanged;
import io.haltsupervisor.schemas.Partitioning;
import io.haltsupervisor.schemas.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code seid.image-mappings.v1} (compacted, keyed by plan) into control events for every node
 * task. A record whose key is not its plan is rejected (dead-lettered), never half-applied.
 */
public final class MappingProcessor implements Processor<String, ImageMappingChanged, String, Emit> {
    private static final Logger LOG = LoggerFactory.getLogger(MappingProcessor.class);
    private final int partitions;
    private ProcessorContext<String, Emit> context;

    public MappingProcessor() {
        this(1);
    }

    /** @param partitions partitions of the image-mapping topic: a plan's records must be on its key's partition */
    MappingProcessor(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        this.partitions = partitions;
    }

    @Override
    public void init(ProcessorContext<String, Emit> ctx) {
        this.context = ctx;
    }

    @Override
    public void process(Record<String, ImageMappingChanged> record) {
        String plan = record.key();
        if (plan == null || plan.isBlank()) {
            throw new RejectedRecordException("record on " + Topics.IMAGE_MAPPINGS.name()
                    + " has no key: expected the plan name as the key");
        }
        context.recordMetadata().filter(md -> md.partition() >= 0).ifPresent(md -> {
            byte[] key = plan.getBytes(StandardCharsets.UTF_8);
            if (Partitioning.partitionOf(key, partitions) != md.partition()) {
                // another partition's copy of the plan would outlive this one after compaction
                throw new MisroutedRecordException(Partitioning.misrouted(md.topic(), md.partition(), key, partitions)
                        .orElseThrow());
            }
        });
        ImageMappingChanged m = record.value();
        if (m == null) {
            LOG.info("image mapping for plan {} removed", plan);
            context.forward(record.withValue(new Emit.ToControl(new ControlEvent.MappingRemoved(plan))));
            return;
        }
        if (!plan.equals(m.plan())) {
            throw new RejectedRecordException("record on " + Topics.IMAGE_MAPPINGS.name() + " is keyed '" + plan
                    + "' but maps plan '" + m.plan() + "': expected the key to be the plan name");
        }
        LOG.info("image mapping for plan {} -> {} (height {}, from {})", plan, m.image(), m.upgradeHeight(),
                m.source());
        context.forward(record.withValue(new Emit.ToControl(new ControlEvent.MappingChanged(m))));
    }
}
