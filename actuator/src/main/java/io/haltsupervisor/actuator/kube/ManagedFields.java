package io.haltsupervisor.actuator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who wrote a field, read from {@code metadata.managedFields} as a real API server records it: one entry per
 * manager (the request's {@code fieldManager}, else its User-Agent up to the first {@code /}), operation
 * ({@code Update} or {@code Apply}) and subresource, with the time of its last write and {@code fieldsV1}, the set
 * of fields it owns as nested keys — {@code f:<field>} for a field, {@code k:{"name":"seid"}} for the element of a
 * keyed list, {@code {}} for a leaf. A field belongs to the manager that wrote it last: a write by another manager
 * takes it out of the earlier one's set. Pure; no IO.
 */
public final class ManagedFields {
    /** The field manager name the actuator writes under (the {@code fieldManager} query parameter of its patches). */
    public static final String MANAGER = "halt-supervisor";

    /** The managedFields path of a pod template's container image, e.g. the {@code seid} container's. */
    public static List<String> templateImage(String container) {
        return List.of("f:spec", "f:template", "f:spec", "f:containers", key("name", container), "f:image");
    }

    /** The managedFields path of {@code spec.image} (SeiNode, SeiNetwork). */
    public static final List<String> SPEC_IMAGE = List.of("f:spec", "f:image");

    /** One manager's claim on a field: who, how ({@code Update}, {@code Apply}) and when ({@code time}, may be null). */
    public record Owner(String manager, String operation, String time) {
        /** {@code argocd-controller (Update at 2026-12-03T16:01:02Z)}. */
        public String shown() {
            return manager + " (" + operation + (time == null ? "" : " at " + time) + ")";
        }
    }

    private ManagedFields() {
    }

    /** {@code k:{"name":"seid"}}: the key of a keyed list's element in fieldsV1 (compact JSON, as the API writes it). */
    public static String key(String field, String value) {
        return "k:{\"" + field + "\":\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }

    /** The manager that owns {@code path} in {@code object}'s managedFields (the latest write when several do). */
    public static Optional<Owner> ownerOf(HasMetadata object, List<String> path) {
        if (object == null || object.getMetadata() == null) {
            return Optional.empty();
        }
        return ownerOf(object.getMetadata().getManagedFields(), path);
    }

    /** As {@link #ownerOf(HasMetadata, List)}, over the entries themselves. */
    public static Optional<Owner> ownerOf(List<ManagedFieldsEntry> entries, List<String> path) {
        if (entries == null) {
            return Optional.empty();
        }
        List<Owner> owners = new ArrayList<>();
        for (ManagedFieldsEntry e : entries) {
            if (e == null || e.getManager() == null || e.getFieldsV1() == null) {
                continue;
            }
            if (contains(e.getFieldsV1().getAdditionalProperties(), path)) {
                owners.add(new Owner(e.getManager(), e.getOperation() == null ? "Update" : e.getOperation(),
                        e.getTime()));
            }
        }
        // RFC 3339 UTC times sort as text; an entry without a time counts as oldest
        return owners.stream().max((a, b) -> (a.time() == null ? "" : a.time())
                .compareTo(b.time() == null ? "" : b.time()));
    }

    private static boolean contains(Map<String, Object> fields, List<String> path) {
        Object at = fields;
        for (String token : path) {
            if (!(at instanceof Map<?, ?> m) || !m.containsKey(token)) {
                return false;
            }
            at = m.get(token);
        }
        return true;
    }
}
