package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.DeciderConfig;
import io.haltsupervisor.decider.DeciderMetrics;
import io.haltsupervisor.decider.core.ControlEvent;
import io.haltsupervisor.decider.core.FleetBreaker;
import io.haltsupervisor.decider.core.FleetEvent;

import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.Topics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The IO side of {@link FleetBreaker}: one key ({@link Topics#FLEET_KEY}), one partition. */
public final class FleetProcessor implements Processor<String, FleetEvent, String, Emit> {
    private static final Logger LOG = LoggerFactory.getLogger(FleetProcessor.class);

    private final FleetBreaker breaker;
    private final DeciderMetrics metrics;
    private ProcessorContext<String, Emit> context;
    private KeyValueStore<String, FleetBreaker.State> store;

    public FleetProcessor(DeciderConfig config, DeciderMetrics metrics) {
        this.breaker = new FleetBreaker(config.breakerThreshold(), config.breakerWindow());
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Emit> ctx) {
        this.context = ctx;
        this.store = ctx.getStateStore(DeciderTopology.FLEET_STATE_STORE);
    }

    @Override
    public void process(Record<String, FleetEvent> record) {
        FleetBreaker.State before = store.get(Topics.FLEET_KEY);
        FleetBreaker.Transition step;
        if (record.value() instanceof FleetEvent.Tripped trip) {
            step = breaker.onTrip(before, trip);
        } else if (record.value() instanceof FleetEvent.ReleaseRequested release) {
            step = breaker.onRelease(before, release.command(), release.atMs());
        } else {
            throw new RejectedRecordException("fleet event expected, got " + record.value());
        }
        store.put(Topics.FLEET_KEY, step.state());
        for (Decision d : step.decisions()) {
            metrics.decision(d.kind());
            LOG.info("decision {} kind={} node={} incident={} ({})", d.decisionId(), d.kind(), Topics.FLEET_KEY,
                    d.incidentId(), step.note());
            context.forward(new Record<>(d.key(), new Emit.Decided(d), d.decidedAt().toEpochMilli()));
        }
        for (ControlEvent c : step.control()) {
            context.forward(new Record<>(Topics.FLEET_KEY, new Emit.ToControl(c), record.timestamp()));
        }
    }
}
