package dev.herald.server.digest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldApp;
import dev.herald.server.auth.Scope;
import dev.herald.server.config.Option;
import dev.herald.server.config.Settings;
import dev.herald.server.config.SettingsLoader;
import dev.herald.server.http.Json;
import dev.herald.server.preference.DeliveryGate;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.MutableClock;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Exactly one digest per user, key and window, however many triggers race for it, on one node or two. */
class DigestConcurrencyTest {
    private static final int TRIGGERS = 50;
    private static final Map<String, Object> DIGEST = Map.of("key", "posts", "window", 600, "max", 3);

    private static int rows(HeraldApp app, String sql) {
        return app.database().jdbi().withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }

    /** Fires {@code TRIGGERS} sends at once, alternating between the given APIs; returns their notification ids. */
    private static List<String> fire(List<Api> nodes, String key) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> sent = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(TRIGGERS)) {
            for (int i = 0; i < TRIGGERS; i++) {
                Api api = nodes.get(i % nodes.size());
                int n = i;
                sent.add(pool.submit(() -> {
                    go.await();
                    Api.Response r = api.post("/api/v1/notifications", key, Map.of("audience", Map.of("userIds", List.of("ann")),
                            "payload", Map.of("title", "post " + n), "digest", DIGEST));
                    assertThat(r.status()).as(r.toString()).isEqualTo(202);
                    return r.json().get("id").asText();
                }));
            }
            go.countDown();
            List<String> ids = new ArrayList<>();
            for (Future<String> f : sent) {
                ids.add(f.get());
            }
            return ids;
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void fiftyHoldsRacingInTheirOwnTransactionsShareOneWindow(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend)) {
            String subscription = server.subscribe("ann", "http://127.0.0.1:9/ann", UserAgentKeys.generate());
            // Scheduled far ahead so the engine leaves them alone; the holds below are the racing fan-outs.
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < TRIGGERS; i++) {
                ids.add(server.send(Map.of("userIds", List.of("ann")), "post " + i, Map.of("digest", DIGEST,
                        "sendAt", server.clock.instant().plus(Duration.ofDays(300)).toString())));
            }
            Digests digests = new Digests(server.app.database().jdbi(), server.clock);
            List<DeliveryGate.Recipient> page = List.of(new DeliveryGate.Recipient(subscription, "ann", null));
            CountDownLatch go = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newFixedThreadPool(TRIGGERS)) {
                List<Future<Boolean>> held = new ArrayList<>();
                for (String id : ids) {
                    held.add(pool.submit(() -> {
                        go.await();
                        return server.app.database().jdbi().inTransaction(h -> digests.hold(h, id, page, server.clock.millis()));
                    }));
                }
                go.countDown();
                for (Future<Boolean> f : held) {
                    assertThat(f.get()).isTrue();
                }
            }
            assertThat(rows(server.app, "SELECT COUNT(*) FROM digests")).isEqualTo(1);
            assertThat(rows(server.app, "SELECT COUNT(*) FROM digest_items")).isEqualTo(TRIGGERS);
            assertThat(rows(server.app, "SELECT COUNT(*) FROM digest_targets")).isEqualTo(1);
        }
    }

    @Test
    void fiftyConcurrentTriggersOnOneSqliteNodeSendOneDigest() throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(Backend.SQLITE)) {
            UserAgentKeys browser = UserAgentKeys.generate();
            server.subscribe("ann", push.endpoint("/ann").toString(), browser);
            List<String> ids = fire(List.of(server.api), server.key);
            Eventually.until("all held", () -> rows(server.app, "SELECT COUNT(*) FROM digest_items") == TRIGGERS);
            server.advance(Duration.ofSeconds(600));
            Eventually.until("sent", () -> push.received.size() == 1);
            assertThat(rows(server.app, "SELECT COUNT(*) FROM digests")).isEqualTo(1);
            var message = Json.MAPPER.readTree(browser.decrypt(push.received.getFirst().body()));
            assertThat(message.at("/notification/title").asText()).isEqualTo(TRIGGERS + " new notifications");
            assertThat(message.at("/herald/data/digest/count").asInt()).isEqualTo(TRIGGERS);
            assertThat(ids).hasSize(TRIGGERS);
        }
    }

    @Test
    void fiftyConcurrentTriggersOnTwoPostgresNodesSendOneDigest() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
        try (ScriptedPushService push = new ScriptedPushService(); Backend.TestDatabases databases = new Backend.TestDatabases()) {
            SettingsLoader shared = Backend.POSTGRES.database(Files.createTempDirectory("digest-a"), databases)
                    .with(Option.PORT, "0").with(Option.HOST, "127.0.0.1").with(Option.ALLOW_PRIVATE_ENDPOINTS, "true")
                    .with(Option.VAPID_SUBJECT, "mailto:tests@herald.example");
            Settings a = shared.build();
            HeraldApp.start(a, clock, host -> new InetAddress[] {InetAddress.getLoopbackAddress()}).close(); // makes the keys
            var dirB = Files.createTempDirectory("digest-b");
            Files.copy(a.dataDir().resolve("keys.json"), dirB.resolve("keys.json")); // one deployment, one set of keys
            Settings b = shared.with(Option.DATA_DIR, dirB.toString()).build();
            try (HeraldApp nodeA = HeraldApp.start(a, clock, host -> new InetAddress[] {InetAddress.getLoopbackAddress()});
                    HeraldApp nodeB = HeraldApp.start(b, clock, host -> new InetAddress[] {InetAddress.getLoopbackAddress()})) {
                String key = nodeA.apiKeys().create("digest", EnumSet.of(Scope.SEND)).key();
                Api apiA = new Api("http://127.0.0.1:" + nodeA.port());
                Api apiB = new Api("http://127.0.0.1:" + nodeB.port());
                UserAgentKeys phone = UserAgentKeys.generate();
                UserAgentKeys laptop = UserAgentKeys.generate();
                for (var device : List.of(Map.entry("/ann/phone", phone), Map.entry("/ann/laptop", laptop))) {
                    Api.Response r = apiA.post("/api/v1/subscriptions", nodeA.userTokens().mint("ann", Duration.ofHours(1)).token(),
                            Map.of("subscription", Map.of("endpoint", push.endpoint(device.getKey()).toString(), "keys",
                                    Map.of("p256dh", device.getValue().p256dh(), "auth", device.getValue().authBase64Url()))));
                    assertThat(r.status()).isEqualTo(201);
                }
                fire(List.of(apiA, apiB), key);
                Eventually.until("all held", () -> rows(nodeA, "SELECT COUNT(*) FROM digest_items") == TRIGGERS);
                clock.advance(Duration.ofSeconds(600));
                nodeA.wakeDelivery();
                nodeB.wakeDelivery();
                Eventually.until("sent to both devices", () -> push.received.size() == 2);
                assertThat(rows(nodeA, "SELECT COUNT(*) FROM digests")).isEqualTo(1);
                assertThat(rows(nodeA, "SELECT item_count FROM digests")).isEqualTo(TRIGGERS);
                nodeA.wakeDelivery();
                nodeB.wakeDelivery();
                assertThat(nodeA.releaseDigests() + nodeB.releaseDigests()).isZero();
                assertThat(push.received).extracting(ScriptedPushService.Received::path)
                        .containsExactlyInAnyOrder("/ann/phone", "/ann/laptop");
                var message = Json.MAPPER.readTree(phone.decrypt(push.received.stream()
                        .filter(r -> r.path().equals("/ann/phone")).findFirst().orElseThrow().body()));
                assertThat(message.at("/herald/data/digest/count").asInt()).isEqualTo(TRIGGERS);
            }
        }
    }
}
