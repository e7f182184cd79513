package dev.herald.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each limited route answers 429 rate-limited with Retry-After once its bucket is empty, has no effect then, and
 * works again when the clock has moved. Rate limits live in memory, so one backend is enough here.
 */
class RateLimitApiTest {
    private static final String FCM = "https://fcm.googleapis.com/fcm/send/";
    private static final UserAgentKeys KEYS = UserAgentKeys.generate();

    private static Map<String, Object> subscription(String endpoint) {
        return Map.of("subscription", Map.of("endpoint", FCM + endpoint, "keys", Map.of("p256dh", KEYS.p256dh(),
                "auth", KEYS.authBase64Url())));
    }

    private static void assertRateLimited(Api.Response r, String retryAfter) {
        assertThat(r.status()).as(r.toString()).isEqualTo(429);
        assertThat(r.contentType()).isEqualTo("application/problem+json");
        assertThat(r.json().get("code").asText()).isEqualTo("rate-limited");
        assertThat(r.headers().firstValue("Retry-After")).hasValue(retryAfter);
    }

    @Test
    void subscriptionsPerUserAndPerForwardedAddress() {
        try (TestServer server = new TestServer(Backend.SQLITE, s -> s.with(Option.RATE_LIMIT_SUBSCRIBE, "user:2/1h,address:3/1h")
                .with(Option.TRUSTED_PROXIES, "127.0.0.1"))) {
            String ada = server.userToken("ada");
            Map<String, String> from1 = Map.of("X-Forwarded-For", "198.51.100.1");
            assertThat(server.api.post("/api/v1/subscriptions", ada, subscription("a1"), from1).status()).isEqualTo(201);
            assertThat(server.api.post("/api/v1/subscriptions", ada, subscription("a2"), from1).status()).isEqualTo(201);
            Map<String, String> keyed = Map.of("X-Forwarded-For", "198.51.100.1", "Idempotency-Key", "\"k1\"");
            assertRateLimited(server.api.post("/api/v1/subscriptions", ada, subscription("a3"), keyed), "1800");
            assertThat(server.api.post("/api/v1/subscriptions", server.userToken("bob"), subscription("b1"), from1).status())
                    .as("bob has his own bucket; the address has one token left").isEqualTo(201);
            assertRateLimited(server.api.post("/api/v1/subscriptions", server.userToken("cy"), subscription("c1"), from1), "1200");
            assertThat(server.api.post("/api/v1/subscriptions", server.userToken("cy"), subscription("c1"),
                    Map.of("X-Forwarded-For", "198.51.100.2")).status()).as("another client behind the proxy").isEqualTo(201);

            server.clock.advance(Duration.ofMinutes(30));
            Api.Response retried = server.api.post("/api/v1/subscriptions", ada, subscription("a3"), keyed);
            assertThat(retried.status()).as("the refused request stored nothing under its Idempotency-Key").isEqualTo(201);
            assertThat(retried.headers().firstValue("Idempotency-Replayed")).isEmpty();
        }
    }

    @Test
    void tokenMintsPerUserAndPerApiKey() {
        try (TestServer server = new TestServer(Backend.SQLITE, s -> s.with(Option.RATE_LIMIT_TOKEN_MINT, "user:2/1h,key:4/1m"))) {
            assertThat(server.api.post("/api/v1/users/ada/tokens", server.key, Map.of()).status()).isEqualTo(201);
            assertThat(server.api.post("/api/v1/users/ada/tokens", server.key, Map.of()).status()).isEqualTo(201);
            assertRateLimited(server.api.post("/api/v1/users/ada/tokens", server.key, Map.of()), "1800");
            assertThat(server.api.post("/api/v1/users/bob/tokens", server.key, Map.of()).status()).isEqualTo(201);
            assertThat(server.api.post("/api/v1/users/cy/tokens", server.key, Map.of()).status())
                    .as("ada's refused mint did not cost the key a token").isEqualTo(201);
            assertRateLimited(server.api.post("/api/v1/users/dan/tokens", server.key, Map.of()), "15");
            server.clock.advance(Duration.ofSeconds(15));
            assertThat(server.api.post("/api/v1/users/dan/tokens", server.key, Map.of()).status()).isEqualTo(201);
        }
    }

    @Test
    void syncCountsEachMutationAndARefusedBatchAppliesNothing() {
        try (TestServer server = new TestServer(Backend.SQLITE, s -> s.with(Option.RATE_LIMIT_SYNC, "user:5/1h")
                .with(Option.SYNC_COLLECTIONS, "notes:private"))) {
            String ada = server.userToken("ada");
            assertThat(server.api.post("/api/v1/sync/notes/mutations", ada, batch("a", 3)).status()).isEqualTo(200);
            assertRateLimited(server.api.post("/api/v1/sync/notes/mutations", ada, batch("b", 3)), "720");
            assertThat(server.api.get("/api/v1/sync/notes/changes", ada).json().get("changes")).hasSize(3);
            assertThat(server.api.post("/api/v1/sync/notes/mutations", server.userToken("bob"), batch("c", 5)).status()).isEqualTo(200);
            server.clock.advance(Duration.ofMinutes(12));
            assertThat(server.api.post("/api/v1/sync/notes/mutations", ada, batch("b", 3)).status()).isEqualTo(200);
        }
    }

    private static Map<String, Object> batch(String prefix, int n) {
        List<Map<String, Object>> mutations = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            mutations.add(Map.of("id", prefix + i, "op", "upsert", "doc", Map.of("text", "note " + i)));
        }
        return Map.of("mutations", mutations);
    }

    @Test
    void demoSignInsPerAddress() {
        try (TestServer server = new TestServer(Backend.SQLITE, s -> s.with(Option.DEMO, "true")
                .with(Option.RATE_LIMIT_SIGN_IN, "address:2/1m"))) {
            assertThat(server.api.post("/demo/api/sign-in", null, Map.of("name", "Ada")).status()).isEqualTo(200);
            assertThat(server.api.post("/demo/api/sign-in", null, Map.of("name", "Bob")).status()).isEqualTo(200);
            assertRateLimited(server.api.post("/demo/api/sign-in", null, Map.of("name", "Cy")), "30");
        }
    }

    @Test
    void eventsPerUserAndPerReceipt() throws Exception {
        try (ScriptedPushService push = new ScriptedPushService();
                TestServer server = new TestServer(Backend.SQLITE, s -> s.with(Option.RATE_LIMIT_EVENTS, "user:2/1h"))) {
            UserAgentKeys phone = UserAgentKeys.generate();
            server.subscribe("ann", push.endpoint("/ann").toString(), phone);
            String id = server.send(Map.of("userIds", List.of("ann")), "hi", Map.of());
            Eventually.until("sent", () -> server.count(id, "sent") == 1);
            String receipt = new ObjectMapper().readTree(phone.decrypt(push.received.get(0).body())).at("/herald/receipt").asText();
            String ann = server.userToken("ann");

            assertThat(server.api.post("/api/v1/events", ann, Map.of("notificationId", id, "type", "received")).status()).isEqualTo(202);
            assertThat(server.api.post("/api/v1/events", ann, Map.of("notificationId", id, "type", "shown")).status()).isEqualTo(202);
            assertRateLimited(server.api.post("/api/v1/events", ann, Map.of("notificationId", id, "type", "clicked")), "1800");
            Map<String, Object> byReceipt = Map.of("notificationId", id, "type", "clicked", "receipt", receipt);
            assertThat(server.api.post("/api/v1/events", null, byReceipt).status()).as("the receipt's own bucket").isEqualTo(202);
            assertThat(server.api.post("/api/v1/events", null, byReceipt).status()).isEqualTo(200);
            assertRateLimited(server.api.post("/api/v1/events", null, byReceipt), "1800");
            assertThat(server.count(id, "clicked")).isEqualTo(1);
        }
    }
}
