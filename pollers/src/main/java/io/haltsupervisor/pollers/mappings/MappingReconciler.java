package io.haltsupervisor.pollers.mappings;

import io.haltsupervisor.schemas.ImageMappingChanged;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The mapping sync's pure part: from the labelled ConfigMaps to the desired plan → image mappings, and from
 * those to the records that bring the compacted topic in line.
 * <ul>
 *   <li>ConfigMaps are read in {@code namespace/name} order; when two define the same plan differently, the
 *       first wins, deterministically, and the other gets a conflict warning.</li>
 *   <li>An invalid entry is rejected (a warning naming key and reason) and never published. If no ConfigMap
 *       has a valid value for that plan, the plan is <em>held</em>: whatever the topic has is left alone, so
 *       a typo does not delete a working mapping.</li>
 *   <li>A plan whose topic value came from a ConfigMap ({@code source} {@code configmap:…}) and that no
 *       ConfigMap defines any more is removed with a tombstone. Plans written by the CLI are never removed by
 *       the sync. A plan a ConfigMap defines belongs to the ConfigMap: a CLI value for it is replaced when
 *       the sync next starts (it reads the topic then) or when that ConfigMap entry changes.</li>
 * </ul>
 */
public final class MappingReconciler {
    public static final String CONFIGMAP_SOURCE_PREFIX = "configmap:";

    /** One labelled ConfigMap's data. */
    public record Source(String namespace, String name, String uid, Map<String, String> data) {
        public Source {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            data = data == null ? Map.of() : new TreeMap<>(data);
        }

        /** {@code configmap:NAMESPACE/NAME}, the mapping's {@code source}. */
        public String source() {
            return CONFIGMAP_SOURCE_PREFIX + namespace + "/" + name;
        }
    }

    /** A valid entry and where it came from. */
    public record Entry(ImageMappingFormat.Mapping mapping, Source from) {
    }

    public record Rejection(Source from, String key, String value, String reason) {
    }

    public record Conflict(String plan, Source winner, String winnerValue, Source loser, String loserValue) {
    }

    public record Desired(Map<String, Entry> mappings, Set<String> held, List<Rejection> rejections,
            List<Conflict> conflicts) {
    }

    /** A record to publish: a mapping, or a tombstone when {@code mapping} is null. */
    public record Change(String plan, ImageMappingFormat.Mapping mapping, String source, ImageMappingChanged previous) {
        public boolean tombstone() {
            return mapping == null;
        }
    }

    private MappingReconciler() {
    }

    public static Desired desired(Collection<Source> configMaps) {
        List<Source> ordered = new ArrayList<>(configMaps);
        ordered.sort(Comparator.comparing(Source::namespace).thenComparing(Source::name));
        Map<String, Entry> mappings = new TreeMap<>();
        Set<String> invalidPlans = new TreeSet<>();
        List<Rejection> rejections = new ArrayList<>();
        List<Conflict> conflicts = new ArrayList<>();
        for (Source source : ordered) {
            for (Map.Entry<String, String> e : source.data().entrySet()) {
                ImageMappingFormat.Parsed parsed = ImageMappingFormat.parse(e.getKey(), e.getValue());
                if (parsed instanceof ImageMappingFormat.Parsed.Invalid invalid) {
                    rejections.add(new Rejection(source, e.getKey(), e.getValue(), invalid.reason()));
                    invalidPlans.add(e.getKey());
                    continue;
                }
                ImageMappingFormat.Mapping mapping = ((ImageMappingFormat.Parsed.Valid) parsed).mapping();
                Entry winner = mappings.get(mapping.plan());
                if (winner == null) {
                    mappings.put(mapping.plan(), new Entry(mapping, source));
                } else if (!sameMapping(winner.mapping(), mapping)) {
                    conflicts.add(new Conflict(mapping.plan(), winner.from(),
                            ImageMappingFormat.format(winner.mapping()), source, ImageMappingFormat.format(mapping)));
                }
            }
        }
        invalidPlans.removeAll(mappings.keySet());
        return new Desired(mappings, invalidPlans, rejections, conflicts);
    }

    /**
     * The records that make {@code current} (the topic as last read or written by the sync, latest value per
     * plan) match {@code desired}.
     */
    public static List<Change> diff(Desired desired, Map<String, ImageMappingChanged> current) {
        Map<String, Change> changes = new LinkedHashMap<>();
        desired.mappings().forEach((plan, entry) -> {
            ImageMappingChanged now = current.get(plan);
            if (now == null || !now.image().equals(entry.mapping().image())
                    || !Objects.equals(now.upgradeHeight(), entry.mapping().upgradeHeight())
                    || !now.source().equals(entry.from().source())) {
                changes.put(plan, new Change(plan, entry.mapping(), entry.from().source(), now));
            }
        });
        new TreeMap<>(current).forEach((plan, now) -> {
            if (!desired.mappings().containsKey(plan) && !desired.held().contains(plan)
                    && now.source().startsWith(CONFIGMAP_SOURCE_PREFIX)) {
                changes.put(plan, new Change(plan, null, now.source(), now));
            }
        });
        return List.copyOf(changes.values());
    }

    private static boolean sameMapping(ImageMappingFormat.Mapping a, ImageMappingFormat.Mapping b) {
        return a.image().equals(b.image()) && Objects.equals(a.upgradeHeight(), b.upgradeHeight());
    }
}
