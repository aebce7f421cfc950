package io.haltsupervisor.actuator.page;

import io.haltsupervisor.schemas.config.Secret;
import io.haltsupervisor.actuator.StepOutcome;
import io.haltsupervisor.actuator.StepOutcome.Failed;
import io.haltsupervisor.actuator.StepOutcome.Retriable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** JSON over {@link HttpClient}, with the pager failure classification and secret scrubbing. */
final class HttpSender {
    private static final int MAX_BODY_IN_DETAIL = 300;

    private final HttpClient http;
    private final Duration timeout;

    HttpSender(HttpClient http, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
    }

    /** An HTTP answer, or the transport failure (timeout, refused connection) that stood in for one. */
    record Answer(int code, String body, IOException failure) {
        boolean ok() {
            return failure == null && code >= 200 && code < 300;
        }
    }

    Answer post(URI uri, String json, Optional<Secret> bearer) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "halt-supervisor-actuator")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        bearer.ifPresent(t -> b.header("Authorization", "Bearer " + t.reveal()));
        return send(b.build());
    }

    Answer get(URI uri, Optional<Secret> bearer) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json")
                .header("User-Agent", "halt-supervisor-actuator").GET();
        bearer.ifPresent(t -> b.header("Authorization", "Bearer " + t.reveal()));
        return send(b.build());
    }

    private Answer send(HttpRequest request) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.body() == null ? "" : r.body(), null);
        } catch (IOException e) {
            return new Answer(0, "", e);
        }
    }

    /**
     * A failed answer as a step outcome: transport failures, 408, 429 and 5xx are transient; any other status
     * is permanent. {@code secrets} are scrubbed from the detail, in case a server echoes them.
     */
    static StepOutcome failure(String what, Answer a, List<Secret> secrets) {
        String detail;
        if (a.failure() != null) {
            detail = what + " failed: " + a.failure().getClass().getSimpleName()
                    + (a.failure().getMessage() == null ? "" : " " + a.failure().getMessage());
        } else {
            String body = a.body().strip();
            if (body.length() > MAX_BODY_IN_DETAIL) {
                body = body.substring(0, MAX_BODY_IN_DETAIL) + "…";
            }
            detail = what + " answered HTTP " + a.code() + (body.isEmpty() ? "" : ": " + body);
        }
        for (Secret s : secrets) {
            detail = detail.replace(s.reveal(), "[redacted]");
        }
        boolean transientFailure = a.failure() != null || a.code() == 408 || a.code() == 429 || a.code() >= 500;
        return transientFailure ? new Retriable(detail) : new Failed(detail);
    }
}
