package io.haltsupervisor.cli.e2e;

import io.haltsupervisor.sandbox.fleet.ChainModel;
import java.util.List;
import java.util.Map;

/**
 * The chain the simulated nodes follow, and the images: three upgrades, {@code v6}, {@code v7} and {@code v8},
 * each handled by the binaries from its release on. {@code v8}'s image comes from a registry outside the
 * actuator's allow-list.
 */
final class Chain {
    static final String V5 = "ghcr.io/sei-protocol/seid:v5.9.0";
    static final String V6 = "ghcr.io/sei-protocol/seid:v6.0.1";
    static final String V7 = "ghcr.io/sei-protocol/seid:v7.0.0";
    static final String V8_UNTRUSTED = "docker.io/mallory/seid:v8.0.0";
    static final long V6_HEIGHT = 1_000_000L;
    static final long V7_HEIGHT = 2_000_000L;
    static final long V8_HEIGHT = 3_000_000L;
    /** {@code ACTUATOR_IMAGE_ALLOW}: Sei's own releases only. */
    static final String IMAGE_ALLOW = "ghcr\\.io/sei-protocol/seid:v[0-9]+\\.[0-9]+\\.[0-9]+";

    private Chain() {
    }

    static ChainModel model() {
        return new ChainModel(List.of(
                new ChainModel.Upgrade("v6", V6_HEIGHT, "{\"binaries\":{}}"),
                new ChainModel.Upgrade("v7", V7_HEIGHT, "{\"binaries\":{}}"),
                new ChainModel.Upgrade("v8", V8_HEIGHT, "{\"binaries\":{}}")),
                Map.of(V5, 0, V6, 1, V7, 2, V8_UNTRUSTED, 3));
    }

    /** A mapping ConfigMap value: {@code IMAGE height=N}. */
    static String mapping(String image, long height) {
        return image + " height=" + height;
    }
}
