package dev.herald.server.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Replays of a queued action take effect once, on SQLite and PostgreSQL. */
class IdempotencyTest {
    private static final String MUTATIONS = "/api/v1/sync/posts/mutations";

    private static Map<String, Object> post(String id, String text) {
        return Map.of("mutations", List.of(Map.of("id", id, "op", "upsert", "baseVersion", 0,
                "doc", Map.of("text", text, "author", "ada"))));
    }

    private static Map<String, String> key(String k) {
        return Map.of("Idempotency-Key", "\"" + k + "\"");
    }

    private static long documents(TestServer server) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM sync_documents").mapTo(Long.class).one());
    }

    private static long notifications(TestServer server) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM notifications").mapTo(Long.class).one());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sameBatchReplayedAThousandTimesInARowTakesEffectOnce(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            String token = server.userToken("ada");
            Api.Response first = server.api.post(MUTATIONS, token, post("p1", "hello"), key("k-1"));
            for (int i = 0; i < 999; i++) {
                Api.Response again = server.api.post(MUTATIONS, token, post("p1", "hello"), key("k-1"));
                assertThat(again.status()).isEqualTo(200);
                assertThat(again.text()).isEqualTo(first.text());
                assertThat(again.headers().firstValue("Idempotency-Replayed")).contains("true");
            }

            assertThat(first.json().at("/results/0/status").asText()).isEqualTo("applied");
            assertThat(first.json().at("/results/0/version").asLong()).isPositive();
            assertThat(first.headers().firstValue("Idempotency-Replayed")).isEmpty();
            assertThat(documents(server)).isEqualTo(1);
            assertThat(notifications(server)).as("the new post notified once").isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aThousandReplaysFiftyAtATimeTakeEffectOnceWithIdenticalResponses(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend); ExecutorService pool = Executors.newFixedThreadPool(50)) {
            String token = server.userToken("ada");
            Set<String> bodies = ConcurrentHashMap.newKeySet();
            List<Future<Integer>> conflicts = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                conflicts.add(pool.submit(() -> {
                    int inFlight = 0;
                    while (true) {
                        Api.Response r = server.api.post(MUTATIONS, token, post("p9", "concurrent"), key("k-9"));
                        if (r.status() == 409) {
                            assertThat(r.json().get("code").asText()).isEqualTo("idempotency-in-flight");
                            assertThat(r.headers().firstValue("Retry-After")).contains("1");
                            inFlight++;
                            continue; // a real client waits Retry-After; the test retries at once to stay fast
                        }
                        assertThat(r.status()).isEqualTo(200);
                        bodies.add(r.text());
                        return inFlight;
                    }
                }));
            }
            int totalInFlight = 0;
            for (Future<Integer> f : conflicts) {
                totalInFlight += f.get();
            }

            assertThat(bodies).hasSize(1);
            assertThat(bodies.iterator().next()).contains("\"status\":\"applied\"");
            assertThat(documents(server)).isEqualTo(1);
            System.out.printf("idempotency (%s): 1000 replays, 50 concurrent: one effect, %d answered 409 in flight first%n",
                    backend, totalInFlight);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void reusingAKeyForAnotherBodyIs422(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            String token = server.userToken("ada");
            server.api.post(MUTATIONS, token, post("p1", "hello"), key("k-2"));

            Api.Response other = server.api.post(MUTATIONS, token, post("p1", "changed"), key("k-2"));

            assertThat(other.status()).isEqualTo(422);
            assertThat(other.json().get("code").asText()).isEqualTo("idempotency-key-reused");
            assertThat(documents(server)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void reusingAKeyForAnotherQueryStringIs422AndNeverReplaysTheOtherUsersAnswer(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(dev.herald.server.config.Option.SYNC_COLLECTIONS, "notes:private"))) {
            String notes = "/api/v1/sync/notes/mutations";
            Api.Response alice = server.api.post(notes + "?userId=alice", server.key, post("n1", "hello"), key("k-q"));

            Api.Response bob = server.api.post(notes + "?userId=bob", server.key, post("n1", "hello"), key("k-q"));

            assertThat(alice.status()).as(alice.toString()).isEqualTo(200);
            assertThat(bob.status()).as(bob.toString()).isEqualTo(422);
            assertThat(bob.json().get("code").asText()).isEqualTo("idempotency-key-reused");
            assertThat(bob.headers().firstValue("Idempotency-Replayed")).isEmpty();
            Api.Response bobFresh = server.api.post(notes + "?userId=bob", server.key, post("n1", "hello"), key("k-q2"));
            assertThat(bobFresh.json().at("/results/0/status").asText()).isEqualTo("applied");
            assertThat(documents(server)).as("one note for alice, one for bob").isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aRetryWhileTheFirstIsInFlightIs409AndAnAbandonedOneIsTakenOver(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            long now = server.clock.millis();
            server.app.database().jdbi().useHandle(h -> h.createUpdate("INSERT INTO idempotency_keys (scope, idem_key, fingerprint, "
                    + "state, lease_until, expires_at) VALUES ('user:ada', 'k-3', 'x', 'in_flight', ?, ?)")
                    .bind(0, now + 60_000).bind(1, now + 86_400_000).execute());

            Api.Response busy = server.api.post(MUTATIONS, server.userToken("ada"), post("p3", "x"), key("k-3"));
            server.advance(Duration.ofSeconds(61)); // the first request's process died: its lease ran out
            Api.Response taken = server.api.post(MUTATIONS, server.userToken("ada"), post("p3", "x"), key("k-3"));

            assertThat(busy.status()).isEqualTo(409);
            assertThat(busy.headers().firstValue("Retry-After")).contains("1");
            assertThat(taken.status()).isEqualTo(200);
            assertThat(taken.json().at("/results/0/status").asText()).isEqualTo("applied");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void keysExpireAfterRetentionAndArePruned(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            server.api.post(MUTATIONS, server.userToken("ada"), post("p4", "first"), key("k-4"));
            server.advance(Duration.ofHours(23));
            Api.Response stillKept = server.api.post(MUTATIONS, server.userToken("ada"), post("p4", "other body"), key("k-4"));
            server.advance(Duration.ofHours(2));
            server.app.runMaintenance();
            long kept = server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM idempotency_keys")
                    .mapTo(Long.class).one());
            Api.Response fresh = server.api.post(MUTATIONS, server.userToken("ada"), post("p5", "new"), key("k-4"));

            assertThat(stillKept.status()).isEqualTo(422);
            assertThat(kept).isZero();
            assertThat(fresh.status()).isEqualTo(200);
            assertThat(fresh.headers().firstValue("Idempotency-Replayed")).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anotherUsersKeyNeverReadsMyStoredResponse(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            Api.Response mine = server.api.post(MUTATIONS, server.userToken("ada"), post("p6", "mine"), key("shared-key"));
            Api.Response theirs = server.api.post(MUTATIONS, server.userToken("bob"), post("p6", "mine"), key("shared-key"));

            assertThat(mine.json().at("/results/0/status").asText()).isEqualTo("applied");
            assertThat(theirs.headers().firstValue("Idempotency-Replayed")).isEmpty();
            assertThat(theirs.json().at("/results/0/status").asText()).as("processed as bob's own request: ada owns p6").isEqualTo("forbidden");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aRequestThatFailedValidationIsNotStoredSoTheFixedOneGoesThrough(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            String token = server.userToken("ada");
            Api.Response bad = server.api.post(MUTATIONS, token, Map.of("mutations", List.of(Map.of("id", "p7", "op", "put"))), key("k-7"));
            Api.Response fixed = server.api.post(MUTATIONS, token, post("p7", "fixed"), key("k-7"));

            assertThat(bad.status()).isEqualTo(422);
            assertThat(fixed.status()).isEqualTo(200);
            assertThat(fixed.json().at("/results/0/status").asText()).isEqualTo("applied");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aRetriedNotificationIsCreatedOnce(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            Map<String, Object> body = Map.of("audience", Map.of("all", true), "payload", Map.of("title", "once"));
            Api.Response first = server.api.post("/api/v1/notifications", server.key, body, key("n-1"));
            Api.Response retry = server.api.post("/api/v1/notifications", server.key, body, key("n-1"));

            assertThat(first.status()).isEqualTo(202);
            assertThat(retry.status()).isEqualTo(202);
            assertThat(retry.json().get("id").asText()).isEqualTo(first.json().get("id").asText());
            assertThat(notifications(server)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void malformedKeysAre400(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            String token = server.userToken("ada");
            for (String bad : List.of("\"\"", "\"" + "k".repeat(256) + "\"", "two words", "\"quo\"te\"")) {
                Api.Response r = server.api.post(MUTATIONS, token, post("p8", "x"), Map.of("Idempotency-Key", bad));
                assertThat(r.status()).as(bad).isEqualTo(400);
                assertThat(r.json().get("code").asText()).isEqualTo("invalid-idempotency-key");
            }
            assertThat(server.api.post(MUTATIONS, token, post("p8", "x"), Map.of("Idempotency-Key", "bare-token-ok")).status())
                    .isEqualTo(200);
            assertThat(documents(server)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aMintedUserTokenIsNeverStoredAndAReplayAnswersAFreshOne(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            String path = "/api/v1/users/ada/tokens";
            Api.Response first = server.api.post(path, server.key, Map.of("ttl", 600), key("mint-1"));
            server.advance(Duration.ofSeconds(5));
            Api.Response again = server.api.post(path, server.key, Map.of("ttl", 600), key("mint-1"));

            assertThat(first.status()).isEqualTo(201);
            assertThat(again.status()).isEqualTo(201);
            String token = first.json().get("token").asText();
            String retried = again.json().get("token").asText();
            assertThat(retried).as("minted again, not read back").isNotEqualTo(token);
            assertThat(server.app.userTokens().verify(retried)).isEqualTo("ada");
            List<String> stored = server.app.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT COALESCE(body, '') FROM idempotency_keys WHERE idem_key = 'mint-1'").mapTo(String.class).list());
            assertThat(stored).as("the key is recorded, the token is not").containsExactly("");
            assertThat(server.api.post(path, server.key, Map.of("ttl", 900), key("mint-1")).status())
                    .as("the same key for another request is still refused").isEqualTo(422);
        }
    }
}
