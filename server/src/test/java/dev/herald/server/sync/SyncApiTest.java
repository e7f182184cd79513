package dev.herald.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyncApiTest {
    private static final String POSTS = "/api/v1/sync/posts/mutations";

    private static Map<String, Object> upsert(String id, long base, Map<String, Object> doc) {
        return Map.of("id", id, "op", "upsert", "baseVersion", base, "doc", doc);
    }

    private static Map<String, Object> delete(String id, long base) {
        return Map.of("id", id, "op", "delete", "baseVersion", base);
    }

    private static JsonNode mutate(TestServer server, String user, Object... mutations) {
        Api.Response r = server.api.post(POSTS, server.userToken(user), Map.of("mutations", List.of(mutations)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("results");
    }

    private static JsonNode changes(TestServer server, String cursor, int limit) {
        Api.Response r = server.api.get("/api/v1/sync/posts/changes?limit=" + limit + (cursor == null ? "" : "&since=" + cursor),
                server.userToken("reader"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void conflictsReturnTheServersDocumentAndOverwriteNothing(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            JsonNode created = mutate(server, "ada", upsert("p1", 0, Map.of("text", "v1")));
            long v1 = created.at("/0/version").asLong();
            JsonNode stale = mutate(server, "ada", upsert("p1", 0, Map.of("text", "from another tab")));
            JsonNode updated = mutate(server, "ada", upsert("p1", v1, Map.of("text", "v2")));
            long v2 = updated.at("/0/version").asLong();
            JsonNode staleDelete = mutate(server, "ada", delete("p1", v1));
            JsonNode deleted = mutate(server, "ada", delete("p1", v2));
            JsonNode deleteAgain = mutate(server, "ada", delete("p1", v2));
            JsonNode recreated = mutate(server, "ada", upsert("p1", 0, Map.of("text", "again")));
            JsonNode neverExisted = mutate(server, "ada", upsert("ghost", 5, Map.of("text", "x")));

            assertThat(created.at("/0/status").asText()).isEqualTo("applied");
            assertThat(v1).isPositive();
            assertThat(stale.at("/0/status").asText()).isEqualTo("conflict");
            assertThat(stale.at("/0/version").asLong()).isEqualTo(v1);
            assertThat(stale.at("/0/doc/text").asText()).isEqualTo("v1");
            assertThat(stale.at("/0/owner").asText()).isEqualTo("ada");
            assertThat(updated.at("/0/status").asText()).isEqualTo("applied");
            assertThat(v2).isGreaterThan(v1);
            assertThat(staleDelete.at("/0/status").asText()).isEqualTo("conflict");
            assertThat(staleDelete.at("/0/doc/text").asText()).isEqualTo("v2");
            assertThat(deleted.at("/0/status").asText()).isEqualTo("applied");
            assertThat(deleted.at("/0/version").asLong()).isGreaterThan(v2);
            assertThat(deleteAgain.at("/0/status").asText()).as("deleting what is gone is a no-op").isEqualTo("applied");
            assertThat(recreated.at("/0/status").asText()).isEqualTo("applied");
            assertThat(recreated.at("/0/version").asLong()).isGreaterThan(deleted.at("/0/version").asLong());
            assertThat(neverExisted.at("/0/status").asText()).isEqualTo("conflict");
            assertThat(neverExisted.at("/0/version").asLong()).isZero();
            assertThat(neverExisted.at("/0/deleted").asBoolean()).as("absent reads as deleted").isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void inASharedCollectionOnlyTheCreatorOrAManageKeyChangesADocument(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            long p1 = mutate(server, "ada", upsert("p1", 0, Map.of("text", "ada's"))).at("/0/version").asLong();
            JsonNode overwrite = mutate(server, "bob", upsert("p1", p1, Map.of("text", "bob was here")), delete("p1", p1),
                    upsert("p2", 0, Map.of("text", "bob's own")));
            assertThat(overwrite.findValuesAsText("status")).containsExactly("forbidden", "forbidden", "applied");
            assertThat(overwrite.at("/0/version").asLong()).isEqualTo(p1);
            assertThat(overwrite.at("/0/doc/text").asText()).as("the server's document, to put back").isEqualTo("ada's");
            assertThat(overwrite.at("/0/owner").asText()).isEqualTo("ada");
            assertThat(overwrite.at("/1/owner").asText()).isEqualTo("ada");

            JsonNode feed = changes(server, null, 10).get("changes");
            assertThat(feed.findValuesAsText("owner")).containsExactly("ada", "bob");
            assertThat(feed.at("/0/doc/text").asText()).isEqualTo("ada's");

            // A manage key may change anyone's document; the owner stays the creator.
            Api.Response moderated = server.api.post(POSTS, server.key, Map.of("mutations", List.of(upsert("p1", p1, Map.of("text", "[removed]")))));
            assertThat(moderated.json().at("/results/0/status").asText()).isEqualTo("applied");
            JsonNode again = mutate(server, "ada", upsert("p1", moderated.json().at("/results/0/version").asLong(), Map.of("text", "ada again")));
            assertThat(again.at("/0/status").asText()).isEqualTo("applied");
            // Once its owner deleted it, the id is free: whoever creates it next owns it.
            assertThat(mutate(server, "ada", delete("p1", again.at("/0/version").asLong())).at("/0/status").asText()).isEqualTo("applied");
            assertThat(mutate(server, "bob", upsert("p1", 0, Map.of("text", "bob's now"))).at("/0/status").asText()).isEqualTo("applied");
            // A document created with a manage key has no owner: users cannot change it.
            server.api.post(POSTS, server.key, Map.of("mutations", List.of(upsert("rules", 0, Map.of("text", "be nice")))));
            JsonNode rules = mutate(server, "ada", upsert("rules", 7, Map.of("text", "no rules")));
            assertThat(rules.at("/0/status").asText()).isEqualTo("forbidden");
            assertThat(rules.at("/0/owner").isMissingNode()).isTrue();

            JsonNode last = changes(server, null, 10).get("changes");
            assertThat(last.findValuesAsText("id")).containsExactly("p2", "p1", "rules");
            assertThat(last.get(1).get("owner").asText()).isEqualTo("bob");
            assertThat(last.get(2).has("owner")).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBatchIsOneTransactionWithOneVersionPerMutation(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            JsonNode results = mutate(server, "ada", upsert("a", 0, Map.of("n", 1)), upsert("b", 0, Map.of("n", 2)),
                    upsert("a", 0, Map.of("n", 3)), upsert("c", 0, Map.of("n", 4)));

            // The third sees the first: "a" exists by then, so its base 0 conflicts.
            assertThat(results.findValuesAsText("status")).containsExactly("applied", "applied", "conflict", "applied");
            List<Long> versions = results.findValues("version").stream().map(JsonNode::asLong).toList();
            assertThat(versions.get(0)).isPositive().isLessThan(versions.get(1));
            assertThat(versions.get(2)).as("the conflict answers with the server's version").isEqualTo(versions.get(0));
            assertThat(versions.get(3)).isGreaterThan(versions.get(1));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theFeedPagesWithoutGapsOrRepeatsWhileWritersRun(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.SYNC_COLLECTIONS, "posts:shared"));
                ExecutorService writers = Executors.newFixedThreadPool(4)) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    for (int batch = 0; batch < 20; batch++) {
                        List<Object> ms = new ArrayList<>();
                        for (int i = 0; i < 5; i++) {
                            ms.add(upsert("w" + writer + "-" + (batch * 5 + i), 0, Map.of("by", writer)));
                        }
                        mutate(server, "writer" + writer, ms.toArray());
                    }
                }));
            }
            Set<String> seen = new HashSet<>();
            List<Long> versions = new ArrayList<>();
            String cursor = null;
            boolean writersDone = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // A write that commits after a read shows up on a later pull: read on until all 400 arrived, or time is up.
            while (System.nanoTime() < deadline) {
                JsonNode page = changes(server, cursor, 7);
                for (JsonNode c : page.get("changes")) {
                    assertThat(seen.add(c.get("id").asText())).as("no repeats: " + c).isTrue();
                    versions.add(c.get("version").asLong());
                }
                cursor = page.get("cursor").asText();
                if (!page.get("hasMore").asBoolean() && writersDone && seen.size() == 400) {
                    break;
                }
                writersDone = done.stream().allMatch(Future::isDone);
            }
            for (Future<?> f : done) {
                f.get();
            }

            assertThat(seen).hasSize(400);
            assertThat(versions).isSorted().doesNotHaveDuplicates();
            if (backend == Backend.SQLITE) {
                assertThat(versions.get(versions.size() - 1)).as("one writer: versions without gaps").isEqualTo(400);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void deletesAreTombstonesUntilTheHorizonThenOldCursorsMustReset(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.TOMBSTONE_HORIZON, "3600"))) {
            long drop = mutate(server, "ada", upsert("keep", 0, Map.of("t", 1)), upsert("drop", 0, Map.of("t", 2))).at("/1/version").asLong();
            String early = changes(server, null, 100).get("cursor").asText();
            mutate(server, "ada", delete("drop", drop));

            JsonNode withTombstone = changes(server, early, 100);
            server.advance(Duration.ofHours(2));
            server.app.runMaintenance();
            Api.Response expired = server.api.get("/api/v1/sync/posts/changes?since=" + early, server.userToken("reader"));
            JsonNode fromScratch = changes(server, null, 100);

            assertThat(withTombstone.at("/changes/0/id").asText()).isEqualTo("drop");
            assertThat(withTombstone.at("/changes/0/deleted").asBoolean()).isTrue();
            assertThat(withTombstone.at("/changes/0/doc").isMissingNode()).isTrue();
            assertThat(expired.status()).isEqualTo(410);
            assertThat(expired.json().get("code").asText()).isEqualTo("cursor-expired");
            assertThat(fromScratch.get("changes")).hasSize(1);
            assertThat(fromScratch.at("/changes/0/id").asText()).isEqualTo("keep");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void unchangedFeedAnswers304ToItsETag(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            mutate(server, "ada", upsert("p", 0, Map.of("t", 1)));
            Api.Response first = server.api.get("/api/v1/sync/posts/changes", server.userToken("r"));
            String etag = first.headers().firstValue("ETag").orElseThrow();

            Api.Response same = server.api.get("/api/v1/sync/posts/changes", server.userToken("r"), Map.of("If-None-Match", etag));
            mutate(server, "ada", upsert("q", 0, Map.of("t", 2)));
            Api.Response changed = server.api.get("/api/v1/sync/posts/changes", server.userToken("r"), Map.of("If-None-Match", etag));

            assertThat(same.status()).isEqualTo(304);
            assertThat(same.text()).isEmpty();
            assertThat(changed.status()).isEqualTo(200);
            assertThat(changed.json().get("changes")).hasSize(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void privateCollectionsAreSeparatePerUserAndBackendsWriteWithAManageKey(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.SYNC_COLLECTIONS, "posts:shared,notes:private"))) {
            server.api.post("/api/v1/sync/notes/mutations", server.userToken("ada"),
                    Map.of("mutations", List.of(upsert("n1", 0, Map.of("t", "ada's")))));
            Api.Response fromBackend = server.api.post("/api/v1/sync/notes/mutations?userId=bob", server.key,
                    Map.of("mutations", List.of(upsert("n1", 0, Map.of("t", "for bob")))));
            Api.Response sharedFromBackend = server.api.post(POSTS, server.key,
                    Map.of("mutations", List.of(upsert("announcement", 0, Map.of("text", "maintenance at 9")))));

            JsonNode ada = server.api.get("/api/v1/sync/notes/changes", server.userToken("ada")).json();
            JsonNode bob = server.api.get("/api/v1/sync/notes/changes", server.userToken("bob")).json();
            assertThat(fromBackend.json().at("/results/0/status").asText()).as("bob's partition is separate").isEqualTo("applied");
            assertThat(sharedFromBackend.status()).isEqualTo(200);
            assertThat(ada.at("/changes/0/doc/t").asText()).isEqualTo("ada's");
            assertThat(bob.at("/changes/0/doc/t").asText()).isEqualTo("for bob");
            assertThat(ada.get("changes")).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aNewPostNotifiesThePostsTopicButNotItsAuthorAndAnEditDoesNot(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            UserAgentKeys reader = UserAgentKeys.generate();
            server.subscribe("reader", push.endpoint("/p/reader").toString(), reader, Map.of("topics", List.of("posts")));
            server.subscribe("ada", push.endpoint("/p/ada").toString(), UserAgentKeys.generate(), Map.of("topics", List.of("posts")));
            server.subscribe("other", push.endpoint("/p/other").toString(), UserAgentKeys.generate());

            // Three new posts in one batch, each claiming to be from someone else: one announcement, from ada.
            mutate(server, "ada", upsert("42", 0, Map.of("text", "Offline posting works!", "author", "Security Team")),
                    upsert("43", 0, Map.of("text", "second", "author", "Security Team")),
                    upsert("44", 0, Map.of("text", "third")));
            Eventually.until("notified", () -> push.received.size() == 1);
            mutate(server, "ada", upsert("42", 1, Map.of("text", "edited", "author", "Ada")));

            String json = new String(reader.decrypt(push.received.get(0).body()), StandardCharsets.UTF_8);
            assertThat(json).contains("\"title\":\"New post from ada\"").contains("\"body\":\"Offline posting works!\"")
                    .contains("/?post=42").doesNotContain("Security Team");
            assertThat(push.received).as("only the topic's reader, not the author ada nor 'other'").hasSize(1);
            assertThat(push.received.get(0).path()).isEqualTo("/p/reader");
            long notifications = server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM notifications")
                    .mapTo(Long.class).one());
            assertThat(notifications).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void badSyncInputIsA4xxProblem(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.MAX_MUTATIONS, "3").with(Option.MAX_DOCUMENT_BYTES, "100"))) {
            String user = server.userToken("ada");
            record Case(String name, Api.Response r, int status, String code) {}
            List<Case> cases = List.of(
                    new Case("unknown collection", server.api.post("/api/v1/sync/secrets/mutations", user,
                            Map.of("mutations", List.of(upsert("a", 0, Map.of())))), 404, "unknown-collection"),
                    new Case("too many", server.api.post(POSTS, user, Map.of("mutations", List.of(upsert("a", 0, Map.of()),
                            upsert("b", 0, Map.of()), upsert("c", 0, Map.of()), upsert("d", 0, Map.of())))), 422, "invalid-field"),
                    new Case("empty batch", server.api.post(POSTS, user, Map.of("mutations", List.of())), 422, "invalid-field"),
                    new Case("oversized doc", server.api.post(POSTS, user, Map.of("mutations",
                            List.of(upsert("a", 0, Map.of("t", "x".repeat(200)))))), 422, "invalid-field"),
                    new Case("bad op", server.api.post(POSTS, user, Map.of("mutations", List.of(Map.of("id", "a", "op", "put")))), 422, "invalid-field"),
                    new Case("upsert without doc", server.api.post(POSTS, user, Map.of("mutations", List.of(Map.of("id", "a", "op", "upsert")))), 422, "missing-field"),
                    new Case("delete with doc", server.api.post(POSTS, user, Map.of("mutations",
                            List.of(Map.of("id", "a", "op", "delete", "doc", Map.of())))), 422, "invalid-field"),
                    new Case("bad id", server.api.post(POSTS, user, Map.of("mutations", List.of(upsert("a b/c", 0, Map.of())))), 422, "invalid-field"),
                    new Case("negative base", server.api.post(POSTS, user, Map.of("mutations", List.of(upsert("a", -1, Map.of())))), 422, "invalid-field"),
                    new Case("no auth", server.api.post(POSTS, null, Map.of("mutations", List.of(upsert("a", 0, Map.of())))), 401, "unauthenticated"),
                    new Case("send-only key", server.api.post(POSTS, server.app.apiKeys().create("s",
                            java.util.EnumSet.of(dev.herald.server.auth.Scope.SEND)).key(), Map.of("mutations", List.of(upsert("a", 0, Map.of())))), 403, "forbidden"),
                    new Case("garbage cursor", server.api.get("/api/v1/sync/posts/changes?since=%25%25%25", user), 400, "invalid-cursor"),
                    new Case("other collection's cursor", server.api.get("/api/v1/sync/posts/changes?since="
                            + Cursor.encode("notes", 5), user), 400, "invalid-cursor"),
                    new Case("limit 0", server.api.get("/api/v1/sync/posts/changes?limit=0", user), 400, "invalid-parameter"),
                    new Case("limit text", server.api.get("/api/v1/sync/posts/changes?limit=all", user), 400, "invalid-parameter"));
            for (Case c : cases) {
                assertThat(c.r().status()).as(c.name() + ": " + c.r()).isEqualTo(c.status());
                assertThat(c.r().json().get("code").asText()).as(c.name()).isEqualTo(c.code());
            }
        }
    }
}
