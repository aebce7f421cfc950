package io.haltsupervisor.sandbox.seid;

import java.time.Duration;

/**
 * A way a simulated {@code seid}'s {@code /status} can misbehave. Set with {@link SimulatedSeid#fault(Fault)},
 * cleared with {@link SimulatedSeid#clearFault()} or {@link SimulatedSeid#recover()}.
 */
public sealed interface Fault {

    /** A 200 response whose body is JSON cut off mid-document. */
    record MalformedJson() implements Fault {
    }

    /** The HTML error page a reverse proxy serves (e.g. nginx {@code 502 Bad Gateway}), with that status. */
    record HtmlErrorPage(int status) implements Fault {
        public HtmlErrorPage {
            requireHttpStatus(status);
        }
    }

    /** A bare HTTP error status with a short plain-text body. */
    record HttpStatus(int status) implements Fault {
        public HttpStatus {
            requireHttpStatus(status);
        }
    }

    /**
     * The connection is accepted and the request read, but no response is ever sent (until the fault is
     * cleared or the server closes). Holds no server thread.
     */
    record NeverAnswer() implements Fault {
    }

    /** The normal response, sent only after {@code delay}. Holds no server thread while waiting. */
    record Delay(Duration delay) implements Fault {
        public Delay {
            if (delay == null || delay.isNegative()) {
                throw new IllegalArgumentException("delay: expected a non-negative duration, got " + delay);
            }
        }
    }

    /**
     * A 200 response of {@code bytes} bytes of JSON-looking text; with {@code declareLength} it carries a
     * {@code Content-Length}, otherwise it is sent chunked.
     */
    record Oversized(long bytes, boolean declareLength) implements Fault {
        public Oversized {
            if (bytes < 1) {
                throw new IllegalArgumentException("bytes: expected a positive size, got " + bytes);
            }
        }
    }

    /**
     * The normal document with the value at {@code pointer} (a JSON Pointer into the status object,
     * e.g. {@code /sync_info/latest_block_height} or {@code /halt_intent}) replaced by the raw JSON
     * {@code json} — wrong types, negative heights, unknown reason codes, unparsable timestamps.
     * Missing parents are created.
     */
    record ReplaceField(String pointer, String json) implements Fault {
        public ReplaceField {
            if (pointer == null || !pointer.startsWith("/") || pointer.length() < 2) {
                throw new IllegalArgumentException("pointer: expected a JSON Pointer like /sync_info/latest_block_height, got "
                        + pointer);
            }
            if (json == null) {
                throw new IllegalArgumentException("json: expected raw JSON text, got null");
            }
        }
    }

    /** Any response: status, content type and body exactly as given. */
    record Body(int status, String contentType, String body) implements Fault {
        public Body {
            requireHttpStatus(status);
            if (contentType == null || body == null) {
                throw new IllegalArgumentException("contentType and body: expected text, got null");
            }
        }
    }

    private static void requireHttpStatus(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status: expected an HTTP status 100–599, got " + status);
        }
    }
}
