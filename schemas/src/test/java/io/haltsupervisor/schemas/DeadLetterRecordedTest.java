package io.haltsupervisor.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class DeadLetterRecordedTest {
    private static final Instant T0 = Instant.parse("2026-11-20T10:15:00Z");
    private static final String TOPIC = "seid.halt-observations.v1";

    @Test
    void aOneMebibyteRecordBecomesADeadLetterWithinTheBudgetWithItsSizeHashAndExcerpt() {
        byte[] value = new byte[1024 * 1024];
        new Random(1).nextBytes(value);
        byte[] key = "sei/rpc-0".getBytes(StandardCharsets.UTF_8);
        DeadLetterRecorded letter = DeadLetterRecorded.of(TOPIC, 2, 77, T0, key, value,
                DeadLetterRecorded.Category.OVERSIZED, new IllegalArgumentException("too big"), "decider", T0);

        assertThat(letter.serialized().length).isLessThanOrEqualTo(DeadLetterRecorded.BUDGET_BYTES);
        assertThat(letter.valueSize()).isEqualTo(value.length);
        assertThat(letter.valueSha256()).isEqualTo(DeadLetterRecorded.sha256(value)).hasSize(64);
        assertThat(letter.valueExcerpt()).isEqualTo(Arrays.copyOf(value, DeadLetterRecorded.MAX_VALUE_EXCERPT_BYTES));
        assertThat(letter.keyText()).isEqualTo("sei/rpc-0");
        assertThat(letter.keySize()).isEqualTo(9);
        ProducerRecord<byte[], byte[]> record = letter.toProducerRecord(key);
        assertThat(record.topic()).isEqualTo(Topics.DEAD_LETTERS.name());
        assertThat(record.key()).isEqualTo(key);
        assertThat(record.timestamp()).isEqualTo(T0.toEpochMilli());
    }

    @Test
    void theWorstCaseOfEveryFieldStillFitsTheBudget() {
        // a huge key, a huge value, and an error of a megabyte of characters that JSON escapes or writes in 3 bytes
        byte[] key = new byte[1024 * 1024];
        Arrays.fill(key, (byte) 0xff);
        byte[] value = new byte[1024 * 1024];
        Arrays.fill(value, (byte) '"');
        StringBuilder message = new StringBuilder();
        for (int i = 0; i < 1_000_000; i++) {
            message.append(i % 3 == 0 ? '\u0001' : i % 3 == 1 ? '"' : '\u20ac');
        }
        RuntimeException error = new RuntimeException(message.toString(),
                new IllegalStateException("\\".repeat(100_000)));
        DeadLetterRecorded letter = DeadLetterRecorded.of("t".repeat(249), Integer.MAX_VALUE, Long.MAX_VALUE,
                Instant.ofEpochMilli(Long.MAX_VALUE), key, value, DeadLetterRecorded.Category.FAILED, error,
                "c".repeat(10_000), Instant.ofEpochMilli(Long.MAX_VALUE).plusNanos(999_999));

        assertThat(letter.serialized().length).isLessThanOrEqualTo(DeadLetterRecorded.BUDGET_BYTES);
        assertThat(letter.valueExcerptBase64()).as("no fallback needed").isNotNull();
        assertThat(letter.keySize()).isEqualTo(key.length);
        assertThat(Base64.getDecoder().decode(letter.keyBase64())).hasSize(DeadLetterRecorded.MAX_KEY_EXCERPT_BYTES);
        assertThat(letter.error()).doesNotContain("\u0001").endsWith("characters)");
        assertThat(letter.toProducerRecord(key).key()).as("a key too long to key by").isNull();
    }

    @Test
    void aTombstoneWithoutKeyHasNoSizesNorExcerpts() {
        DeadLetterRecorded letter = DeadLetterRecorded.of(TOPIC, 0, 0, null, null, null,
                DeadLetterRecorded.Category.REJECTED, new IllegalArgumentException("a tombstone"), "decider", T0);

        assertThat(letter.valueSize()).isNull();
        assertThat(letter.valueSha256()).isNull();
        assertThat(letter.valueExcerptBase64()).isNull();
        assertThat(letter.keyBase64()).isNull();
        assertThat(letter.toProducerRecord(null).timestamp()).isNull();
        assertThat(Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize(Topics.DEAD_LETTERS.name(),
                letter.serialized())).isEqualTo(letter);
    }

    @Test
    void aShortValueIsQuotedWhole() {
        byte[] value = "{not json".getBytes(StandardCharsets.UTF_8);
        DeadLetterRecorded letter = DeadLetterRecorded.of(TOPIC, 0, 1, T0, null, value,
                DeadLetterRecorded.Category.MALFORMED, new IllegalArgumentException("x"), "decider", T0);

        assertThat(letter.valueExcerpt()).isEqualTo(value);
        assertThat(letter.valueSize()).isEqualTo(value.length);
    }

    @Test
    void anOversizedReadIsCategorisedApartFromAMalformedOne() {
        assertThat(DeadLetterRecorded.categoryOfReadError(new OversizedRecordException("big")))
                .isEqualTo(DeadLetterRecorded.Category.OVERSIZED);
        assertThat(DeadLetterRecorded.categoryOfReadError(new IllegalArgumentException("bad")))
                .isEqualTo(DeadLetterRecorded.Category.MALFORMED);
    }
}
