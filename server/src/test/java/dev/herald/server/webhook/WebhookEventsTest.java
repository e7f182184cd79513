package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every event type reaches the receiver with its data; webhook URLs follow the push endpoints' request-forgery policy. */
class WebhookEventsTest {

    @ParameterizedTest
    @EnumSource(Backend.class)
    void everyEventTypeArrivesWithItsData(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService();
                WebhookReceiver receiver = new WebhookReceiver();
                TestServer server = new TestServer(backend)) {
            WebhookDeliveryTest.createWebhook(server, receiver, Arrays.stream(EventType.values()).map(EventType::wire).toList());
            push.respond(ex -> switch (ex.getRequestURI().getPath()) {
                case "/ben" -> new ScriptedPushService.Reply(410, Map.of(), "");
                case "/cat" -> new ScriptedPushService.Reply(413, Map.of(), "");
                default -> new ScriptedPushService.Reply(201, Map.of("Location", "/m/1"), "");
            });
            String ann = server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate());
            String ben = server.subscribe("ben", push.endpoint("/ben").toString(), UserAgentKeys.generate());
            String cat = server.subscribe("cat", push.endpoint("/cat").toString(), UserAgentKeys.generate());
            String n = server.send(Map.of("all", true), "hello", Map.of());
            Eventually.until("all answered", () -> server.count(n, "sent") + server.count(n, "gone") + server.count(n, "failed") == 3);

            for (String type : List.of("shown", "clicked", "closed")) {
                assertThat(server.api.post("/api/v1/events", server.userToken("ann"), Map.of("notificationId", n, "type", type))
                        .status()).isEqualTo(202);
            }
            assertThat(server.api.delete("/api/v1/subscriptions/" + cat, server.userToken("cat")).status()).isEqualTo(204);
            Api.Response sync = server.api.post("/api/v1/sync/posts/mutations", server.userToken("ann"), Map.of("mutations",
                    List.of(Map.of("id", "p1", "op", "upsert", "doc", Map.of("text", "hi"), "baseVersion", 3))));
            assertThat(sync.json().at("/results/0/status").asText()).isEqualTo("conflict");

            Eventually.until("all events", java.time.Duration.ofSeconds(60), () -> Arrays.stream(EventType.values())
                    .allMatch(t -> !receiver.accepted(t.wire()).isEmpty()), () -> receiver.received);
            assertThat(receiver.received).allSatisfy(m -> assertThat(m.signatureValid()).isTrue());

            assertThat(receiver.accepted("subscription.created")).extracting(e -> e.at("/data/subscriptionId").asText())
                    .containsExactlyInAnyOrder(ann, ben, cat);
            JsonNode sent = one(receiver, "delivery.sent");
            assertThat(sent.at("/data/subscriptionId").asText()).isEqualTo(ann);
            assertThat(sent.at("/data/notificationId").asText()).isEqualTo(n);
            assertThat(sent.at("/data/status").asInt()).isEqualTo(201);
            JsonNode gone = one(receiver, "delivery.gone");
            assertThat(gone.at("/data/subscriptionId").asText()).isEqualTo(ben);
            assertThat(gone.at("/data/userId").asText()).isEqualTo("ben");
            JsonNode failed = one(receiver, "delivery.failed");
            assertThat(failed.at("/data/subscriptionId").asText()).isEqualTo(cat);
            assertThat(failed.at("/data/status").asInt()).isEqualTo(413);
            assertThat(receiver.accepted("subscription.deleted")).extracting(e -> e.at("/data/subscriptionId").asText() + " "
                    + e.at("/data/reason").asText()).containsExactlyInAnyOrder(ben + " gone", cat + " unsubscribed");
            for (String type : List.of("notification.shown", "notification.clicked", "notification.closed")) {
                JsonNode e = one(receiver, type);
                assertThat(e.at("/data/notificationId").asText()).isEqualTo(n);
                assertThat(e.at("/data/subscriptionId").asText()).isEqualTo(ann);
                assertThat(e.at("/data/userId").asText()).isEqualTo("ann");
            }
            JsonNode conflict = one(receiver, "sync.conflict");
            assertThat(conflict.at("/data/collection").asText()).isEqualTo("posts");
            assertThat(conflict.at("/data/documentId").asText()).isEqualTo("p1");
            assertThat(conflict.at("/data/userId").asText()).isEqualTo("ann");
            assertThat(conflict.at("/data/status").asText()).isEqualTo("conflict");
            assertThat(receiver.received.stream().flatMap(m -> m.events().stream()).map(e -> e.get("id").asText()).distinct().count())
                    .as("every event has its own id").isEqualTo(receiver.received.stream().mapToLong(m -> m.events().size()).sum());
        }
    }

    private static JsonNode one(WebhookReceiver receiver, String type) {
        List<JsonNode> events = receiver.accepted(type);
        assertThat(events).as(type).hasSize(1);
        return events.get(0);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void webhookUrlsFollowTheRequestForgeryPolicyAtCreationAndAtSendTime(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.ALLOW_PRIVATE_ENDPOINTS, "false"))) {
            for (String url : List.of("http://hooks.example.com/h", "https://10.0.0.1/h", "https://127.0.0.1/h",
                    "https://hooks.example.test/h", "https://user@hooks.example.com/h", "/relative", "https://[::1]/h")) {
                Api.Response r = server.api.post("/api/v1/webhooks", server.key, Map.of("url", url, "events", List.of("delivery.sent")));
                assertThat(r.status()).as(url).isEqualTo(422);
                assertThat(r.json().get("code").asText()).as(url).isEqualTo("webhook-url-not-allowed");
            }
            Api.Response unknownType = server.api.post("/api/v1/webhooks", server.key, Map.of("url", "https://hooks.example.com/h",
                    "events", List.of("delivery.teleported")));
            assertThat(unknownType.status()).isEqualTo(422);
            assertThat(unknownType.json().get("field").asText()).isEqualTo("events");
            assertThat(server.api.post("/api/v1/webhooks", server.userToken("ann"), Map.of("url", "https://hooks.example.com/h",
                    "events", List.of("delivery.sent"))).status()).isEqualTo(403);
            assertThat(server.api.get("/api/v1/webhooks", null).status()).isEqualTo(401);

            Api.Response created = server.api.post("/api/v1/webhooks", server.key, Map.of("url", "https://rebind.example.com/h",
                    "events", List.of("subscription.created")));
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            // The host now points inside the network (DNS rebinding): the send is refused, and retried later.
            server.dns.put("rebind.example.com", InetAddress.getByAddress("rebind.example.com", new byte[] {10, 0, 0, 5}));
            server.subscribe("ann", "https://fcm.googleapis.com/fcm/send/ann", UserAgentKeys.generate());
            Eventually.until("refused at send time", () -> WebhookDeliveryTest.messages(server).stream()
                    .anyMatch(r -> r.lastError() != null && r.lastError().contains("now resolves to a private or local address")));
        }
    }
}
