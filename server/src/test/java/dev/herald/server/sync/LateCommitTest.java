package dev.herald.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The feed's one promise under concurrency: a write that takes its version first but commits last is still read. One
 * writer's transaction is held open (by the test, not by timing) while later writes commit and a reader pulls; after
 * it commits, the reader's next pull from its cursor must bring it.
 */
class LateCommitTest {
    private static final int LATER = 5;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWriteThatCommitsAfterLaterWritesAndAReadIsOnTheNextPull(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.SYNC_COLLECTIONS, "posts:shared"));
                ExecutorService writers = Executors.newFixedThreadPool(LATER)) {
            String reader = server.userToken("reader");
            mutate(server, "early", 0);
            Pull first = pull(server, reader, null);
            assertThat(first.ids()).containsExactly("early");

            SyncStore store = new SyncStore(server.app.database().jdbi(), new SyncStore.Quota(1000, 1 << 20));
            List<Future<?>> later = new ArrayList<>();
            long slowVersion;
            try (Handle slow = server.app.database().jdbi().open()) {
                slow.begin();
                slowVersion = store.apply(slow, "posts", "", true, "slow",
                        List.of(new Mutation("late", false, "{\"text\":\"late\"}", 0L)), server.clock.millis()).getFirst().result().version();
                Pull during;
                if (backend == Backend.POSTGRES) {
                    // Writers of one partition do not wait for each other: all of these commit while "late" is open.
                    writeLater(server, writers, later);
                    for (Future<?> f : later) {
                        f.get(30, TimeUnit.SECONDS);
                    }
                    assertThat(laterVersions(server)).as("the later writes took versions above the open one").allMatch(v -> v > slowVersion);
                    during = pull(server, reader, first.cursor());
                } else {
                    // SQLite has one writer: later writes queue behind the open transaction (and hold pool connections
                    // while they wait, so the reader goes first).
                    during = pull(server, reader, first.cursor());
                    writeLater(server, writers, later);
                }
                assertThat(during.ids()).as("not committed yet").doesNotContain("late");
                slow.commit();

                for (Future<?> f : later) {
                    f.get(30, TimeUnit.SECONDS);
                }
                Set<String> seen = new HashSet<>(during.ids());
                String cursor = during.cursor();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!seen.contains("late") && System.nanoTime() < deadline) {
                    Pull next = pull(server, reader, cursor);
                    seen.addAll(next.ids());
                    cursor = next.cursor();
                }
                assertThat(seen).as("read on from the cursor of the pull made while it was open")
                        .contains("late", "later-0", "later-1", "later-2", "later-3", "later-4");
            }
        }
    }

    private static void writeLater(TestServer server, ExecutorService writers, List<Future<?>> later) {
        for (int i = 0; i < LATER; i++) {
            int n = i;
            later.add(writers.submit(() -> mutate(server, "later-" + n, 0)));
        }
    }

    private record Pull(List<String> ids, String cursor) {}

    private static Pull pull(TestServer server, String token, String cursor) {
        List<String> ids = new ArrayList<>();
        String at = cursor;
        while (true) {
            Api.Response r = server.api.get("/api/v1/sync/posts/changes?limit=2" + (at == null ? "" : "&since=" + at), token);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            r.json().get("changes").forEach(c -> ids.add(c.get("id").asText()));
            at = r.json().get("cursor").asText();
            if (!r.json().get("hasMore").asBoolean()) {
                return new Pull(ids, at);
            }
        }
    }

    private static Object mutate(TestServer server, String id, long base) {
        Api.Response r = server.api.post("/api/v1/sync/posts/mutations", server.userToken("writer"),
                Map.of("mutations", List.of(Map.of("id", id, "op", "upsert", "baseVersion", base, "doc", Map.of("text", id)))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().at("/results/0/status").asText()).isEqualTo("applied");
        return null;
    }

    private static List<Long> laterVersions(TestServer server) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT version FROM sync_documents WHERE id LIKE 'later-%'").mapTo(Long.class).list());
    }
}
