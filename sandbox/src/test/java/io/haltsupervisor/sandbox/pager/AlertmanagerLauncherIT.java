package io.haltsupervisor.sandbox.pager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real Alertmanager, holding alerts and forwarding them to a webhook; skipped without the binary. */
class AlertmanagerLauncherIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void needsTheBinary() {
        Assumptions.assumeTrue(AlertmanagerLauncher.binary().isPresent(), "Alertmanager binary not installed"
                + " (apt-get install prometheus-alertmanager, or set " + AlertmanagerLauncher.BINARY_ENV + ")");
    }

    private int postAlert(AlertmanagerLauncher am, String node, Instant endsAt) throws Exception {
        String alerts = """
                [{"labels":{"alertname":"SeidHalted","node":"%s"},
                  "annotations":{"summary":"%s halted"},"endsAt":"%s"}]""".formatted(node, node, endsAt);
        return http.send(HttpRequest.newBuilder(am.url().resolve("/api/v2/alerts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(alerts))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void holdsAlertsAndForwardsFiringAndResolvedNotificationsToAWebhook() throws Exception {
        try (WebhookReceiver webhook = WebhookReceiver.start();
                AlertmanagerLauncher am = AlertmanagerLauncher.startForwardingTo(webhook.url())) {
            assertThat(postAlert(am, "sei/rpc-0", Instant.now().plus(Duration.ofMinutes(10)))).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> am.activeAlerts().size() == 1);
            await().atMost(Duration.ofSeconds(15)).until(() -> webhook.events().stream()
                    .anyMatch(e -> "firing".equals(e.path("status").asText())));
            JsonNode firing = webhook.events().get(0);
            assertThat(firing.get("alerts").get(0).get("labels").get("node").asText()).isEqualTo("sei/rpc-0");

            assertThat(postAlert(am, "sei/rpc-0", Instant.now().minusSeconds(1))).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> am.activeAlerts().isEmpty());
            await().atMost(Duration.ofSeconds(15)).until(() -> webhook.events().stream()
                    .anyMatch(e -> "resolved".equals(e.path("status").asText())));
        }
    }
}
