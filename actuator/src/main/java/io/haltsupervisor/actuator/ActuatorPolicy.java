package io.haltsupervisor.actuator;

import io.haltsupervisor.schemas.ImageReference;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the actuator may change, checked before every change (pure: no IO, the caller supplies the current
 * state and the time). Each check returns the reason for a refusal, or empty when allowed.
 *
 * @param namespaces     the namespaces the actuator may change; empty = all
 * @param imageAllowList regular expressions a new image must match in full; empty = the new image must be
 *                       in the repository the node already runs
 * @param maxDecisionAge a decision older than this is not acted on disruptively (a safety net against a
 *                       replay of old decisions after lost consumer offsets); zero = no limit
 */
public record ActuatorPolicy(Set<String> namespaces, List<Pattern> imageAllowList, Duration maxDecisionAge) {

    public ActuatorPolicy {
        namespaces = Set.copyOf(namespaces);
        imageAllowList = List.copyOf(imageAllowList);
    }

    /** Refuses a node outside the namespace scope. */
    public Optional<String> refuseNamespace(String nodeId) {
        if (namespaces.isEmpty() || nodeId == null) {
            return Optional.empty();
        }
        String namespace = nodeId.substring(0, nodeId.indexOf('/'));
        return namespaces.contains(namespace) ? Optional.empty()
                : Optional.of("namespace " + namespace + " is outside the actuator's scope " + namespaces
                        + " (ACTUATOR_NAMESPACES)");
    }

    /** Refuses a new image that is malformed or not allowed. */
    public Optional<String> refuseImage(String currentImage, String targetImage) {
        ImageReference target;
        try {
            target = ImageReference.parse(targetImage);
        } catch (IllegalArgumentException e) {
            return Optional.of("target " + e.getMessage());
        }
        if (!imageAllowList.isEmpty()) {
            for (Pattern p : imageAllowList) {
                if (p.matcher(targetImage).matches()) {
                    return Optional.empty();
                }
            }
            return Optional.of("image " + targetImage + " matches no pattern of the allow-list (ACTUATOR_IMAGE_ALLOW)");
        }
        if (currentImage == null) {
            return Optional.of("image " + targetImage + " refused: the node's current image is unknown, and without"
                    + " ACTUATOR_IMAGE_ALLOW only the repository the node already runs is allowed");
        }
        ImageReference current;
        try {
            current = ImageReference.parse(currentImage);
        } catch (IllegalArgumentException e) {
            return Optional.of("image " + targetImage + " refused: the node's current " + e.getMessage());
        }
        return current.repository().equals(target.repository()) ? Optional.empty()
                : Optional.of("image " + targetImage + " is not in the repository the node runs ("
                        + current.repository() + "); allow other repositories with ACTUATOR_IMAGE_ALLOW");
    }

    /** Refuses a decision too old to be acted on disruptively. */
    public Optional<String> refuseStale(Instant decidedAt, Instant now) {
        if (maxDecisionAge.isZero() || decidedAt == null) {
            return Optional.empty();
        }
        Duration age = Duration.between(decidedAt, now);
        return age.compareTo(maxDecisionAge) > 0
                ? Optional.of("decision is " + age.toSeconds() + "s old, over ACTUATOR_MAX_DECISION_AGE="
                        + maxDecisionAge.toSeconds() + "s: not acting on a stale decision")
                : Optional.empty();
    }
}
