package io.haltsupervisor.actuator.plan;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Length limits of the APIs the actuator writes to. */
public final class Text {
    private static final String ELLIPSIS = "…";

    private Text() {
    }

    /** At most {@code max} characters, the cut marked with an ellipsis. */
    public static String truncateChars(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max - ELLIPSIS.length()) + ELLIPSIS;
    }

    /** At most {@code maxBytes} bytes of UTF-8, cut on a character boundary and marked with an ellipsis. */
    public static String truncateUtf8(String s, int maxBytes) {
        if (s == null || s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return s;
        }
        int budget = maxBytes - ELLIPSIS.getBytes(StandardCharsets.UTF_8).length;
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer out = ByteBuffer.allocate(budget);
        CharBuffer in = CharBuffer.wrap(s);
        encoder.encode(in, out, true);
        return s.substring(0, in.position()) + ELLIPSIS;
    }
}
