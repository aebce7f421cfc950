package io.haltsupervisor.sandbox.pager;

import java.util.Map;
import java.util.Optional;

/**
 * A loopback HTTP server standing in for any JSON webhook — the actuator's generic webhook pager
 * ({@code ACTUATOR_WEBHOOK_URL}), or Alertmanager's {@code webhook_configs}: it accepts any method on any
 * path with {@code 200 {"status":"ok"}}, optionally only with a bearer token ({@link #requireBearerToken}).
 *
 * <pre>{@code
 * try (WebhookReceiver webhook = WebhookReceiver.start()) {
 *     webhook.answerNext(503, "", 2);                     // two failures, then 200
 *     webhook.onRequest(r -> System.out.println(r.body()));
 *     ... ACTUATOR_WEBHOOK_URL = webhook.url() ...
 *     await().until(() -> webhook.events().size() == 1);
 * }
 * }</pre>
 */
public final class WebhookReceiver extends HttpReceiver {
    /** The path {@link #url()} points at; any path is accepted. */
    public static final String PATH = "/webhook";

    private volatile String bearerToken;

    private WebhookReceiver(int port) {
        super("webhook-receiver", port, PATH);
    }

    /** Starts on a free loopback port. */
    public static WebhookReceiver start() {
        return new WebhookReceiver(0);
    }

    /** Starts on loopback {@code port} (dev mode, for a URL that does not change between runs). */
    public static WebhookReceiver start(int port) {
        return new WebhookReceiver(port);
    }

    /**
     * From now on, answers {@code 401} to requests without {@code Authorization: Bearer <token>} (unless the
     * script answers them first). {@code null} accepts every request again.
     */
    public WebhookReceiver requireBearerToken(String token) {
        this.bearerToken = token;
        return this;
    }

    @Override
    Optional<Answer> refusal(String method, String requestPath, Map<String, String> headers, String body) {
        String token = bearerToken;
        if (token != null && !("Bearer " + token).equals(headers.get("Authorization"))) {
            return Optional.of(Answer.of(401, "{\"status\":\"unauthorized\"}"));
        }
        return Optional.empty();
    }

    @Override
    Answer defaultAnswer(String method, String requestPath, Map<String, String> headers, String body) {
        return Answer.of(200, "{\"status\":\"ok\"}");
    }
}
