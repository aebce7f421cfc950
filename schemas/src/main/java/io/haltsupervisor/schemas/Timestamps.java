package io.haltsupervisor.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Instant;

/**
 * Fast reading of the one timestamp form every event carries: what {@link Json#MAPPER} writes for an
 * {@link Instant}, {@code yyyy-MM-ddTHH:mm:ss[.f…]Z} (UTC, 1–9 fraction digits). The JDK's
 * {@code DateTimeFormatter} stays the authority: anything not exactly in that form, or not a valid date and
 * time, is handed to it unchanged, so what is accepted and every error message are the JDK's (and
 * Jackson's). Why it exists: parsing instants with the formatter was 13 % of the decider's stream-thread
 * time (docs/benchmarks-history.md); this path allocates nothing but the {@code Instant}.
 */
public final class Timestamps {
    /** Days from 0000-01-01 to 1970-01-01 in the proleptic Gregorian calendar (as {@code LocalDate} counts). */
    private static final long DAYS_0000_TO_1970 = 719_528L;
    private static final int[] SCALE = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    private Timestamps() {
    }

    /** {@link #parseUtc(char[], int, int)} over a string. */
    public static Instant parseUtc(String text) {
        return text == null ? null : parseUtc(text.toCharArray(), 0, text.length());
    }

    /**
     * The instant of {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} in {@code chars[offset, offset + length)}, or
     * null when the text is not exactly that (other offsets, lower-case letters, spaces, a leap second, an
     * invalid date…): the caller then parses it with the full parser, which accepts or rejects it.
     */
    public static Instant parseUtc(char[] chars, int offset, int length) {
        if (length < 20 || length > 30 || chars[offset + length - 1] != 'Z' || chars[offset + 4] != '-'
                || chars[offset + 7] != '-' || chars[offset + 10] != 'T' || chars[offset + 13] != ':'
                || chars[offset + 16] != ':') {
            return null;
        }
        int year = digits(chars, offset, 4);
        int month = digits(chars, offset + 5, 2);
        int day = digits(chars, offset + 8, 2);
        int hour = digits(chars, offset + 11, 2);
        int minute = digits(chars, offset + 14, 2);
        int second = digits(chars, offset + 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month) || hour < 0
                || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        int zulu = offset + length - 1;
        int p = offset + 19;
        if (p != zulu) {
            int fraction = zulu - p - 1;
            if (chars[p] != '.' || fraction < 1 || fraction > 9) {
                return null;
            }
            int value = digits(chars, p + 1, fraction);
            if (value < 0) {
                return null;
            }
            nanos = value * SCALE[fraction];
        }
        long seconds = epochDay(year, month, day) * 86_400L + hour * 3_600L + minute * 60L + second;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** The decimal value of {@code count} ASCII digits (at most 9), or -1 if one is not a digit. */
    private static int digits(char[] chars, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int d = chars[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }

    private static boolean isLeap(long year) {
        return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a date in years 0–9999, as {@code LocalDate.toEpochDay} computes it. */
    private static long epochDay(long year, long month, long day) {
        long total = 365 * year + (year + 3) / 4 - (year + 99) / 100 + (year + 399) / 400;
        total += (367 * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!isLeap(year)) {
                total--;
            }
        }
        return total - DAYS_0000_TO_1970;
    }

    /**
     * A Jackson module that puts {@link #parseUtc} in front of the {@link Instant} deserializer registered
     * before it (the JSR-310 module's). Register it after {@code JavaTimeModule}.
     */
    static SimpleModule jacksonModule() {
        SimpleModule module = new SimpleModule("halt-supervisor-timestamps");
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                    JsonDeserializer<?> deserializer) {
                return description.getBeanClass() == Instant.class ? new FastInstant(deserializer) : deserializer;
            }
        });
        return module;
    }

    /** The fast path for strings in the canonical form, the wrapped deserializer for everything else. */
    static final class FastInstant extends DelegatingDeserializer {
        private static final long serialVersionUID = 1L;

        FastInstant(JsonDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
            return new FastInstant(delegate);
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property)
                throws JsonMappingException {
            // a property with its own @JsonFormat (pattern, leniency, zone…) gets exactly the JDK's reading
            var format = findFormatOverrides(ctxt, property, Instant.class);
            JsonDeserializer<?> contextual = super.createContextual(ctxt, property);
            if (format != null && (format.hasPattern() || format.hasLenient() || format.hasTimeZone()
                    || format.hasLocale() || format.hasShape() || !format.getFeatures().equals(
                            com.fasterxml.jackson.annotation.JsonFormat.Features.empty()))) {
                return contextual instanceof FastInstant fast ? fast.getDelegatee() : contextual;
            }
            return contextual;
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.hasToken(JsonToken.VALUE_STRING)) {
                Instant fast = parseUtc(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                if (fast != null) {
                    return fast;
                }
            }
            return _delegatee.deserialize(p, ctxt);
        }
    }
}
