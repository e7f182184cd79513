package dev.herald.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.UserAgentKeys;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SubscriptionApiTest {
    private static final String FCM = "https://fcm.googleapis.com/fcm/send/";

    private static Map<String, Object> body(String endpoint, UserAgentKeys keys, Map<String, Object> extra) {
        Map<String, Object> b = new java.util.HashMap<>(extra);
        b.put("subscription", Map.of("endpoint", endpoint, "expirationTime", 1_800_000_000_000L,
                "keys", Map.of("p256dh", keys.p256dh(), "auth", keys.authBase64Url())));
        return b;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void subscribeUpsertsByEndpointAndOnlyTheOwnerOrAManagerMayDelete(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            UserAgentKeys keys = UserAgentKeys.generate();
            Api.Response created = server.api.post("/api/v1/subscriptions", server.userToken("ada"),
                    body(FCM + "dev1", keys, Map.of("timezone", "Europe/Berlin", "locale", "de-DE", "topics", List.of("news", "news", "posts"))));
            UserAgentKeys rotated = UserAgentKeys.generate();
            Api.Response updated = server.api.post("/api/v1/subscriptions", server.userToken("ada"), body(FCM + "dev1", rotated, Map.of()));
            Api.Response takenOver = server.api.post("/api/v1/subscriptions", server.userToken("bob"), body(FCM + "dev1", rotated, Map.of()));

            assertThat(created.status()).isEqualTo(201);
            String id = created.json().get("id").asText();
            assertThat(created.json().get("userId").asText()).isEqualTo("ada");
            assertThat(created.json().get("timezone").asText()).isEqualTo("Europe/Berlin");
            assertThat(created.json().get("topics")).hasSize(2);
            assertThat(created.json().get("expirationTime").asText()).isEqualTo("2027-01-15T08:00:00Z");
            assertThat(created.text()).doesNotContain(keys.authBase64Url());
            assertThat(updated.status()).isEqualTo(200);
            assertThat(updated.json().get("id").asText()).isEqualTo(id);
            assertThat(takenOver.json().get("userId").asText()).as("a new sign-in on the browser takes it over").isEqualTo("bob");

            assertThat(server.api.delete("/api/v1/subscriptions/" + id, server.userToken("ada")).status()).isEqualTo(404);
            assertThat(server.api.delete("/api/v1/subscriptions/" + id, server.userToken("bob")).status()).isEqualTo(204);
            assertThat(server.api.delete("/api/v1/subscriptions/" + id, server.userToken("bob")).status()).isEqualTo(404);

            String other = server.api.post("/api/v1/subscriptions", server.userToken("cy"), body(FCM + "dev2", keys, Map.of()))
                    .json().get("id").asText();
            assertThat(server.api.delete("/api/v1/subscriptions/" + other, server.key).status()).isEqualTo(204);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void subscriptionsPerUserAreLimited(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.MAX_SUBSCRIPTIONS_PER_USER, "2"))) {
            String token = server.userToken("dan");
            UserAgentKeys keys = UserAgentKeys.generate();
            assertThat(server.api.post("/api/v1/subscriptions", token, body(FCM + "a", keys, Map.of())).status()).isEqualTo(201);
            assertThat(server.api.post("/api/v1/subscriptions", token, body(FCM + "b", keys, Map.of())).status()).isEqualTo(201);

            Api.Response third = server.api.post("/api/v1/subscriptions", token, body(FCM + "c", keys, Map.of()));
            Api.Response again = server.api.post("/api/v1/subscriptions", token, body(FCM + "a", keys, Map.of()));

            assertThat(third.status()).isEqualTo(429);
            assertThat(third.json().get("code").asText()).isEqualTo("subscription-limit");
            assertThat(again.status()).as("re-subscribing an existing endpoint is not a new one").isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anonymousSubscriptionsOnlyWhenConfigured(Backend backend) {
        UserAgentKeys keys = UserAgentKeys.generate();
        try (TestServer closed = new TestServer(backend)) {
            assertThat(closed.api.post("/api/v1/subscriptions", null, body(FCM + "x", keys, Map.of())).status()).isEqualTo(401);
        }
        try (TestServer open = new TestServer(backend, s -> s.with(Option.ANONYMOUS_SUBSCRIPTIONS, "true"))) {
            Api.Response r = open.api.post("/api/v1/subscriptions", null, body(FCM + "x", keys, Map.of()));
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.json().has("userId")).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void configTellsTheSdkTheVapidKeyAndTokensCanBeMinted(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            Api.Response config = server.api.get("/api/v1/config", null);
            Api.Response token = server.api.post("/api/v1/users/erin/tokens", server.key, Map.of("ttl", 600));

            assertThat(config.json().get("vapidPublicKey").asText()).isEqualTo(server.app.vapidPublicKey());
            assertThat(token.status()).isEqualTo(201);
            assertThat(server.app.userTokens().verify(token.json().get("token").asText())).isEqualTo("erin");
            assertThat(token.json().get("expiresAt").asText()).isEqualTo("2026-11-23T10:10:00Z");
        }
    }
}
