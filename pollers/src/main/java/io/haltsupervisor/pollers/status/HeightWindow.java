package io.haltsupervisor.pollers.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which polled pods are close to a known upgrade height, and so polled at the fast interval: the halt at an
 * upgrade height is the moment the supervisor exists for, and the mappings say in advance where it is
 * (docs/requirements.md §5, §7). A pure state machine: no clock, no IO; the status poller feeds it every poll's
 * outcome and the mapped heights, and asks which interval to use next.
 *
 * <p>A pod <b>enters</b> the window when its latest height {@code h} is below a mapped upgrade height
 * {@code H} with {@code H - h <= blocks}, it is not halted, and fewer than {@code maxFast} pods are in the
 * window (otherwise it is <b>refused</b>: polled at the normal interval, and asked again at its next poll).
 * It <b>leaves</b> when
 * <ul>
 *   <li>its {@code /status} shows a halt (the halt is what fast polling was for);</li>
 *   <li>its height reaches {@code H} (the upgrade passed without a halt);</li>
 *   <li>{@code ceiling} has passed since it entered (a stalled chain does not keep it fast for ever);</li>
 *   <li>{@code H} is no longer a mapped height.</li>
 * </ul>
 * After a halt or the ceiling, that pod does not enter again for the same {@code H}. A mapping without a
 * height adds nothing here, so it never makes a pod fast. Thread-safe (one lock; every call is short).
 */
public final class HeightWindow {

    /**
     * @param blocks       how many blocks before a mapped height the window opens; 0 turns height awareness off
     * @param fastInterval time between two polls of a pod in the window
     * @param ceiling      longest time a pod stays in the window for one height
     * @param maxFast      pods in the window at most (per poller replica)
     */
    public record Settings(long blocks, Duration fastInterval, Duration ceiling, int maxFast) {
        public static final Settings OFF = new Settings(0, Duration.ofMillis(500), Duration.ofMinutes(5), 1);

        public Settings {
            Objects.requireNonNull(fastInterval, "fastInterval");
            Objects.requireNonNull(ceiling, "ceiling");
            if (blocks < 0) {
                throw new IllegalArgumentException("blocks: expected 0 (off) or more, got " + blocks);
            }
            if (fastInterval.isZero() || fastInterval.isNegative()) {
                throw new IllegalArgumentException("fastInterval: expected a positive duration, got " + fastInterval);
            }
            if (ceiling.isZero() || ceiling.isNegative()) {
                throw new IllegalArgumentException("ceiling: expected a positive duration, got " + ceiling);
            }
            if (maxFast < 1) {
                throw new IllegalArgumentException("maxFast: expected at least 1, got " + maxFast);
            }
        }

        public boolean enabled() {
            return blocks > 0;
        }
    }

    /** What one observation changed. */
    public enum Transition {
        /** Nothing: still in, or still out of, the window. */
        NONE,
        /** Entered the window. */
        ENTERED,
        /** Near a height but the bound of fast-polled pods is reached: stays at the normal interval. */
        REFUSED,
        /** Left: {@code /status} shows a halt. */
        LEFT_HALTED,
        /** Left: the height reached the upgrade height. */
        LEFT_PASSED,
        /** Left: the time ceiling passed. */
        LEFT_CEILING,
        /** Left: the upgrade height is no longer mapped. */
        LEFT_UNMAPPED;

        public boolean left() {
            return this.name().startsWith("LEFT_");
        }

        /** Lower case, for logs. */
        public String token() {
            return switch (this) {
                case NONE -> "none";
                case ENTERED -> "entered";
                case REFUSED -> "refused";
                case LEFT_HALTED -> "halted";
                case LEFT_PASSED -> "passed the height";
                case LEFT_CEILING -> "time ceiling";
                case LEFT_UNMAPPED -> "height no longer mapped";
            };
        }
    }

    /**
     * @param fast          poll at the fast interval next
     * @param transition    what this observation changed
     * @param upgradeHeight the mapped height the pod is (or was, on leaving; or would be, when refused) near;
     *                      null when none
     */
    public record Verdict(boolean fast, Transition transition, Long upgradeHeight) {
        static final Verdict NORMAL = new Verdict(false, Transition.NONE, null);
    }

    private final Settings settings;
    private NavigableSet<Long> heights = new TreeSet<>();
    private final Map<String, Entry> entries = new HashMap<>();
    private int fast;

    public HeightWindow(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public Settings settings() {
        return settings;
    }

    /** The mapped upgrade heights now (mappings without a height contribute none). */
    public synchronized void upgradeHeights(Collection<Long> mapped) {
        TreeSet<Long> next = new TreeSet<>();
        for (Long h : mapped) {
            if (h != null && h > 0) {
                next.add(h);
            }
        }
        heights = next;
    }

    public synchronized NavigableSet<Long> upgradeHeights() {
        return new TreeSet<>(heights);
    }

    /** A poll read {@code /status}: the pod's latest height, and whether it shows a halt. */
    public synchronized Verdict observe(String key, long height, boolean halted, Instant now) {
        if (!settings.enabled()) {
            return Verdict.NORMAL;
        }
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        e.height = height;
        e.done.removeIf(h -> !heights.contains(h) || height >= h);
        if (e.fast) {
            Transition leave = halted ? Transition.LEFT_HALTED
                    : !heights.contains(e.target) ? Transition.LEFT_UNMAPPED
                    : height >= e.target ? Transition.LEFT_PASSED
                    : expired(e, now) ? Transition.LEFT_CEILING
                    : null;
            if (leave == null) {
                return new Verdict(true, Transition.NONE, e.target);
            }
            return leave(e, leave);
        }
        Long near = near(e, height);
        if (near == null || halted) {
            e.refused = false;
            return Verdict.NORMAL;
        }
        if (fast >= settings.maxFast()) {
            boolean first = !e.refused;
            e.refused = true;
            return new Verdict(false, first ? Transition.REFUSED : Transition.NONE, near);
        }
        e.refused = false;
        e.fast = true;
        e.target = near;
        e.enteredAt = now;
        fast++;
        return new Verdict(true, Transition.ENTERED, near);
    }

    /** A poll failed: nothing is learnt of the height, but the time ceiling still applies. */
    public synchronized Verdict failed(String key, Instant now) {
        Entry e = entries.get(key);
        if (e == null || !e.fast) {
            return Verdict.NORMAL;
        }
        if (expired(e, now)) {
            return leave(e, Transition.LEFT_CEILING);
        }
        return new Verdict(true, Transition.NONE, e.target);
    }

    /** The pod is no longer polled. */
    public synchronized void forget(String key) {
        Entry e = entries.remove(key);
        if (e != null && e.fast) {
            fast--;
        }
    }

    /** Pods in the window now. */
    public synchronized int fastCount() {
        return fast;
    }

    /** Whether the pod is in the window now. */
    public synchronized boolean isFast(String key) {
        Entry e = entries.get(key);
        return e != null && e.fast;
    }

    /** Blocks from the pod's last known height to the next mapped upgrade height above it, or null. */
    public synchronized Long blocksRemaining(String key) {
        Entry e = entries.get(key);
        if (e == null || e.height < 0) {
            return null;
        }
        Long next = heights.higher(e.height);
        return next == null ? null : next - e.height;
    }

    private Verdict leave(Entry e, Transition why) {
        Long target = e.target;
        if (why == Transition.LEFT_HALTED || why == Transition.LEFT_CEILING) {
            e.done.add(target);
        }
        e.fast = false;
        e.target = null;
        e.enteredAt = null;
        fast--;
        return new Verdict(false, why, target);
    }

    private boolean expired(Entry e, Instant now) {
        return !now.isBefore(e.enteredAt.plus(settings.ceiling()));
    }

    /** The nearest mapped height above {@code height} within the window that the pod has not finished with. */
    private Long near(Entry e, long height) {
        for (Long h : heights.tailSet(height, false)) {
            if (h - height > settings.blocks()) {
                return null;
            }
            if (!e.done.contains(h)) {
                return h;
            }
        }
        return null;
    }

    private static final class Entry {
        long height = -1;
        boolean fast;
        boolean refused;
        Long target;
        Instant enteredAt;
        final Set<Long> done = new HashSet<>();
    }
}
