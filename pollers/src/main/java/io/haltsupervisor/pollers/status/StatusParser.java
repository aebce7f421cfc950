package io.haltsupervisor.pollers.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.pollers.status.ObservationError.Kind;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.Json;
import io.haltsupervisor.schemas.ShutdownReason;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Tendermint {@code /status} response into a {@link StatusResult}: pure, total (every input gives
 * a result, no exception escapes) and liberal in what it accepts — the JSON-RPC envelope or the bare
 * status object, int64s as decimal strings or numbers, {@code halt_intent} absent, {@code null} or
 * present — but exact in what it reports: a halt only for a {@code halt_intent} that follows the
 * contract ({@link HaltIntent#fromJson}). Its numeric {@code reason} is authoritative: a {@code reason_string}
 * that is missing or disagrees with it (including {@code "unknown"}) is read past and reported in
 * {@link StatusResult.Read#tolerated()}, never a failed poll; a {@code reason} of 0 is a halt whose reason the
 * node did not give (the decider pages it, no automatic action). Anything else is an {@link ObservationError}
 * naming what was wrong.
 *
 * <p>The document must be shaped like a status: an object with a {@code sync_info} object carrying
 * {@code latest_block_height}. {@code node_info} and {@code application_info} are optional, but a
 * field that is present with the wrong type makes the whole response an error rather than half-read.
 */
public final class StatusParser {
    private static final Pattern HTML_TITLE = Pattern.compile("<title>\\s*([^<]{0,120}?)\\s*</title>",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,19}");
    private static final int SNIPPET = 80;

    private StatusParser() {
    }

    /** Parses a complete (not truncated) HTTP response. */
    public static StatusResult parse(int httpStatus, String contentType, byte[] body) {
        byte[] bytes = body == null ? new byte[0] : body;
        if (httpStatus < 200 || httpStatus > 299) {
            return StatusResult.failed(Kind.HTTP_STATUS, "HTTP " + httpStatus + describeErrorBody(contentType, bytes));
        }
        return parseBody(bytes);
    }

    /** Parses the body of a 2xx response. */
    public static StatusResult parseBody(byte[] body) {
        if (body == null || isBlank(body)) {
            return StatusResult.failed(Kind.MALFORMED, "empty body (expected a JSON /status document)");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return StatusResult.failed(Kind.MALFORMED, notJson(body, e.getOriginalMessage()));
        } catch (IOException e) {
            return StatusResult.failed(Kind.MALFORMED, notJson(body, e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            return StatusResult.failed(Kind.MALFORMED, "empty body (expected a JSON /status document)");
        }
        if (!root.isObject()) {
            return StatusResult.failed(Kind.MALFORMED, "expected a JSON object, got " + describe(root));
        }
        JsonNode status = root;
        if (root.has("jsonrpc") || root.has("result") || root.has("error")) {
            JsonNode error = root.get("error");
            if (error != null && !error.isNull()) {
                return StatusResult.failed(Kind.RPC_ERROR, "JSON-RPC error" + describeRpcError(error));
            }
            status = root.get("result");
            if (status == null || status.isNull()) {
                return StatusResult.failed(Kind.MALFORMED, "JSON-RPC envelope without a result");
            }
            if (!status.isObject()) {
                return StatusResult.failed(Kind.MALFORMED, "result: expected an object, got " + describe(status));
            }
        }
        return parseStatus(status);
    }

    private static StatusResult parseStatus(JsonNode status) {
        JsonNode sync = status.get("sync_info");
        if (sync == null || sync.isNull()) {
            return StatusResult.failed(Kind.MALFORMED, "not a /status document: no sync_info");
        }
        if (!sync.isObject()) {
            return wrongType("sync_info", "an object", sync);
        }
        JsonNode heightNode = sync.get("latest_block_height");
        if (heightNode == null || heightNode.isNull()) {
            return StatusResult.failed(Kind.MALFORMED, "not a /status document: no sync_info.latest_block_height");
        }
        Optional<Long> height = int64(heightNode);
        if (height.isEmpty()) {
            return wrongType("sync_info.latest_block_height", "a non-negative int64 (decimal string or number)",
                    heightNode);
        }
        JsonNode catchingUpNode = sync.get("catching_up");
        Boolean catchingUp = null;
        if (catchingUpNode != null && !catchingUpNode.isNull()) {
            if (catchingUpNode.isBoolean()) {
                catchingUp = catchingUpNode.booleanValue();
            } else if (catchingUpNode.isTextual()
                    && ("true".equals(catchingUpNode.textValue()) || "false".equals(catchingUpNode.textValue()))) {
                catchingUp = Boolean.valueOf(catchingUpNode.textValue());
            } else {
                return wrongType("sync_info.catching_up", "a boolean", catchingUpNode);
            }
        }

        JsonNode nodeInfo = status.get("node_info");
        if (nodeInfo != null && !nodeInfo.isNull() && !nodeInfo.isObject()) {
            return wrongType("node_info", "an object", nodeInfo);
        }
        JsonNode appInfo = status.get("application_info");
        if (appInfo != null && !appInfo.isNull() && !appInfo.isObject()) {
            return wrongType("application_info", "an object", appInfo);
        }
        String[] texts = new String[4];
        String[][] fields = {{"node_info", "version"}, {"node_info", "network"}, {"node_info", "moniker"},
                {"application_info", "version"}};
        for (int i = 0; i < fields.length; i++) {
            JsonNode parent = "node_info".equals(fields[i][0]) ? nodeInfo : appInfo;
            JsonNode n = parent == null || parent.isNull() ? null : parent.get(fields[i][1]);
            if (n != null && !n.isNull()) {
                if (!n.isTextual()) {
                    return wrongType(fields[i][0] + "." + fields[i][1], "a string", n);
                }
                String t = n.textValue().strip();
                texts[i] = t.isEmpty() ? null : t;
            }
        }
        String version = texts[3] != null ? texts[3] : texts[0];

        HaltIntent intent = null;
        StatusResult.ReasonStringIssue tolerated = null;
        JsonNode intentNode = status.get("halt_intent");
        if (intentNode != null && !intentNode.isNull()) {
            try {
                intent = HaltIntent.fromJson(intentNode);
            } catch (IllegalArgumentException e) {
                return StatusResult.failed(Kind.INVALID_INTENT, e.getMessage());
            }
            tolerated = reasonStringIssue(intentNode.get("reason_string"), intent);
        }
        return new StatusResult.Read(new NodeStatus(height.get(), version, catchingUp, texts[1], texts[2], intent),
                tolerated);
    }

    /**
     * What is wrong with a {@code halt_intent}'s {@code reason_string} beside its numeric {@code reason}, or null.
     * The numeric reason is authoritative and the string only a human-readable echo of it (sei-config
     * {@code docs/upgrade-shutdown-contract/DESIGN.md} at 3ee1047): a missing one, one naming another reason we
     * know, or {@code "unknown"} beside a non-zero code is tolerated and reported here; a token we do not know
     * (a newer node's phrasing) is not an issue.
     */
    static StatusResult.ReasonStringIssue reasonStringIssue(JsonNode raw, HaltIntent intent) {
        if (raw == null || raw.isNull() || !raw.isTextual() || raw.textValue().isBlank()) {
            return StatusResult.ReasonStringIssue.MISSING;
        }
        Optional<ShutdownReason> named = ShutdownReason.fromToken(intent.reasonString());
        ShutdownReason coded = intent.shutdownReason();
        if (named.isEmpty() || named.get() == coded) {
            return null;
        }
        return named.get() == ShutdownReason.UNKNOWN ? StatusResult.ReasonStringIssue.UNKNOWN
                : StatusResult.ReasonStringIssue.DISAGREES;
    }

    /** A non-negative int64 sent as a decimal string or a JSON integer (or an integral float such as 1.5e8). */
    static Optional<Long> int64(JsonNode n) {
        if (n.isTextual()) {
            String t = n.textValue().strip();
            if (!DECIMAL.matcher(t).matches()) {
                return Optional.empty();
            }
            try {
                return Optional.of(Long.parseLong(t));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() && n.longValue() >= 0 ? Optional.of(n.longValue()) : Optional.empty();
        }
        if (n.isNumber()) {
            if (n.isDouble() || n.isFloat()) {
                double d = n.doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    return Optional.empty(); // 1e999 reads as infinity: no decimal value
                }
            }
            try {
                BigDecimal d = n.decimalValue();
                long v = d.toBigIntegerExact().longValueExact();
                return v >= 0 ? Optional.of(v) : Optional.empty();
            } catch (ArithmeticException | NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static StatusResult wrongType(String field, String expected, JsonNode got) {
        return StatusResult.failed(Kind.WRONG_TYPE, field + ": expected " + expected + ", got " + describe(got));
    }

    private static String notJson(byte[] body, String detail) {
        String text = new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8).strip();
        if (text.startsWith("<")) {
            Matcher m = HTML_TITLE.matcher(text);
            return "not JSON: an HTML page" + (m.find() ? " titled '" + sanitize(m.group(1)) + "'" : "");
        }
        String first = detail == null ? "" : detail.lines().findFirst().orElse("");
        return "not JSON: " + sanitize(first) + " (body starts '" + sanitize(text) + "')";
    }

    private static String describeErrorBody(String contentType, byte[] body) {
        if (body.length == 0) {
            return "";
        }
        String text = new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8).strip();
        if (text.startsWith("<")) {
            Matcher m = HTML_TITLE.matcher(text);
            return m.find() ? " (an HTML page titled '" + sanitize(m.group(1)) + "')" : " (an HTML page)";
        }
        if (text.startsWith("{")) {
            try {
                JsonNode root = Json.MAPPER.readTree(body);
                JsonNode error = root == null ? null : root.get("error");
                if (error != null && !error.isNull()) {
                    return " (JSON-RPC error" + describeRpcError(error) + ")";
                }
            } catch (IOException e) {
                // not JSON after all: fall through to the snippet
            }
        }
        String type = contentType == null || contentType.isBlank() ? "" : sanitize(contentType) + ": ";
        return " (" + type + "'" + sanitize(text) + "')";
    }

    private static String describeRpcError(JsonNode error) {
        if (!error.isObject()) {
            return " " + describe(error);
        }
        StringBuilder s = new StringBuilder();
        JsonNode code = error.get("code");
        JsonNode message = error.get("message");
        JsonNode data = error.get("data");
        if (code != null && code.isNumber()) {
            s.append(' ').append(code.asText());
        }
        if (message != null && message.isTextual()) {
            s.append(' ').append(sanitize(message.textValue()));
        }
        if (data != null && data.isTextual() && !data.textValue().isBlank()) {
            s.append(": ").append(sanitize(data.textValue()));
        }
        return s.toString();
    }

    /** A short description of a JSON value for error messages (never its full content). */
    static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case BOOLEAN -> "the boolean " + n.asText();
            case NUMBER -> "the number " + sanitize(n.asText());
            case STRING -> "the string \"" + sanitize(n.textValue()) + '"';
            case NULL -> "null";
            default -> n.getNodeType().toString().toLowerCase(Locale.ROOT);
        };
    }

    /** One line, printable, short: safe to put in a log line or a JSON error. */
    public static String sanitize(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), SNIPPET + 1));
        for (int i = 0; i < s.length() && out.length() < SNIPPET; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? ' ' : c);
        }
        if (s.length() > SNIPPET) {
            out.append('…');
        }
        return out.toString().strip();
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
