package io.haltsupervisor.decider.core;

import io.haltsupervisor.schemas.Decision;
import io.haltsupervisor.schemas.OperatorCommandIssued;
import io.haltsupervisor.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet circuit breaker as plain functions: more than {@code threshold} distinct nodes opening a
 * 71/72 incident within {@code window} (record time) opens the breaker — one {@link
 * Decision.FleetHoldDecided} — and every node task is told so; {@code release --fleet} closes it.
 */
public final class FleetBreaker {

    static final int MAX_RECENT_COMMANDS = 16;

    /**
     * The breaker's state: the value of the {@code decider-fleet-state} store under {@link Topics#FLEET_KEY}.
     *
     * @param holds          how many times the breaker opened (fleet incident counter)
     * @param hold           the breaker is open
     * @param incidentId     the open (or last) fleet incident {@code _fleet#N}
     * @param trips          recent 71/72 incidents, one per node, within the window
     * @param recentCommands ids of the last fleet commands applied
     */
    public record State(int holds, boolean hold, String incidentId, List<Trip> trips, List<String> recentCommands) {
        public State {
            trips = trips == null ? List.of() : List.copyOf(trips);
            recentCommands = recentCommands == null ? List.of() : List.copyOf(recentCommands);
        }

        static final State INITIAL = new State(0, false, null, List.of(), List.of());
    }

    /** One node's latest 71/72 incident. */
    public record Trip(String nodeId, String incidentId, int reasonCode, long atMs) {
    }

    /**
     * @param state     the new state
     * @param decisions decisions to emit
     * @param control   what every node task must hear (empty when nothing changed for them)
     * @param note      for the log
     */
    public record Transition(State state, List<Decision> decisions, List<ControlEvent> control, String note) {
    }

    private final int threshold;
    private final Duration window;

    public FleetBreaker(int threshold, Duration window) {
        this.threshold = threshold;
        this.window = window;
    }

    public Transition onTrip(State current, FleetEvent.Tripped t) {
        State s = current == null ? State.INITIAL : current;
        long horizon = t.atMs() - window.toMillis();
        List<Trip> trips = new ArrayList<>(s.trips().size() + 1);
        for (Trip trip : s.trips()) {
            if (trip.atMs() >= horizon && !trip.nodeId().equals(t.nodeId())) {
                trips.add(trip);
            }
        }
        trips.add(new Trip(t.nodeId(), t.incidentId(), t.reasonCode(), t.atMs()));
        if (s.hold() || trips.size() <= threshold) {
            return new Transition(new State(s.holds(), s.hold(), s.incidentId(), trips, s.recentCommands()), List.of(),
                    List.of(), s.hold() ? "trip while breaker open" : "trip " + trips.size() + "/" + threshold);
        }
        int holds = s.holds() + 1;
        String incident = Topics.FLEET_KEY + "#" + holds;
        List<String> nodes = trips.stream().map(Trip::nodeId).sorted().toList();
        Decision d = new Decision.FleetHoldDecided(Decision.SCHEMA_VERSION, incident + "/fleet-hold", incident, null,
                Instant.ofEpochMilli(t.atMs()), nodes, threshold, window.toSeconds());
        return new Transition(new State(holds, true, incident, trips, s.recentCommands()), List.of(d),
                List.of(new ControlEvent.FleetChanged(true, incident)), "breaker opened");
    }

    public Transition onRelease(State current, OperatorCommandIssued c, long ts) {
        State s = current == null ? State.INITIAL : current;
        if (s.recentCommands().contains(c.commandId())) {
            return new Transition(s, List.of(), List.of(), "repeated command " + c.commandId() + " ignored");
        }
        List<String> commands = new ArrayList<>(s.recentCommands());
        commands.add(c.commandId());
        if (commands.size() > MAX_RECENT_COMMANDS) {
            commands.remove(0);
        }
        String incident = s.hold() ? s.incidentId() : Topics.FLEET_KEY + "#none";
        Decision d = new Decision.FleetReleased(Decision.SCHEMA_VERSION, incident + "/fleet-release/" + c.commandId(),
                incident, null, Instant.ofEpochMilli(ts), c.commandId(), c.by(), c.reason());
        if (!s.hold()) {
            return new Transition(new State(s.holds(), false, s.incidentId(), s.trips(), commands), List.of(d), List.of(),
                    "release with the breaker closed");
        }
        // the trips that opened the breaker are forgiven: only new ones count towards the next hold
        return new Transition(new State(s.holds(), false, s.incidentId(), List.of(), commands), List.of(d),
                List.of(new ControlEvent.FleetChanged(false, s.incidentId())), "breaker released");
    }
}
