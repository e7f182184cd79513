package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Webhooks end to end: a real receiver that checks every signature, fails on purpose and goes away, a Herald that
 * restarts meanwhile, and a fake clock moved past each backoff. Nothing is lost; every attempt of a message carries
 * the same webhook-id.
 */
class WebhookDeliveryTest {

    record Row(String id, String state, int attempts, long nextAt, String lastError) {}

    static List<Row> messages(TestServer server) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT id, state, attempts, next_at, last_error "
                        + "FROM webhook_messages ORDER BY id")
                .map((rs, ctx) -> new Row(rs.getString("id"), rs.getString("state"), rs.getInt("attempts"), rs.getLong("next_at"),
                        rs.getString("last_error")))
                .list());
    }

    static String createWebhook(TestServer server, WebhookReceiver receiver, List<String> events) {
        Api.Response created = server.api.post("/api/v1/webhooks", server.key, Map.of("url", receiver.url(), "events", events,
                "description", "the app's backend"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String secret = created.json().get("secret").asText();
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
        receiver.secret(secret);
        return created.json().get("id").asText();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void eventsArriveSignedAndSurviveAFailingReceiverAndRestarts(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService();
                WebhookReceiver receiver = new WebhookReceiver();
                TestServer server = new TestServer(backend)) {
            String id = createWebhook(server, receiver, List.of("subscription.created", "delivery.sent"));
            JsonNode listed = server.api.get("/api/v1/webhooks", server.key).json().at("/items/0");
            assertThat(listed.get("id").asText()).isEqualTo(id);
            assertThat(listed.has("secret")).as("the secret is shown once, at creation").isFalse();
            assertThat(listed.get("status").asText()).isEqualTo("enabled");
            assertThat(listed.get("events")).hasSize(2);

            for (int i = 0; i < 3; i++) {
                server.subscribe("u" + i, push.endpoint("/p" + i).toString(), UserAgentKeys.generate());
            }
            Eventually.until("three subscription.created", () -> receiver.accepted("subscription.created").size() == 3);
            assertThat(receiver.received).allSatisfy(m -> {
                assertThat(m.signatureValid()).as("signature of " + m.id()).isTrue();
                assertThat(m.id()).startsWith("msg_");
                assertThat(m.timestamp()).isEqualTo(server.clock.instant().getEpochSecond());
            });
            assertThat(receiver.accepted("subscription.created")).extracting(e -> e.at("/data/userId").asText())
                    .containsExactlyInAnyOrder("u0", "u1", "u2");
            assertThat(receiver.accepted("subscription.created")).allSatisfy(e -> assertThat(e.get("id").asText()).startsWith("evt_"));

            // The receiver fails on purpose, then goes away; Herald restarts meanwhile.
            receiver.status = 500;
            String n = server.send(Map.of("all", true), "hello", Map.of());
            Eventually.until("sent", () -> server.count(n, "sent") == 3);
            Eventually.until("all three delivery.sent refused once", () -> receiver.received.stream().filter(m -> m.answered() == 500)
                    .mapToLong(m -> m.events().size()).sum() == 3);
            Eventually.until("every outcome event refused once", () -> messages(server).stream().allMatch(r -> r.state().equals("queued")
                    && r.attempts() == 1));
            Set<String> refused = messages(server).stream().map(Row::id).collect(Collectors.toSet());
            receiver.stop();
            server.advance(Duration.ofSeconds(6)); // past the first backoff (5 s + up to 10 %)
            Eventually.until("a second attempt, refused by a closed port", Duration.ofSeconds(60), () -> messages(server).stream()
                    .allMatch(r -> r.attempts() == 2 && r.state().equals("queued")), () -> messages(server));
            assertThat(messages(server)).allSatisfy(r -> assertThat(r.lastError()).startsWith("not sent"));
            JsonNode failing = server.api.get("/api/v1/webhooks/" + id, server.key).json();
            assertThat(failing.get("failingSince").asText()).isNotEmpty();
            assertThat(failing.get("pendingMessages").asInt()).isEqualTo(refused.size());

            server.restart();
            receiver.status = 204;
            receiver.start();
            server.advance(Duration.ofMinutes(6)); // past the second backoff (5 min + up to 10 %)
            Eventually.until("all three delivery.sent accepted", () -> receiver.accepted("delivery.sent").size() == 3);
            Eventually.until("the outbox drained", () -> messages(server).isEmpty());

            assertThat(receiver.received).allSatisfy(m -> assertThat(m.signatureValid()).isTrue());
            Set<String> accepted = receiver.received.stream().filter(WebhookReceiver.Message::ok)
                    .filter(m -> m.events().stream().anyMatch(e -> e.get("type").asText().equals("delivery.sent")))
                    .map(WebhookReceiver.Message::id).collect(Collectors.toSet());
            assertThat(accepted).as("the retried messages keep their webhook-id").isEqualTo(refused);
            assertThat(receiver.accepted("delivery.sent")).extracting(e -> e.at("/data/notificationId").asText())
                    .containsOnly(n);
            assertThat(receiver.accepted("delivery.sent")).extracting(e -> e.at("/data/userId").asText())
                    .containsExactlyInAnyOrder("u0", "u1", "u2");
            JsonNode healthy = server.api.get("/api/v1/webhooks/" + id, server.key).json();
            assertThat(healthy.has("failingSince")).isFalse();
            assertThat(healthy.get("lastSuccessAt").asText()).isEqualTo(server.clock.instant().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aDeadEndpointIsDisabledAfterADayAndTheAdminApiSaysWhy(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService();
                WebhookReceiver receiver = new WebhookReceiver();
                TestServer server = new TestServer(backend)) {
            receiver.status = 503;
            String id = createWebhook(server, receiver, List.of("subscription.created"));
            Instant start = server.clock.instant();
            server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate());
            Eventually.until("the event queued for the endpoint", () -> messages(server).size() == 1);
            int attempts = 0;
            while (!messages(server).get(0).state().equals("failed")) {
                int expected = ++attempts;
                Eventually.until("attempt " + expected, Duration.ofSeconds(60), () -> messages(server).get(0).attempts() == expected
                        && !messages(server).get(0).state().equals("leased"), () -> messages(server));
                Row row = messages(server).get(0);
                if (row.state().equals("queued")) {
                    server.advanceTo(Instant.ofEpochMilli(row.nextAt()));
                }
            }
            assertThat(attempts).as("0 s, 5 s, 5 min, 35 min, 2.6 h, 7.6 h, 17.6 h and 24 h").isEqualTo(8);
            assertThat(messages(server).get(0).state()).isEqualTo("failed");
            assertThat(Duration.between(start, server.clock.instant())).isEqualTo(Duration.ofDays(1));
            assertThat(receiver.received).hasSize(8).allSatisfy(m -> assertThat(m.signatureValid()).isTrue());
            assertThat(receiver.received.stream().map(WebhookReceiver.Message::id).distinct()).hasSize(1);

            String adminKey = server.app.apiKeys().create("ops", java.util.EnumSet.of(dev.herald.server.auth.Scope.ADMIN)).key();
            JsonNode admin = server.api.get("/api/v1/admin/webhooks", adminKey).json().at("/items/0");
            assertThat(admin.get("id").asText()).isEqualTo(id);
            assertThat(admin.get("status").asText()).isEqualTo("disabled");
            assertThat(admin.get("disabledReason").asText()).contains("no 2xx answer since " + start).contains("answered 503");
            assertThat(admin.get("lastError").asText()).isEqualTo("answered 503");
            assertThat(admin.get("failedMessages").asInt()).isEqualTo(1);
            assertThat(admin.has("secret")).isFalse();

            // Disabled: new events are not queued for it any more.
            server.subscribe("ben", push.endpoint("/ben").toString(), UserAgentKeys.generate());
            server.advance(Duration.ofHours(1));
            assertThat(messages(server)).hasSize(1);
            assertThat(receiver.received).hasSize(8);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aReceiverAnswering410IsDisabledAtOnce(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService();
                WebhookReceiver receiver = new WebhookReceiver();
                TestServer server = new TestServer(backend)) {
            receiver.status = 410;
            String id = createWebhook(server, receiver, List.of("subscription.created"));
            server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate());
            Eventually.until("disabled", () -> server.api.get("/api/v1/webhooks/" + id, server.key).json().get("status").asText()
                    .equals("disabled"));
            JsonNode view = server.api.get("/api/v1/webhooks/" + id, server.key).json();
            assertThat(view.get("disabledReason").asText()).isEqualTo("the receiver answered 410 Gone");
            assertThat(view.get("pendingMessages").asInt()).as("kept, not sent while disabled").isEqualTo(1);
            assertThat(server.api.delete("/api/v1/webhooks/" + id, server.key).status()).isEqualTo(204);
            assertThat(server.api.get("/api/v1/webhooks/" + id, server.key).status()).isEqualTo(404);
            assertThat(messages(server)).isEmpty();
        }
    }
}
