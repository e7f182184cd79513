package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldApp;
import dev.herald.server.auth.Scope;
import dev.herald.server.config.Option;
import dev.herald.server.config.SettingsLoader;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.webpush.UserAgentKeys;
import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL database share the outbox: events made on either node reach the receiver, each
 * message is sent by one node at a time and, with a receiver that always accepts, exactly once.
 */
class WebhookMultiNodeTest {
    private static final int SUBSCRIPTIONS = 120;

    @Test
    void twoNodesSendEachMessageOnceAndNeverConcurrently() throws Exception {
        try (Backend.TestDatabases databases = new Backend.TestDatabases(); WebhookReceiver receiver = new WebhookReceiver()) {
            SettingsLoader shared = Backend.POSTGRES.database(Files.createTempDirectory("wh-node-a"), databases)
                    .with(Option.PORT, "0").with(Option.HOST, "127.0.0.1").with(Option.ALLOW_PRIVATE_ENDPOINTS, "true")
                    .with(Option.VAPID_SUBJECT, "mailto:tests@herald.example")
                    .with(Option.USER_TOKEN_SECRET, "0123456789abcdef0123456789abcdef")
                    .with(Option.RATE_LIMIT_SUBSCRIBE, "off");
            try (HeraldApp nodeA = HeraldApp.start(shared.build())) {
                String key = nodeA.apiKeys().create("multi", EnumSet.of(Scope.MANAGE)).key();
                Api apiA = new Api("http://127.0.0.1:" + nodeA.port());
                Api.Response created = apiA.post("/api/v1/webhooks", key, Map.of("url", receiver.url(),
                        "events", List.of("subscription.created")));
                assertThat(created.status()).isEqualTo(201);
                receiver.secret(created.json().get("secret").asText());
                // Node B starts after the endpoint exists, so it queues events for it from its first request.
                try (HeraldApp nodeB = HeraldApp.start(shared.with(Option.DATA_DIR, Files.createTempDirectory("wh-node-b").toString())
                        .build())) {
                    Api apiB = new Api("http://127.0.0.1:" + nodeB.port());
                    UserAgentKeys browser = UserAgentKeys.generate();
                    for (int i = 0; i < SUBSCRIPTIONS; i++) {
                        HeraldApp node = i % 2 == 0 ? nodeA : nodeB;
                        Api.Response r = (i % 2 == 0 ? apiA : apiB).post("/api/v1/subscriptions",
                                node.userTokens().mint("u" + i, Duration.ofHours(1)).token(), Map.of("subscription", Map.of(
                                        "endpoint", "http://127.0.0.1:9/p" + i, "keys", Map.of("p256dh", browser.p256dh(),
                                                "auth", browser.authBase64Url()))));
                        assertThat(r.status()).as(r.text()).isEqualTo(201);
                    }
                    Eventually.until("every subscription.created", Duration.ofSeconds(60),
                            () -> receiver.accepted("subscription.created").size() >= SUBSCRIPTIONS, () -> receiver.received.size());
                    assertThat(receiver.accepted("subscription.created")).extracting(e -> e.get("id").asText())
                            .hasSize(SUBSCRIPTIONS).doesNotHaveDuplicates();
                    assertThat(receiver.received).extracting(WebhookReceiver.Message::id).doesNotHaveDuplicates();
                    assertThat(receiver.received).allSatisfy(m -> assertThat(m.signatureValid()).isTrue());
                    assertThat(receiver.maxConcurrentPerId.get()).isEqualTo(1);
                    System.out.printf("webhooks on two nodes: %d events in %d messages, none twice%n", SUBSCRIPTIONS,
                            receiver.received.size());
                }
            }
        }
    }
}
