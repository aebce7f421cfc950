package io.haltsupervisor.schemas;

import java.time.Instant;

/**
 * Value of the compacted {@code seid.image-mappings.v1}, keyed by plan name: which image serves an
 * upgrade plan, and optionally at which upgrade height (used to find the plan of a node seen halting
 * only by exit code). A removed mapping is a tombstone (null value).
 *
 * @param plan          the upgrade plan name (also the record key)
 * @param image         a valid image reference ({@link ImageReference})
 * @param upgradeHeight the plan's upgrade height, when known
 * @param source        where it came from: {@code configmap:NAMESPACE/NAME} or {@code cli:USER}
 * @param changedAt     when the source changed it
 */
public record ImageMappingChanged(
        int schemaVersion,
        String plan,
        String image,
        Long upgradeHeight,
        String source,
        Instant changedAt) {

    public static final int SCHEMA_VERSION = 1;

    public ImageMappingChanged {
        Require.schemaVersion(schemaVersion, SCHEMA_VERSION);
        Require.nonBlank(plan, "plan");
        Require.nonBlank(image, "image");
        ImageReference.parse(image);
        Require.nonNegative(upgradeHeight, "upgradeHeight");
        Require.nonBlank(source, "source");
        Require.present(changedAt, "changedAt");
    }

    public static ImageMappingChanged of(String plan, String image, Long upgradeHeight, String source,
            Instant changedAt) {
        return new ImageMappingChanged(SCHEMA_VERSION, plan, image, upgradeHeight, source, changedAt);
    }
}
