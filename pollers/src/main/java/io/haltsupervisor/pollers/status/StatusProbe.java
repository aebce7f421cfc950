package io.haltsupervisor.pollers.status;

import io.haltsupervisor.pollers.pods.PodTargets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.Json;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * {@code supervisor probe URL}: polls one {@code /status} once, exactly as the poller does, and describes what
 * the supervisor sees as one JSON object:
 * <pre>
 * {"reason":"upgrade_required","reasonCode":70,"planName":"v6","height":151000000,
 *  "announcedAt":"2026-11-20T10:15:00.123456789Z","latestBlockHeight":150999999,"version":"v5.9.0"}
 * </pre>
 * {@code reason} is the token of the halt code ({@code null} with the other intent fields when there is no
 * intent). On failure: {@code {"error":"…"}} naming the URL and what was wrong, and exit code 1.
 * A URL without a path polls {@code /status}.
 */
public final class StatusProbe {

    /** What to print on stdout and the process exit code. */
    public record Outcome(int exitCode, String json) {
    }

    private StatusProbe() {
    }

    public static Outcome probe(String url, Duration connectTimeout, Duration readTimeout, int maxBytes) {
        Optional<URI> uri = statusUri(url);
        if (uri.isEmpty()) {
            return new Outcome(1, error("URL '" + (url == null ? "" : StatusParser.sanitize(url))
                    + "' is not valid: expected http(s)://HOST:PORT[/status]"));
        }
        StatusResult result;
        try (StatusFetcher fetcher = new StatusFetcher(connectTimeout, readTimeout, maxBytes, 1, null)) {
            result = fetcher.fetch(uri.get()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(1, error("GET " + uri.get() + ": interrupted"));
        } catch (ExecutionException e) {
            return new Outcome(1, error("GET " + uri.get() + ": " + e.getCause()));
        }
        if (result instanceof StatusResult.Failed failed) {
            return new Outcome(1, error("GET " + uri.get() + ": " + failed.error()));
        }
        return new Outcome(0, Json.write(describe(((StatusResult.Read) result).status())));
    }

    /** The probe's JSON for a status read: every field present, null when unknown. */
    public static ObjectNode describe(NodeStatus status) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        HaltIntent intent = status.haltIntent();
        if (intent == null) {
            o.putNull("reason");
            o.putNull("reasonCode");
            o.putNull("planName");
            o.putNull("height");
            o.putNull("announcedAt");
        } else {
            o.put("reason", intent.shutdownReason().token());
            o.put("reasonCode", intent.reason());
            o.put("planName", intent.planName());
            o.put("height", intent.height());
            o.put("announcedAt", intent.announcedAt() == null ? null : intent.announcedAt().toString());
        }
        o.put("latestBlockHeight", status.latestBlockHeight());
        o.put("version", status.version());
        return o;
    }

    static String error(String message) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("error", message);
        return Json.write(o);
    }

    /** The URL to poll: {@code /status} added when the URL has no path. */
    static Optional<URI> statusUri(String url) {
        if (url == null) {
            return Optional.empty();
        }
        Optional<URI> uri = PodTargets.httpUrl(url.strip());
        return uri.map(u -> u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/")
                ? u.resolve("/status") : u);
    }
}
