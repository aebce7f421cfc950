package io.haltsupervisor.pollers.status;

import io.haltsupervisor.pollers.PollTarget;

import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.HaltObserved;
import io.haltsupervisor.schemas.NodeStatusObserved;
import io.haltsupervisor.schemas.NodeStatusObserved.Change;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the status poller publishes for one polled pod, as a pure function of what it published before
 * and the latest poll: it emits on change, not on every poll.
 * <ul>
 *   <li>{@link HaltObserved} when an intent is first seen or its content changed (any field, e.g. a new
 *       {@code announced_at} after a restart);</li>
 *   <li>{@link NodeStatusObserved} {@code first-seen} for the first status without intent,
 *       {@code recovered} when an intent went away, {@code version-changed} when the version changed, and
 *       {@code heartbeat} when none of those has been published for the heartbeat interval — carrying
 *       {@code latest_block_height}, so an exit-code-only incident can find its plan by height;</li>
 *   <li>nothing for a failed poll: an error is never a halt, and it does not forget the intent, so a halted
 *       node that stops answering for a while and comes back still halted is not reported twice.</li>
 * </ul>
 */
public final class StatusTracker {

    /**
     * What was published for a target.
     *
     * @param seen              a status has been read (and published) at least once
     * @param intent            the intent last published, null when the node was last seen healthy
     * @param version           the last version read
     * @param lastStatusAt      when a {@link NodeStatusObserved} was last published, null if never
     */
    public record State(boolean seen, HaltIntent intent, String version, Instant lastStatusAt) {
        public static final State INITIAL = new State(false, null, null, null);
    }

    /** The next state and what to publish (each may be null). */
    public record Step(State next, HaltObserved halt, NodeStatusObserved status) {
        public Step {
            Objects.requireNonNull(next, "next");
        }

        public boolean emits() {
            return halt != null || status != null;
        }
    }

    private StatusTracker() {
    }

    public static Step observe(State state, PollTarget target, StatusResult result, Instant now, Duration heartbeat) {
        if (!(result instanceof StatusResult.Read read)) {
            return new Step(state, null, null);
        }
        NodeStatus status = read.status();
        String version = status.version() != null ? status.version() : state.version();
        if (status.halted()) {
            HaltIntent intent = status.haltIntent();
            HaltObserved halt = intent.equals(state.intent()) ? null
                    : HaltObserved.fromStatus(target.nodeId(), intent, now, target.podName(), target.image(),
                            status.latestBlockHeight(), status.version());
            return new Step(new State(true, intent, version, state.lastStatusAt()), halt, null);
        }
        Change change;
        if (!state.seen()) {
            change = Change.FIRST_SEEN;
        } else if (state.intent() != null) {
            change = Change.RECOVERED;
        } else if (status.version() != null && state.version() != null && !status.version().equals(state.version())) {
            change = Change.VERSION_CHANGED;
        } else if (state.lastStatusAt() == null || !now.isBefore(state.lastStatusAt().plus(heartbeat))) {
            change = Change.HEARTBEAT;
        } else {
            change = null;
        }
        if (change == null) {
            return new Step(new State(true, null, version, state.lastStatusAt()), null, null);
        }
        NodeStatusObserved observed = NodeStatusObserved.of(target.nodeId(), now, change, status.latestBlockHeight(),
                status.version(), status.catchingUp(), target.podName());
        return new Step(new State(true, null, version, now), null, observed);
    }
}
