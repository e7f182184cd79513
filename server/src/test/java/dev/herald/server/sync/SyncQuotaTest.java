package dev.herald.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyncQuotaTest {
    private static Map<String, Object> upsert(String id, long base, String text) {
        return Map.of("id", id, "op", "upsert", "baseVersion", base, "doc", Map.of("text", text));
    }

    private static Api.Response mutate(TestServer server, String collection, String user, Object... mutations) {
        return server.api.post("/api/v1/sync/" + collection + "/mutations", server.userToken(user),
                Map.of("mutations", List.of(mutations)));
    }

    private static int liveDocuments(TestServer server, String collection, String user) {
        Api.Response r = server.api.get("/api/v1/sync/" + collection + "/changes?limit=500", server.userToken(user));
        int live = 0;
        for (var c : r.json().get("changes")) {
            live += c.get("deleted").asBoolean() ? 0 : 1;
        }
        return live;
    }

    private static void assertRefused(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.json().get("code").asText()).isEqualTo("sync-quota-exceeded");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBatchPastTheDocumentQuotaIsRefusedWholeAndDeletesMakeRoom(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.SYNC_COLLECTIONS, "posts:shared,notes:private")
                .with(Option.SYNC_MAX_DOCUMENTS, "3"))) {
            Api.Response first = mutate(server, "notes", "ada", upsert("n1", 0, "a"), upsert("n2", 0, "b"));
            assertThat(first.status()).isEqualTo(200);
            long n1 = first.json().at("/results/0/version").asLong();
            long n2 = first.json().at("/results/1/version").asLong();

            assertRefused(mutate(server, "notes", "ada", upsert("n3", 0, "c"), upsert("n4", 0, "d")));
            assertThat(liveDocuments(server, "notes", "ada")).as("nothing of the refused batch applied").isEqualTo(2);

            assertThat(mutate(server, "notes", "ada", upsert("n3", 0, "c")).status()).isEqualTo(200);
            assertRefused(mutate(server, "notes", "ada", upsert("n4", 0, "d")));
            assertThat(mutate(server, "notes", "ada", upsert("n1", n1, "edited")).json().at("/results/0/status").asText())
                    .as("an edit adds no document").isEqualTo("applied");
            assertThat(mutate(server, "notes", "ada", Map.of("id", "n2", "op", "delete", "baseVersion", n2))
                    .json().at("/results/0/status").asText()).isEqualTo("applied");
            assertThat(mutate(server, "notes", "ada", upsert("n4", 0, "d")).status()).as("a delete made room").isEqualTo(200);

            // a shared collection counts what each user owns
            for (String id : List.of("p1", "p2", "p3")) {
                assertThat(mutate(server, "posts", "ada", upsert(id, 0, id)).status()).isEqualTo(200);
            }
            assertRefused(mutate(server, "posts", "ada", upsert("p4", 0, "p4")));
            assertThat(mutate(server, "posts", "bob", upsert("b1", 0, "bob's")).status()).as("bob has his own quota").isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theByteQuotaRefusesGrowthButNeverShrinking(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.SYNC_COLLECTIONS, "notes:private")
                .with(Option.SYNC_MAX_BYTES, "1024"))) {
            Api.Response big = mutate(server, "notes", "ada", upsert("big", 0, "é".repeat(400))); // 800+ bytes
            assertThat(big.status()).isEqualTo(200);

            assertRefused(mutate(server, "notes", "ada", upsert("more", 0, "x".repeat(300))));
            assertThat(mutate(server, "notes", "ada", upsert("big", big.json().at("/results/0/version").asLong(), "small"))
                    .json().at("/results/0/status").asText()).isEqualTo("applied");
            assertThat(mutate(server, "notes", "ada", upsert("more", 0, "x".repeat(300))).status()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void concurrentWritersCannotPassTheQuotaTogether(Backend backend) throws Exception {
        int writers = 24;
        try (TestServer server = new TestServer(backend, s -> s.with(Option.SYNC_COLLECTIONS, "notes:private,posts:shared")
                .with(Option.SYNC_MAX_DOCUMENTS, "5"));
                ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (String collection : List.of("notes", "posts")) {
                List<Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < writers; i++) {
                    String id = "d" + i;
                    answers.add(pool.submit(() -> mutate(server, collection, "ada", upsert(id, 0, id)).status()));
                }
                int applied = 0;
                for (Future<Integer> a : answers) {
                    int status = a.get();
                    assertThat(status).isIn(200, 422);
                    applied += status == 200 ? 1 : 0;
                }
                assertThat(applied).as(collection).isEqualTo(5);
                assertThat(liveDocuments(server, collection, "ada")).as(collection).isEqualTo(5);
            }
        }
    }
}
