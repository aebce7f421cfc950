package io.haltsupervisor.actuator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;

/**
 * Which GitOps tool manages an object, from the marks those tools leave on what they apply: Argo CD's tracking
 * annotation {@code argocd.argoproj.io/tracking-id} ({@code <app>:<group>/<kind>:<namespace>/<name>}), Flux's
 * {@code kustomize.toolkit.fluxcd.io/name|namespace} and {@code helm.toolkit.fluxcd.io/name|namespace} labels. For
 * pages: who to fix the image with. Pure.
 */
final class GitOpsLabels {
    static final String ARGOCD_TRACKING_ID = "argocd.argoproj.io/tracking-id";
    static final String FLUX_KUSTOMIZATION_NAME = "kustomize.toolkit.fluxcd.io/name";
    static final String FLUX_KUSTOMIZATION_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace";
    static final String FLUX_HELMRELEASE_NAME = "helm.toolkit.fluxcd.io/name";
    static final String FLUX_HELMRELEASE_NAMESPACE = "helm.toolkit.fluxcd.io/namespace";

    private GitOpsLabels() {
    }

    /** {@code Argo CD application sei-validators}, {@code Flux Kustomization flux-system/sei}, or null. */
    static String describe(HasMetadata object) {
        if (object == null || object.getMetadata() == null) {
            return null;
        }
        Map<String, String> annotations = orEmpty(object.getMetadata().getAnnotations());
        Map<String, String> labels = orEmpty(object.getMetadata().getLabels());
        String tracking = annotations.get(ARGOCD_TRACKING_ID);
        if (tracking != null && tracking.indexOf(':') > 0) {
            return "Argo CD application " + tracking.substring(0, tracking.indexOf(':'));
        }
        String kustomization = labels.get(FLUX_KUSTOMIZATION_NAME);
        if (kustomization != null) {
            return "Flux Kustomization " + qualified(labels.get(FLUX_KUSTOMIZATION_NAMESPACE), kustomization);
        }
        String release = labels.get(FLUX_HELMRELEASE_NAME);
        if (release != null) {
            return "Flux HelmRelease " + qualified(labels.get(FLUX_HELMRELEASE_NAMESPACE), release);
        }
        return null;
    }

    private static String qualified(String namespace, String name) {
        return namespace == null ? name : namespace + "/" + name;
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
