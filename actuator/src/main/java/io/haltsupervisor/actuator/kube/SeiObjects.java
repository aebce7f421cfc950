package io.haltsupervisor.actuator.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Map;

/** Reading fields of Sei custom resources held as {@link GenericKubernetesResource}s, tolerating absent parts. */
final class SeiObjects {
    private SeiObjects() {
    }

    /** The value at {@code path} under the object's top-level fields, or null when any part is absent. */
    static Object value(GenericKubernetesResource object, String... path) {
        Object at = object.getAdditionalProperties();
        for (String p : path) {
            if (!(at instanceof Map<?, ?> m)) {
                return null;
            }
            at = m.get(p);
        }
        return at;
    }

    static String text(GenericKubernetesResource object, String... path) {
        Object v = value(object, path);
        return v == null ? null : v.toString();
    }

    static boolean flag(GenericKubernetesResource object, String... path) {
        Object v = value(object, path);
        return Boolean.TRUE.equals(v) || "true".equals(String.valueOf(v));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(GenericKubernetesResource object, String... path) {
        Object v = value(object, path);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }
}
