package dev.herald.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldApp;
import dev.herald.server.auth.Scope;
import dev.herald.server.config.Option;
import dev.herald.server.config.Settings;
import dev.herald.server.config.SettingsLoader;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.CountingPushService;
import dev.herald.server.testing.Eventually;
import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL database share the queue: between them every subscription gets the notification
 * exactly once (claims skip rows the other node holds). How the work split is printed.
 */
class MultiNodeTest {
    private static final int SUBSCRIPTIONS = 3_000;

    /** The node's own count of sent deliveries, from its Prometheus metrics. */
    private static long sentBy(Api node) {
        return node.get("/metrics", null).text().lines()
                .filter(l -> l.startsWith("herald_deliveries_total{") && l.contains("outcome=\"sent\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void twoNodesDeliverEachSubscriptionExactlyOnce() throws Exception {
        CountingPushService push = new CountingPushService(0);
        Map<String, AtomicInteger> received = push.received;
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            SettingsLoader shared = Backend.POSTGRES.database(Files.createTempDirectory("node-a"), databases)
                    .with(Option.PORT, "0").with(Option.HOST, "127.0.0.1").with(Option.ALLOW_PRIVATE_ENDPOINTS, "true")
                    .with(Option.VAPID_SUBJECT, "mailto:tests@herald.example").with(Option.DELIVERY_BATCH, "50")
                    .with(Option.DELIVERY_CONCURRENCY, "16");
            Settings a = shared.build();
            // Node B: same database and the same keys (as a multi-node deployment must configure them)
            try (HeraldApp nodeA = HeraldApp.start(a)) {
                String keysJson = Files.readString(a.dataDir().resolve("keys.json"));
                var keys = dev.herald.server.http.Json.MAPPER.readTree(keysJson);
                Settings b = shared.with(Option.DATA_DIR, Files.createTempDirectory("node-b").toString())
                        .with(Option.VAPID_PUBLIC_KEY, keys.get("vapidPublicKey").asText())
                        .with(Option.VAPID_PRIVATE_KEY, keys.get("vapidPrivateKey").asText())
                        .with(Option.USER_TOKEN_SECRET, "0123456789abcdef0123456789abcdef").build();
                try (HeraldApp nodeB = HeraldApp.start(b)) {
                    push.seed(nodeA.database().jdbi(), "MULTI", SUBSCRIPTIONS);
                    String key = nodeA.apiKeys().create("multi", EnumSet.of(Scope.SEND)).key();
                    Api api = new Api("http://127.0.0.1:" + nodeA.port());
                    String id = api.post("/api/v1/notifications", key, Map.of("audience", Map.of("all", true),
                            "payload", Map.of("title", "both nodes"))).json().get("id").asText();
                    nodeB.wakeDelivery();

                    Eventually.until("all delivered", Duration.ofSeconds(60),
                            () -> api.get("/api/v1/notifications/" + id, key).json().at("/counts/sent").asInt() == SUBSCRIPTIONS,
                            () -> api.get("/api/v1/notifications/" + id, key).text());

                    assertThat(received).hasSize(SUBSCRIPTIONS);
                    assertThat(received.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
                    long byA = sentBy(api);
                    long byB = sentBy(new Api("http://127.0.0.1:" + nodeB.port()));
                    System.out.printf("multi-node: %d subscriptions, node A sent %d, node B sent %d, no duplicates%n",
                            SUBSCRIPTIONS, byA, byB);
                    assertThat(byA + byB).isEqualTo(SUBSCRIPTIONS);
                }
            }
        } finally {
            push.close();
        }
    }
}
