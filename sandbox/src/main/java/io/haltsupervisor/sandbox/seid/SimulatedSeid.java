package io.haltsupervisor.sandbox.seid;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated {@code seid} node served by a {@link SimulatedSeidServer}: what its {@code /status}
 * says, controllable at any time from any thread.
 *
 * <p>By default a node is healthy at height 1 000 000 on version {@code v5.9.0}, serves the JSON-RPC
 * envelope with int64s as strings (as Tendermint does) and supports {@code halt_intent}. Setters
 * return {@code this} for chaining:
 * <pre>{@code
 * seid.height(150_999_999).version("v5.9.0");
 * seid.halt(intent);      // stay-alive halt: /status keeps serving, with halt_intent
 * seid.recover();         // healthy again (intent and fault cleared)
 * seid.fault(new Fault.HtmlErrorPage(502));
 * }</pre>
 */
public final class SimulatedSeid {

    /** How the status object is served. */
    public enum Envelope {
        /** {@code {"jsonrpc":"2.0","id":-1,"result":{…}}}, as Tendermint's RPC does. */
        WRAPPED,
        /** The bare status object {@code {"node_info":…}}, as some proxies and seid versions serve it. */
        UNWRAPPED
    }

    private final String id;
    private final URI statusUrl;
    private final Clock clock;
    private final AtomicLong requests = new AtomicLong();

    private long height = 1_000_000L;
    private Instant heightSetAt;
    private Duration blockTime;
    private String version = "v5.9.0";
    private String network = "pacific-1";
    private long votingPower;
    private boolean catchingUp;
    private boolean haltIntentSupported = true;
    private boolean int64AsNumbers;
    private Envelope envelope = Envelope.WRAPPED;
    private HaltIntent intent;
    private HaltIntent haltAt;
    private Instant haltedAt;
    private Fault fault;
    private long generation;
    private Snapshot cached;
    private long cachedHeight;

    SimulatedSeid(String id, URI statusUrl, Clock clock) {
        this.id = id;
        this.statusUrl = statusUrl;
        this.clock = clock;
        this.heightSetAt = clock.instant();
    }

    /** The node's id on its server (also its moniker). */
    public String id() {
        return id;
    }

    /** The full URL of this node's {@code /status}. */
    public URI statusUrl() {
        return statusUrl;
    }

    /** How many requests this node has answered (or parked). */
    public long requests() {
        return requests.get();
    }

    /** Healthy at {@code height}: sets {@code sync_info.latest_block_height}. */
    public synchronized SimulatedSeid height(long height) {
        if (height < 0) {
            throw new IllegalArgumentException("height: expected a non-negative block height, got " + height);
        }
        this.height = height;
        this.heightSetAt = clock.instant();
        generation++;
        return this;
    }

    /** The height served now (advancing with {@link #blockTime(Duration)} unless halted). */
    public synchronized long height() {
        return currentHeight();
    }

    /** Makes the height advance by one block every {@code blockTime} while not halted; null stops it. */
    public synchronized SimulatedSeid blockTime(Duration blockTime) {
        if (blockTime != null && (blockTime.isNegative() || blockTime.isZero())) {
            throw new IllegalArgumentException("blockTime: expected a positive duration, got " + blockTime);
        }
        this.height = currentHeight();
        this.heightSetAt = clock.instant();
        this.blockTime = blockTime;
        generation++;
        return this;
    }

    /** The binary version, served as {@code node_info.version} and {@code application_info.version}. */
    public synchronized SimulatedSeid version(String version) {
        this.version = Objects.requireNonNull(version, "version");
        generation++;
        return this;
    }

    public synchronized String version() {
        return version;
    }

    /** The chain id, {@code node_info.network}. */
    public synchronized SimulatedSeid network(String network) {
        this.network = Objects.requireNonNull(network, "network");
        generation++;
        return this;
    }

    /** {@code validator_info.voting_power}: 0 for an RPC node, positive for a validator. */
    public synchronized SimulatedSeid votingPower(long votingPower) {
        this.votingPower = votingPower;
        generation++;
        return this;
    }

    /** {@code sync_info.catching_up}. */
    public synchronized SimulatedSeid catchingUp(boolean catchingUp) {
        this.catchingUp = catchingUp;
        generation++;
        return this;
    }

    /** False for an older {@code seid} that has no {@code halt_intent} field at all, halted or not. */
    public synchronized SimulatedSeid haltIntentSupported(boolean supported) {
        this.haltIntentSupported = supported;
        generation++;
        return this;
    }

    /** Serve int64 fields as JSON numbers instead of the usual decimal strings. */
    public synchronized SimulatedSeid int64AsNumbers(boolean numbers) {
        this.int64AsNumbers = numbers;
        generation++;
        return this;
    }

    public synchronized SimulatedSeid envelope(Envelope envelope) {
        this.envelope = Objects.requireNonNull(envelope, "envelope");
        generation++;
        return this;
    }

    /**
     * Halts in stay-alive mode: the height freezes and {@code /status} serves {@code halt_intent}
     * (unless {@link #haltIntentSupported(boolean) unsupported}).
     */
    public synchronized SimulatedSeid halt(HaltIntent intent) {
        Objects.requireNonNull(intent, "intent");
        this.height = currentHeight();
        this.heightSetAt = clock.instant();
        this.intent = intent;
        this.haltAt = null;
        this.haltedAt = heightSetAt;
        generation++;
        return this;
    }

    /**
     * Halts on its own when the advancing chain ({@link #blockTime(Duration)}) reaches {@code intent}'s height, as a
     * node does at an upgrade height: from the moment block {@code height} would be executed, the height stays at
     * {@code height - 1} and {@code /status} serves {@code intent} with {@code announced_at} set to that moment
     * ({@link #haltedAt()}). Replaces an earlier pending halt; cleared by {@link #recover()}.
     *
     * @throws IllegalArgumentException when {@code intent} has no height
     */
    public synchronized SimulatedSeid haltAt(HaltIntent intent) {
        Objects.requireNonNull(intent, "intent");
        if (intent.height() == null || intent.height() < 1) {
            throw new IllegalArgumentException("intent: expected an upgrade height to halt at, got " + intent.height());
        }
        this.haltAt = intent;
        generation++;
        currentHeight();
        return this;
    }

    /**
     * Healthy at {@code height} as of {@code at} (past or future): with a block time, the height served at {@code t}
     * is {@code height + (t - at) / blockTime} (never less than {@code height}) — to stagger when nodes reach a height.
     */
    public synchronized SimulatedSeid height(long height, Instant at) {
        height(height);
        this.heightSetAt = Objects.requireNonNull(at, "at");
        return this;
    }

    /** When the halt now served began, or null when not halted. */
    public synchronized Instant haltedAt() {
        currentHeight();
        return intent == null ? null : haltedAt;
    }

    /** The intent currently served, or null. */
    public synchronized HaltIntent intent() {
        currentHeight();
        return intent;
    }

    /** Healthy again: clears the halt intent and any fault; the height advances again if it did. */
    public synchronized SimulatedSeid recover() {
        this.heightSetAt = clock.instant();
        this.intent = null;
        this.haltAt = null;
        this.haltedAt = null;
        this.fault = null;
        generation++;
        return this;
    }

    /** Misbehave from now on (replacing any earlier fault). */
    public synchronized SimulatedSeid fault(Fault fault) {
        this.fault = Objects.requireNonNull(fault, "fault");
        generation++;
        return this;
    }

    public synchronized SimulatedSeid clearFault() {
        this.fault = null;
        generation++;
        return this;
    }

    public synchronized Fault currentFault() {
        return fault;
    }

    /** The document this node serves now when it has no fault (the envelope applied). */
    public String statusJson() {
        return new String(snapshot().body(), StandardCharsets.UTF_8);
    }

    /** A consistent copy of what to serve, taken under the lock. */
    synchronized Snapshot snapshot() {
        long h = currentHeight();
        if (cached == null || cached.generation() != generation || cachedHeight != h) {
            ObjectNode status = StatusDocument.status(id, network, version, h, catchingUp, votingPower,
                    int64AsNumbers, haltIntentSupported ? intent : null);
            if (fault instanceof Fault.ReplaceField replace) {
                StatusDocument.replace(status, replace.pointer(), replace.json());
            }
            byte[] body = Json.write(envelope == Envelope.WRAPPED ? StatusDocument.wrap(status) : status)
                    .getBytes(StandardCharsets.UTF_8);
            cached = new Snapshot(fault instanceof Fault.ReplaceField ? null : fault, body, generation);
            cachedHeight = h;
        }
        return cached;
    }

    void countRequest() {
        requests.incrementAndGet();
    }

    /** The height now; reaching a {@link #haltAt} height halts the node (so callers hold the lock). */
    private long currentHeight() {
        if (intent != null) {
            return height;
        }
        long h = height;
        if (blockTime != null) {
            long elapsed = Duration.between(heightSetAt, clock.instant()).toNanos();
            h = height + Math.max(0, elapsed / blockTime.toNanos());
        }
        if (haltAt != null && h >= haltAt.height()) {
            long blocks = Math.max(0, haltAt.height() - height);
            Instant at = blockTime == null ? clock.instant() : heightSetAt.plus(blockTime.multipliedBy(blocks));
            intent = new HaltIntent(haltAt.reason(), haltAt.reasonString(), haltAt.planName(), haltAt.height(),
                    haltAt.info(), at);
            height = haltAt.height() - 1;
            heightSetAt = at;
            haltedAt = at;
            haltAt = null;
            generation++;
            return height;
        }
        return h;
    }

    /** What to serve for one request: a fault (other than a field replacement, already applied) or the body. */
    record Snapshot(Fault fault, byte[] body, long generation) {
    }

    @Override
    public synchronized String toString() {
        return "SimulatedSeid[" + id + " height=" + currentHeight() + " version=" + version
                + (intent == null ? "" : " halted=" + intent.reason()) + (fault == null ? "" : " fault=" + fault) + "]";
    }
}
