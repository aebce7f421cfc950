package io.haltsupervisor.sandbox.pager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haltsupervisor.schemas.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** The PagerDuty and webhook stand-ins over real loopback HTTP. */
class ReceiversIT {
    private static final String TRIGGER = """
            {"routing_key":"rk","event_action":"trigger","dedup_key":"sei/rpc-0#1",
             "payload":{"summary":"sei/rpc-0 halted","source":"sei/rpc-0","severity":"critical"}}""";

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(URI uri, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pagerDutyAcceptsAValidEventWith202AndItsDedupKey() throws Exception {
        try (PagerDutyReceiver pd = PagerDutyReceiver.start()) {
            assertThat(pd.url().toString()).startsWith("http://127.0.0.1:").endsWith("/v2/enqueue");
            HttpResponse<String> r = post(pd.url(), TRIGGER);
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(Json.MAPPER.readTree(r.body())).isEqualTo(Json.MAPPER.readTree(
                    "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"sei/rpc-0#1\"}"));
            assertThat(pd.events()).singleElement().satisfies(e ->
                    assertThat(e.get("payload").get("summary").asText()).isEqualTo("sei/rpc-0 halted"));
            ReceivedRequest received = pd.requests().get(0);
            assertThat(received.method()).isEqualTo("POST");
            assertThat(received.header("content-type")).contains("application/json");
            assertThat(received.answeredWith()).isEqualTo(202);
        }
    }

    @Test
    void pagerDutyRejectsAnInvalidEventWith400AsTheEventsApiDoes() throws Exception {
        try (PagerDutyReceiver pd = PagerDutyReceiver.start()) {
            HttpResponse<String> r = post(pd.url(), "{\"routing_key\":\"rk\",\"event_action\":\"resolve\"}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(r.body()).get("status").asText()).isEqualTo("invalid event");
            assertThat(r.body()).contains("dedup_key");
            assertThat(pd.events()).as("only accepted events count").isEmpty();
            assertThat(pd.requests()).hasSize(1);
            assertThat(post(pd.url().resolve("/v1/enqueue"), TRIGGER).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void scriptedAnswersComeFirstThenTheDefaultAndListenersSeeEachRequest() throws Exception {
        try (PagerDutyReceiver pd = PagerDutyReceiver.start()) {
            List<Integer> seen = new CopyOnWriteArrayList<>();
            pd.onRequest(r -> seen.add(r.answeredWith()));
            pd.onRequest(r -> {
                throw new IllegalStateException("a broken listener does not break the receiver");
            });
            pd.answerNext(429, "{\"status\":\"throttle event\"}");
            pd.answerNext(503, "", 1);
            assertThat(post(pd.url(), TRIGGER).statusCode()).isEqualTo(429);
            assertThat(post(pd.url(), TRIGGER).statusCode()).isEqualTo(503);
            assertThat(post(pd.url(), TRIGGER).statusCode()).isEqualTo(202);
            assertThat(pd.requests()).extracting(ReceivedRequest::answeredWith).containsExactly(429, 503, 202);
            assertThat(pd.events()).hasSize(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
            assertThat(seen).containsExactly(429, 503, 202);

            pd.clear();
            assertThat(pd.requests()).isEmpty();
        }
    }

    @Test
    void aDelayedAnswerOutlastsAShortClientTimeout() throws Exception {
        try (WebhookReceiver webhook = WebhookReceiver.start()) {
            webhook.answerNext(Answer.of(200, "{}").after(Duration.ofSeconds(2)));
            HttpRequest request = HttpRequest.newBuilder(webhook.url()).timeout(Duration.ofMillis(300))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            Assertions.assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(HttpTimeoutException.class);
            assertThat(webhook.requests()).as("received all the same").hasSize(1);
        }
    }

    @Test
    void theWebhookAcceptsAnyJsonAndCanRequireABearerToken() throws Exception {
        try (WebhookReceiver webhook = WebhookReceiver.start()) {
            String page = "{\"action\":\"trigger\",\"dedupKey\":\"sei/rpc-0#1\",\"source\":\"halt-supervisor\"}";
            assertThat(post(webhook.url(), page).statusCode()).isEqualTo(200);
            assertThat(webhook.events()).singleElement().satisfies(e ->
                    assertThat(e.get("dedupKey").asText()).isEqualTo("sei/rpc-0#1"));

            webhook.requireBearerToken("s3cret");
            assertThat(post(webhook.url(), page).statusCode()).isEqualTo(401);
            assertThat(post(webhook.url(), page, "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
            assertThat(post(webhook.url(), page, "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
            assertThat(webhook.events()).hasSize(2);
            assertThat(webhook.requests().get(3).header("Authorization")).contains("Bearer s3cret");
        }
    }
}
