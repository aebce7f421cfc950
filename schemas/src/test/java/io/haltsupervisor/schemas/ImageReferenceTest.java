package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

    @ParameterizedTest
    @ValueSource(strings = {"seid", "ghcr.io/sei-protocol/seid:v6.0.1", "localhost:5000/seid:dev",
        "registry.local:5000/a/b/c@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "ghcr.io/sei-protocol/seid:v6.0.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "docker.io/library/busybox:1.36", "[::1]:5000/seid:x"})
    void acceptsValidReferences(String ref) {
        assertThat(ImageReference.isValid(ref)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "GHCR.IO/Sei/Seid:v6", "seid:", "seid:v6 ", "seid@sha256:xyz", "seid::v6",
        "-seid", "seid:-bad", "seid:v6:v7", "http://ghcr.io/seid:v6"})
    void rejectsInvalidReferencesNamingThem(String ref) {
        assertThatThrownBy(() -> ImageReference.parse(ref)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image reference");
        assertThat(ImageReference.isValid(ref)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ghcr.io/sei-protocol/seid:v6.0.1"})
    void splitsNameTagAndDigest(String ref) {
        ImageReference r = ImageReference.parse(ref);
        assertThat(r.repository()).isEqualTo("ghcr.io/sei-protocol/seid");
        assertThat(r.tag()).isEqualTo("v6.0.1");
        assertThat(r.digest()).isNull();
    }
}
