package io.haltsupervisor.pollers.mappings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haltsupervisor.pollers.mappings.ImageMappingFormat.Mapping;
import io.haltsupervisor.pollers.mappings.ImageMappingFormat.Parsed;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ImageMappingFormatTest {
    private static final String DIGEST = "registry.local:5000/seid@sha256:"
            + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void readsAnImageAloneOrWithAHeight() {
        assertThat(ImageMappingFormat.parse("v6", "ghcr.io/sei-protocol/seid:v6.0.1"))
                .isEqualTo(new Parsed.Valid(new Mapping("v6", "ghcr.io/sei-protocol/seid:v6.0.1", null)));
        assertThat(ImageMappingFormat.parse("v6", "  ghcr.io/sei-protocol/seid:v6.0.1   height=151000000\n"))
                .isEqualTo(new Parsed.Valid(new Mapping("v6", "ghcr.io/sei-protocol/seid:v6.0.1", 151_000_000L)));
    }

    @Test
    void aDigestAndARegistryPortAreNotMistakenForAttributes() {
        assertThat(ImageMappingFormat.parse("v7", DIGEST + " height=42"))
                .isEqualTo(new Parsed.Valid(new Mapping("v7", DIGEST, 42L)));
    }

    @Test
    void formatsBackToTheSameText() {
        Mapping m = new Mapping("v7", DIGEST, 42L);
        assertThat(ImageMappingFormat.parse("v7", ImageMappingFormat.format(m))).isEqualTo(new Parsed.Valid(m));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "v6 | ''                                           | plan 'v6': empty value, expected 'IMAGE' or 'IMAGE height=N'",
        "v6 | Ghcr.io/Sei/SEID:v6                           | plan 'v6': image reference 'Ghcr.io/Sei/SEID:v6' is not valid",
        "v6 | ghcr.io/sei-protocol/seid:v6 height=-1        | plan 'v6': height '-1' is not valid: expected a positive block height",
        "v6 | ghcr.io/sei-protocol/seid:v6 height=abc       | plan 'v6': height 'abc' is not valid",
        "v6 | ghcr.io/sei-protocol/seid:v6 height=0         | plan 'v6': height 0 is not valid: expected a positive block height",
        "v6 | ghcr.io/sei-protocol/seid:v6 height=99999999999999999999 | plan 'v6': height '99999999999999999999' is not valid",
        "v6 | ghcr.io/sei-protocol/seid:v6 height=1 height=2 | plan 'v6': height given twice",
        "v6 | ghcr.io/sei-protocol/seid:v6 at=151000000     | plan 'v6': unknown attribute 'at=151000000'",
        "v6 | ghcr.io/sei-protocol/seid:v6 151000000        | plan 'v6': unknown attribute '151000000'",
        "a b | ghcr.io/sei-protocol/seid:v6                 | plan name 'a b' is not valid",
    })
    void rejectsNamingThePlanAndTheReason(String plan, String value, String message) {
        Parsed parsed = ImageMappingFormat.parse(plan, value);
        assertThat(parsed).isInstanceOf(Parsed.Invalid.class);
        assertThat(((Parsed.Invalid) parsed).reason()).startsWith(message);
    }

    @Test
    void validateChecksTheSameRulesForTheCli() {
        assertThat(ImageMappingFormat.validate("v6", "ghcr.io/sei-protocol/seid:v6.0.1", 151_000_000L).upgradeHeight())
                .isEqualTo(151_000_000L);
        assertThatThrownBy(() -> ImageMappingFormat.validate("v6", "not an image", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("plan 'v6': image reference");
        assertThatThrownBy(() -> ImageMappingFormat.validate("v6", "ghcr.io/sei-protocol/seid:v6", -5L))
                .hasMessage("plan 'v6': height -5 is not valid: expected a positive block height");
        assertThatThrownBy(() -> ImageMappingFormat.validate("", "ghcr.io/sei-protocol/seid:v6", null))
                .hasMessageStartingWith("plan name '' is not valid");
    }
}
